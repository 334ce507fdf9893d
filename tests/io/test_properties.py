"""Hypothesis: mixed valid and broken rows never crash the importer; each row is accepted or
rejected with a reason; in atomic mode a single rejection leaves the database unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import empower
from empower.io.importing import import_file
from tests.io.helpers import snapshot, wipe, write_csv

TODAY = date(2025, 1, 15)
junk = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


def cell(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(valid, valid, valid, junk, st.just(""))


cins = st.builds(lambda p, n: f"{p}{n}", st.sampled_from(["AB", "k", "XY", "z-"]),
                 st.integers(1, 999999).map(str))
dates = st.dates(date(1940, 1, 1), date(2006, 1, 1)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.strftime("%d/%m/%Y"),
                               str((d - date(1899, 12, 30)).days)]))
names = st.sampled_from(["Fatima", "Khadija", "Aït Ali", "O'Brien", "فاطمة", "بنعلي", "Zineb2"])
phones = st.sampled_from(["0612345678", "+212 661 23 45 67", "06-12", "", "0522000000"])
provinces = st.sampled_from(["04.441", "Tétouan", "تطوان", "fes", "99.999", "Casablanca"])
bools = st.sampled_from(["oui", "non", "yes", "0", "1", "نعم", "لا", "peut-être"])
consents = st.dates(date(2023, 1, 1), date(2024, 12, 31)).map(date.isoformat)

HEADER = ["cin", "first_name", "last_name_ar", "birth_date", "phone", "province_code",
          "disability", "household_size", "consent_date", "registered_on"]
rows_strategy = st.lists(st.tuples(
    cell(cins), cell(names), cell(names), cell(dates), cell(phones), cell(provinces),
    cell(bools), cell(st.integers(0, 60).map(str)), cell(consents), cell(consents),
), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=rows_strategy, mode=st.sampled_from(["atomic", "valid-only"]))
def test_mixed_rows_are_each_accepted_or_rejected(db: empower.Database, tmp_path: Path,
                                                  rows: list[tuple[str, ...]], mode: str) -> None:
    wipe(db)
    path = write_csv(tmp_path / "b.csv", [HEADER, *map(list, rows)],
                     delimiter=";" if len(rows) % 2 else ",")
    before = snapshot(db)
    report = import_file(db, "beneficiaries", path, mode=mode, today=TODAY)
    filled = [r for r in rows if any(c.strip() for c in r)]
    assert report.rows == len(filled)
    assert report.accepted + report.rejected == report.rows
    rejected_lines = {r.line for r in report.rejections}
    assert len(rejected_lines) == report.rejected
    assert all(r.reason.strip() for r in report.rejections)
    assert all(r.line >= 2 for r in report.rejections)
    after = snapshot(db)
    if mode == "atomic" and report.rejected:
        assert after == before and not report.committed
    else:
        assert after["beneficiaries"] == before["beneficiaries"] + report.created
        assert report.created == report.accepted


program_rows = st.lists(st.tuples(
    cell(st.sampled_from(["AWAL", "TIRSAL", "P-3"])), cell(names),
    cell(st.dates(date(2020, 1, 1), date(2026, 1, 1)).map(date.isoformat)),
    cell(st.sampled_from(["", "2027-01-01", "2019-01-01"])),
    cell(st.sampled_from(["1000", "12 500,50", "-4", "1e3", "100 MAD"])),
    cell(st.sampled_from(["", "50", "5000000"])), cell(st.sampled_from(["01", "12", "13", ""])),
), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=program_rows)
def test_programs_atomic_all_or_nothing(db: empower.Database, tmp_path: Path,
                                        rows: list[tuple[str, ...]]) -> None:
    wipe(db)
    header = ["code", "name", "start_date", "end_date", "budget", "grant_cap", "region_code"]
    path = write_csv(tmp_path / "p.csv", [header, *map(list, rows)])
    report = import_file(db, "programs", path, today=TODAY)
    assert report.accepted + report.rejected == report.rows
    assert all(r.reason for r in report.rejections)
    written = snapshot(db)["programs"]
    assert written == (0 if report.rejected else report.created)
