"""Reading: separators, encodings, XLSX cell types, KoboToolbox exports, header spellings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import empower
from empower.io.importing import import_file
from empower.io.importing.cells import clean
from empower.io.importing.columns import kind_spec
from empower.io.reading import open_table
from empower.models import Beneficiary, SurveyRecord
from tests.io import fixtures_data as data
from tests.io.helpers import write_csv, write_xlsx

TODAY = date(2025, 1, 15)
FR_HEADER = ["N° CIN", "Prénom", "NOM", "Prénom (arabe)", "Nom arabe", "Date de naissance",
             "Téléphone", "Province", "Milieu", "  Situation   familiale ", "Handicap",
             "Date du consentement", "Date d'inscription"]
FR_ROW = ["  ab100001 ", "Fatima", "Benali", "فاطمة", "بنعلي", "04/03/1990", "06 12 34 56 78",
          "Tétouan", "Urbain", "Mariée", "Oui", "10/01/2024", "10/01/2024"]


def _person(db: empower.Database, cin: str = "AB100001") -> Beneficiary:
    with db.unit_of_work(readonly=True) as uow:
        return uow.session.scalar(select(Beneficiary).where(Beneficiary.cin == cin))


@pytest.mark.parametrize("encoding, delimiter", [
    ("utf-8", ","), ("utf-8-sig", ";"), ("cp1256", ";"), ("utf-8", "\t"), ("utf-16", "\t")])
def test_encodings_and_separators(db: empower.Database, tmp_path: Path, encoding: str,
                                  delimiter: str) -> None:
    path = write_csv(tmp_path / "b.csv", [FR_HEADER, FR_ROW], delimiter=delimiter,
                     encoding=encoding)
    report = import_file(db, "beneficiaries", path, today=TODAY)
    assert report.rejections == [] and report.created == 1
    person = _person(db)
    assert (person.first_name, person.last_name) == ("Fatima", "Benali")
    assert (person.first_name_ar, person.last_name_ar) == ("فاطمة", "بنعلي")
    assert person.birth_date == date(1990, 3, 4) and person.phone == "+212612345678"
    assert person.province_code == "01.571" and person.milieu.value == "urban"
    assert person.marital_status.value == "married" and person.disability is True


def test_windows_1252_french_file(db: empower.Database, tmp_path: Path) -> None:
    header = ["CIN", "Prénom", "Nom", "Date de naissance", "Province", "Commune",
              "Date du consentement", "Date d'inscription"]
    row = ["AB100001", "Hélène", "Benaïssa", "1990-03-04", "Fès", "Médina", "2024-01-10",
           "2024-01-10"]
    path = write_csv(tmp_path / "b.csv", [header, row], delimiter=";", encoding="cp1252")
    with open_table(path) as table:
        assert table.encoding == "cp1252" and table.delimiter == ";"
    report = import_file(db, "beneficiaries", path, today=TODAY)
    assert report.rejections == [], report.rejections
    person = _person(db)
    assert (person.first_name, person.last_name, person.commune) == ("Hélène", "Benaïssa",
                                                                      "Médina")


def test_arabic_windows_1256_is_detected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [FR_HEADER, FR_ROW] * 3, delimiter=";",
                     encoding="cp1256")
    with open_table(path) as table:
        assert table.encoding == "cp1256"
        assert list(table.rows)[0][1][3] == "فاطمة"


def test_xlsx_cell_types_and_excel_serial_dates(db: empower.Database, tmp_path: Path) -> None:
    header = ["cin", "first_name", "birth_date", "phone", "province_code", "household_size",
              "disability", "vulnerability_score", "consent_date", "registered_on"]
    rows = [header,
            ["AB100001", "Fatima", datetime(1990, 3, 4), 612345678, 4.441, 5.0, True, 42.5,
             45301, "10/01/2024"],
            ["AB100002", "Khadija", 32874, "0661234567", "04.441", 3, 0, "", "2024-01-10", None]]
    report = import_file(db, "beneficiaries", write_xlsx(tmp_path / "b.xlsx", rows), today=TODAY)
    assert report.rejections == [], report.rejections
    fatima = _person(db)
    assert fatima.birth_date == date(1990, 3, 4) and fatima.phone == "+212612345678"
    assert fatima.province_code == "04.441" and fatima.household_size == 5
    assert fatima.consent_date == date(2024, 1, 10) and fatima.disability is True
    khadija = _person(db, "AB100002")
    assert khadija.birth_date == date(1990, 1, 1) and khadija.registered_on == TODAY
    assert khadija.disability is False


def test_kobotoolbox_export(db: empower.Database, tmp_path: Path) -> None:
    for kind in ("programs", "beneficiaries", "cooperatives", "memberships", "enrollments"):
        import_file(db, kind, write_csv(tmp_path / f"{kind}.csv", data.ALL[kind]), today=TODAY)
    header = ["start", "end", "today", "deviceid", "identification/cin",
              "identification/program_code", "enquete/round", "enquete/surveyed_on",
              "revenus/monthly_income", "revenus/has_savings", "revenus/has_account",
              "revenus/jobs_created", "meta/instanceID", "_id", "_uuid", "_submission_time",
              "_validation_status", "_index", "_notes", "_tags"]
    row = ["2024-08-01T09:00:00.000+01:00", "2024-08-01T09:30:00.000+01:00", "2024-08-01",
           "collect:abc", "AB100002", "AWAL", "Ligne de base", "2024-02-02", "1200", "Oui",
           "Non", 1, "uuid:1234", 77, "1234", "2024-08-01T10:00:00", "", 1, "", ""]
    report = import_file(db, "surveys", write_xlsx(tmp_path / "kobo.xlsx", [header, row]),
                         today=TODAY)
    assert report.rejections == [], report.rejections
    assert report.created == 1 and report.ignored_columns == []
    with db.unit_of_work(readonly=True) as uow:
        survey = uow.session.scalar(select(SurveyRecord))
        assert survey.round.value == "baseline" and survey.monthly_income_centimes == 120000
        assert survey.has_savings is True and survey.has_account is False


def test_unknown_columns_are_named_and_ignored(db: empower.Database, tmp_path: Path) -> None:
    rows = [data.PROGRAMS[0] + ["Remarques"], data.PROGRAMS[1] + ["à revoir"]]
    report = import_file(db, "programs", write_csv(tmp_path / "p.csv", rows), today=TODAY)
    assert report.created == 1 and report.ignored_columns == ["Remarques"]


@pytest.mark.parametrize("raw, expected", [
    ("  x  ", "x"), ("", None), ("   ", None), ("'=SUM(A1)", "=SUM(A1)"), ("'abc", "'abc"),
    (3.0, 3), (3.5, 3.5), (None, None)])
def test_clean(raw: object, expected: object) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize("text, amount", [
    ("12 500,50", "12500.50"), ("12500 MAD", "12500.00"), ("12.500,50", "12500.50"),
    ("1,234.5", "1234.50"), (12500.5, "12500.50"), (100, "100.00")])
def test_amounts(text: object, amount: str) -> None:
    col = kind_spec("programs").by_name["budget"]
    assert str(col.parse(clean(text), "budget")) == amount


@pytest.mark.parametrize("text", ["yes", "Oui", "TRUE", "1", "نعم", " vrai "])
def test_true_values(text: str) -> None:
    assert kind_spec("beneficiaries").by_name["disability"].parse(clean(text), "disability")


@pytest.mark.parametrize("text", ["no", "NON", "false", "0", "لا", "Faux"])
def test_false_values(text: str) -> None:
    assert not kind_spec("beneficiaries").by_name["disability"].parse(clean(text), "disability")


@pytest.mark.parametrize("text, code", [
    ("04.441", "04.441"), ("Tétouan", "01.571"), ("tetouan", "01.571"), ("تطوان", "01.571"),
    ("  TÉTOUAN ", "01.571")])
def test_provinces(text: str, code: str) -> None:
    assert kind_spec("beneficiaries").by_name["province_code"].parse(clean(text), "p") == code


def test_large_files_report_progress(db: empower.Database, tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from empower.io.cli import _ProgressBar

    header = ["cin", "first_name", "birth_date", "province_code", "commune", "consent_date"]
    # Distinct birth dates: identical people would all be duplicate candidates of each other.
    rows = [header] + [[f"AB{100000 + i}", "Fatima", (date(1960, 1, 1) + timedelta(days=i))
                        .isoformat(), "04.441", "x" * 90, "2024-01-01"] for i in range(6000)]
    path = write_csv(tmp_path / "big.csv", rows)
    calls: list[tuple[int, int | None]] = []
    report = import_file(db, "beneficiaries", path, mode="dry-run", today=TODAY,
                         progress=lambda done, total: calls.append((done, total)))
    assert report.created == 6000
    size = path.stat().st_size
    assert len(calls) >= 3 and calls[-1] == (size, size)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    small: list[object] = []
    import_file(db, "programs", write_csv(tmp_path / "p.csv", data.PROGRAMS), mode="dry-run",
                progress=lambda *a: small.append(a))
    assert small == []
    screen = io.StringIO()
    bar = _ProgressBar(Console(file=screen, force_terminal=True, width=80), "importing big.csv")
    for done, total in calls:
        bar(done, total)
    bar.stop()
    assert "importing big.csv" in screen.getvalue()
