"""Morocco's regions and provinces (HCP, RGPH 2024), shipped with the package.

Attribution and the terms of reuse are in ``empower/reference/README.md``.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from empower.models import Province, Region

__all__ = ["load_reference_data", "provinces", "regions"]


def _rows(name: str) -> list[dict[str, str]]:
    with resources.files("empower").joinpath("reference", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def regions() -> tuple[dict[str, str], ...]:
    """The 12 regions as dicts (code, name_fr, name_ar, population_2024)."""
    return tuple(_rows("regions.csv"))


@lru_cache(maxsize=1)
def provinces() -> tuple[dict[str, str], ...]:
    """The 75 provinces and prefectures as dicts (code, name_fr, name_ar, kind, region_code, ...)."""
    return tuple(_rows("provinces.csv"))


def load_reference_data(session: Session) -> int:
    """Insert or refresh regions and provinces; returns how many rows changed. Safe to rerun."""
    changed = 0
    existing_regions = {r.code: r for r in session.scalars(select(Region))}
    for row in regions():
        pop = int(row["population_2024"]) if row.get("population_2024") else None
        region = existing_regions.get(row["code"])
        if region is None:
            session.add(Region(code=row["code"], name_fr=row["name_fr"], name_ar=row["name_ar"],
                               population_2024=pop))
            changed += 1
        elif (region.name_fr, region.name_ar, region.population_2024) != (
                row["name_fr"], row["name_ar"], pop):
            region.name_fr, region.name_ar, region.population_2024 = row["name_fr"], row["name_ar"], pop
            changed += 1
    session.flush()
    existing_provinces = {p.code: p for p in session.scalars(select(Province))}
    for row in provinces():
        pop = int(row["population_2024"]) if row.get("population_2024") else None
        values = dict(name_fr=row["name_fr"], name_ar=row["name_ar"], kind=row["kind"],
                      region_code=row["region_code"], population_2024=pop)
        province = existing_provinces.get(row["code"])
        if province is None:
            session.add(Province(code=row["code"], **values))
            changed += 1
        elif any(getattr(province, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(province, k, v)
            changed += 1
    session.flush()
    return changed
