"""Dates mean what they say in an import: serials only from XLSX number cells, no time part
silently dropped, and every business date within its plausible range, the rule named."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import empower
from empower.io.importing import import_file
from empower.models import Beneficiary
from tests.io import fixtures_data as data
from tests.io.helpers import snapshot, write_csv, write_xlsx

TODAY = date(2025, 1, 15)
HEADER = ["cin", "first_name", "birth_date", "province_code", "consent_date", "registered_on"]


def _row(birth: object, cin: str = "AB100001") -> list[object]:
    return [cin, "Fatima", birth, "04.441", "2024-01-10", "2024-01-10"]


def _births(db: empower.Database) -> dict[str, date]:
    with db.unit_of_work(readonly=True) as uow:
        return dict(uow.session.execute(select(Beneficiary.cin, Beneficiary.birth_date)).all())


def _only_rejection(report):  # type: ignore[no-untyped-def]
    assert report.rejected == 1 and len(report.rejections) == 1, report.rejections
    return report.rejections[0]


def _load(db: empower.Database, folder: Path, *kinds: str) -> None:
    for kind in kinds:
        report = import_file(db, kind, write_csv(folder / f"{kind}.csv", data.ALL[kind]),
                             today=TODAY)
        assert report.rejections == [], report.rejections


# -- numbers are not dates in a CSV --------------------------------------------------------------

@pytest.mark.parametrize("value", ["1980", "12.5", "32937", "4,5"])
def test_a_number_in_a_csv_is_not_read_as_an_excel_serial(db: empower.Database, tmp_path: Path,
                                                          value: str) -> None:
    # "1980" used to become 1905-06-02 (Excel day 1980), "12.5" 1900-01-11.
    path = write_csv(tmp_path / "b.csv", [HEADER, _row(value)])
    before = snapshot(db)
    report = import_file(db, "beneficiaries", path, today=TODAY)
    r = _only_rejection(report)
    assert (r.line, r.column, r.value, r.code) == (2, "birth_date", value,
                                                   "import.date_number_text")
    assert "number written as text" in r.reason
    assert snapshot(db) == before


def test_a_serial_is_read_from_a_number_cell_of_an_xlsx_only(db: empower.Database,
                                                             tmp_path: Path) -> None:
    serial = (date(1990, 3, 4) - date(1899, 12, 30)).days
    path = write_xlsx(tmp_path / "b.xlsx", [HEADER, _row(serial, "AB100001"),
                                            _row(str(serial), "AB100002")])
    report = import_file(db, "beneficiaries", path, mode="valid-only", today=TODAY)
    r = _only_rejection(report)
    assert (r.line, r.column, r.code) == (3, "birth_date", "import.date_number_text")
    assert _births(db) == {"AB100001": date(1990, 3, 4)}


def test_a_serial_with_a_fraction_is_a_time_of_day_and_refused(db: empower.Database,
                                                               tmp_path: Path) -> None:
    serial = (date(1990, 3, 4) - date(1899, 12, 30)).days + 0.5
    path = write_xlsx(tmp_path / "b.xlsx", [HEADER, _row(serial)])
    r = _only_rejection(import_file(db, "beneficiaries", path, today=TODAY))
    assert (r.column, r.code) == ("birth_date", "import.date_has_time")


# -- time parts ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "code"), [
    ("1980-01-01T99:99", "import.datetime_invalid"),
    ("1980-01-01T24:00", "import.datetime_invalid"),
    ("1980-01-01Tnoon", "import.datetime_invalid"),
    ("1980-01-01T", "import.datetime_invalid"),
    ("1980-01-01T10:30", "import.date_has_time"),
    ("1980-01-01 00:00:01", "import.date_has_time"),
])
def test_a_time_part_is_never_dropped_silently(db: empower.Database, tmp_path: Path, value: str,
                                               code: str) -> None:
    path = write_csv(tmp_path / "b.csv", [HEADER, _row(value)])
    r = _only_rejection(import_file(db, "beneficiaries", path, today=TODAY))
    assert (r.line, r.column, r.value, r.code) == (2, "birth_date", value, code)


def test_midnight_is_a_date_and_another_time_is_not(db: empower.Database,
                                                    tmp_path: Path) -> None:
    midnights = ["1980-01-01T00:00", "1980-01-01 00:00:00", "1980-01-01T00:00:00.000Z",
                 "1980-01-01T00:00:00+01:00"]
    rows = [HEADER, *(_row(v, f"AB10000{i}") for i, v in enumerate(midnights)),
            _row("1980-01-01T00:30", "AB100009")]
    report = import_file(db, "beneficiaries", write_csv(tmp_path / "b.csv", rows),
                         mode="valid-only", today=TODAY)
    r = _only_rejection(report)
    assert (r.line, r.code) == (6, "import.date_has_time")
    assert _births(db) == {f"AB10000{i}": date(1980, 1, 1) for i in range(len(midnights))}


def test_an_xlsx_date_with_a_time_is_refused_and_one_at_midnight_read(db: empower.Database,
                                                                      tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "b.xlsx", [HEADER, _row(datetime(1980, 1, 1, 9, 15), "AB100001"),
                                            _row(datetime(1981, 2, 3), "AB100002")])
    report = import_file(db, "beneficiaries", path, mode="valid-only", today=TODAY)
    r = _only_rejection(report)
    assert (r.line, r.column, r.code) == (2, "birth_date", "import.date_has_time")
    assert _births(db) == {"AB100002": date(1981, 2, 3)}


# -- plausible ranges, through the services ----------------------------------------------------

def test_a_birth_before_1900_is_refused(db: empower.Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [HEADER, _row("1899-12-31")])
    r = _only_rejection(import_file(db, "beneficiaries", path, today=TODAY))
    assert (r.column, r.code) == ("birth_date", "birth_date.before_earliest")


def test_a_registration_after_the_import_day_plus_the_margin_is_refused(
        db: empower.Database, tmp_path: Path) -> None:
    rows = [HEADER, ["AB100001", "Fatima", "1990-03-04", "04.441", "2025-01-16", "2025-01-16"],
            ["AB100002", "Khadija", "1990-03-04", "04.441", "2025-01-17", "2025-01-17"]]
    report = import_file(db, "beneficiaries", write_csv(tmp_path / "b.csv", rows),
                         mode="valid-only", today=TODAY)
    r = _only_rejection(report)
    assert (r.line, r.column, r.code) == (3, "registered_on", "date.in_future")


def test_a_tranche_paid_on_9999_12_31_is_refused(db: empower.Database, tmp_path: Path) -> None:
    _load(db, tmp_path, "programs", "beneficiaries", "cooperatives", "enrollments", "grants")
    rows = [data.DISBURSEMENTS[0], ["T-9", "G-1", "1000", "9999-12-31", "virement"]]
    before = snapshot(db)
    r = _only_rejection(import_file(db, "disbursements", write_csv(tmp_path / "d.csv", rows),
                                    today=TODAY))
    assert (r.line, r.column, r.value, r.code) == (2, "paid_on", "9999-12-31", "date.in_future")
    assert snapshot(db) == before


def test_a_survey_before_her_registration_is_refused(db: empower.Database,
                                                     tmp_path: Path) -> None:
    _load(db, tmp_path, "programs", "beneficiaries", "enrollments")
    # AB100002 registered on 2024-01-10; AWAL started on 2024-01-01.
    rows = [data.SURVEYS[0], ["AB100002", "AWAL", "baseline", "2024-01-05", "", "", "", "", "",
                              ""]]
    r = _only_rejection(import_file(db, "surveys", write_csv(tmp_path / "s.csv", rows),
                                    today=TODAY))
    assert (r.line, r.column, r.code) == (2, "surveyed_on", "date.before_registration")
    assert "2024-01-10" in r.reason


def test_a_cooperative_founded_in_year_one_is_refused(db: empower.Database,
                                                      tmp_path: Path) -> None:
    rows = [data.COOPERATIVES[0],
            ["COOP-9", "Tifawin", "", "", "argan", "04.441", "", "0001-01-01", "", "oui"],
            ["COOP-8", "Nour", "", "", "argan", "04.441", "", "01/01/1899", "", "oui"]]
    report = import_file(db, "cooperatives", write_csv(tmp_path / "c.csv", rows),
                         mode="valid-only", today=TODAY)
    assert [(r.line, r.column, r.code) for r in report.rejections] == [
        (2, "founded_on", "cooperative.founded_before_earliest"),
        (3, "founded_on", "cooperative.founded_before_earliest")]


def test_a_cooperative_founded_after_the_import_day_is_refused(db: empower.Database,
                                                               tmp_path: Path) -> None:
    later = (TODAY + timedelta(days=2)).isoformat()
    rows = [data.COOPERATIVES[0], ["COOP-9", "Tifawin", "", "", "argan", "04.441", "", later, "",
                                   "oui"]]
    r = _only_rejection(import_file(db, "cooperatives", write_csv(tmp_path / "c.csv", rows),
                                    today=TODAY))
    assert (r.column, r.code) == ("founded_on", "date.in_future")


def test_a_grant_request_of_zero_is_refused(db: empower.Database, tmp_path: Path) -> None:
    _load(db, tmp_path, "programs", "beneficiaries", "cooperatives", "enrollments")
    rows = [data.GRANTS[0], ["G-0", "AWAL", "AB100001", "", "", "0,00", "", "2024-03-01", "", "",
                             ""]]
    r = _only_rejection(import_file(db, "grants", write_csv(tmp_path / "g.csv", rows),
                                    today=TODAY))
    assert (r.column, r.code) == ("amount_requested", "grant.requested_zero")


def test_an_application_before_the_program_starts_is_refused(db: empower.Database,
                                                             tmp_path: Path) -> None:
    _load(db, tmp_path, "programs", "beneficiaries")
    # TIRSAL starts on 2024-06-01.
    rows = [data.ENROLLMENTS[0], ["AB100002", "TIRSAL", "2024-05-31", "", "", "", ""]]
    r = _only_rejection(import_file(db, "enrollments", write_csv(tmp_path / "e.csv", rows),
                                    today=TODAY))
    assert (r.column, r.code) == ("applied_on", "date.before_program_start")
    assert "TIRSAL" in r.reason and "2024-06-01" in r.reason


def test_the_reason_is_said_in_the_import_language(db: empower.Database,
                                                   tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [HEADER, _row("1980")])
    r = _only_rejection(import_file(db, "beneficiaries", path, today=TODAY, lang="fr"))
    assert r.reason.startswith("« 1980 » est un nombre écrit en texte")
