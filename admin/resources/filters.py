"""Searches, filters and filter options shared by several resources.

Options are those she may pick (her regions, her provinces, her programs); a filter value she
may not use, or a malformed one, narrows to nothing or is ignored: never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from empower.rules import RulesConfig, record_number

from .. import models as m
from ..compat import current_locale, gettext
from ..formatting import label
from ..scope import Principal

__all__ = [
    "by_int",
    "by_province",
    "by_region",
    "equals",
    "program_options",
    "province_options",
    "region_options",
    "search_fields",
    "search_id_or",
    "unmasked_search",
    "vocab_options",
    "yes_no",
]

Search = Callable[[QuerySet[Any], str, RulesConfig], QuerySet[Any]]
Apply = Callable[[QuerySet[Any], str, Principal], QuerySet[Any]]


def search_fields(*names: str) -> Search:
    """Rows where any of the columns contains the text (case-insensitive)."""
    def search(qs: QuerySet[Any], text: str, _rules: RulesConfig) -> QuerySet[Any]:
        text = text.strip()[:100]
        if not text:
            return qs
        cond = Q()
        for i, name in enumerate(names):
            q = Q(**{f"{name}__icontains": text})
            cond = q if i == 0 else cond | q
        return qs.filter(cond)

    return search


def unmasked_search(search: Search) -> Callable[[QuerySet[Any], str, RulesConfig],
                                               tuple[QuerySet[Any], bool]]:
    """A search that reads none of the masked columns (CIN, phone, RIB), as the masked search of
    a resource that has some: viewers search as everyone does, and it probes nothing."""
    def masked(qs: QuerySet[Any], text: str, rules: RulesConfig) -> tuple[QuerySet[Any], bool]:
        return search(qs, text, rules), False

    return masked


def search_id_or(*names: str) -> Search:
    """A record number (``#12``) finds that row; any other text searches the columns."""
    by_fields = search_fields(*names)

    def search(qs: QuerySet[Any], text: str, rules: RulesConfig) -> QuerySet[Any]:
        digits = text.strip().lstrip("#")
        if digits.isascii() and digits.isdigit():
            # A number beyond any record's finds none (rather than overflow the driver).
            number = record_number(digits)
            return qs.filter(id=number if number is not None else -1)
        return by_fields(qs, text, rules)

    return search


def vocab_options(enum: Any, context: str = "") -> Callable[[Principal], list[tuple[str, str]]]:
    """The values of a vocabulary, translated (in ``context``: :func:`..formatting.label`)."""
    return lambda _p: [(v.value, label(v.value, context)) for v in enum]


def equals(column: str, enum: Any = None) -> Apply:
    """Rows whose column equals the value (a value outside the vocabulary is ignored)."""
    def apply(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
        if enum is not None and value not in {v.value for v in enum}:
            return qs  # a malformed filter value is ignored, never a 500
        return qs.filter(**{column: value})

    return apply


# Regions and provinces are reference data loaded by ``empower db upgrade``: read once.
_REFERENCE: dict[str, list[dict[str, Any]]] = {}


async def _reference(kind: str) -> list[dict[str, Any]]:
    if kind not in _REFERENCE:
        model = m.Region if kind == "regions" else m.Province
        _REFERENCE[kind] = await model.all().order_by("code").values("code", "name_fr",
                                                                      "name_ar")
    return _REFERENCE[kind]


async def region_options(p: Principal) -> list[tuple[str, str]]:
    """Her regions (all for an admin), named in her language."""
    name = "name_ar" if current_locale() == "ar" else "name_fr"
    return [(r["code"], f"{r['code']} {r[name]}") for r in await _reference("regions")
            if p.is_admin or r["code"] in p.regions]


async def province_options(p: Principal) -> list[tuple[str, str]]:
    """Her provinces (all for an admin), named in her language."""
    name = "name_ar" if current_locale() == "ar" else "name_fr"
    return [(r["code"], f"{r['code']} {r[name]}") for r in await _reference("provinces")
            if p.is_admin or r["code"] in p.provinces]


async def program_options(p: Principal) -> list[tuple[str, str]]:
    """The programs she may see: national ones and those of her regions."""
    rows = await p.within(m.Program.all()).order_by("code").values("id", "code")
    return [(str(r["id"]), r["code"]) for r in rows]


def by_region(column: str) -> Apply:
    """Rows whose province column is in the region (one of hers)."""
    def apply(qs: QuerySet[Any], value: str, p: Principal) -> QuerySet[Any]:
        if not re.fullmatch(r"[0-9]{2}", value) or (not p.is_admin and value not in p.regions):
            return qs.filter(id=-1) if value else qs
        return qs.filter(**{f"{column}__in": Subquery(
            m.Province.filter(region_code=value).values("code"))})

    return apply


def by_province(column: str) -> Apply:
    """Rows of the province (one of hers)."""
    def apply(qs: QuerySet[Any], value: str, p: Principal) -> QuerySet[Any]:
        if not p.is_admin and value not in p.provinces:
            return qs.filter(id=-1)
        return qs.filter(**{column: value[:6]})

    return apply


def by_int(column: str) -> Apply:
    """Rows whose id column equals the record number (anything else is ignored: another
    script's digits, ``²``, a number beyond any record's, :func:`empower.rules.record_number`)."""
    def apply(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
        number = record_number(value)
        return qs.filter(**{column: number}) if number is not None else qs

    return apply


def yes_no(_p: Principal) -> list[tuple[str, str]]:
    return [("no", gettext("no")), ("yes", gettext("yes")), ("all", gettext("all"))]
