"""Exports after an erasure import back; pseudonymised exports hold no quasi-identifiers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

import empower
from empower.io.exporting import export_kind
from empower.io.importing import import_file
from empower.models import Beneficiary
from tests.io.helpers import cli, snapshot, wipe
from tests.io.test_cli_export import KINDS, TODAY, load_all

KEY = "k" * 32


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _erase(db: empower.Database, cin: str) -> None:
    with db.unit_of_work() as uow:
        bid = uow.session.scalar(select(Beneficiary.id).where(Beneficiary.cin == cin))
        assert bid is not None
        empower.erase_beneficiary(uow, bid, actor="test:dpo")
        uow.commit()


def test_an_erased_womans_records_are_left_out_together(db: empower.Database,
                                                        tmp_path: Path) -> None:
    load_all(db, tmp_path)
    # Fatima has a paid grant (two tranches), memberships, enrolments and surveys.
    _erase(db, "AB100001")
    files = {k: tmp_path / f"out-{k}.csv" for k in KINDS}
    exported = {k: export_kind(db, k, files[k]) for k in KINDS}
    assert exported["disbursements"] == 1  # T-3, of the cooperative's grant; not T-1, T-2
    assert {r["reference"] for r in _read(files["disbursements"])} == {"T-3"}
    wipe(db)
    for kind in KINDS:
        report = import_file(db, kind, files[kind], today=TODAY)
        assert report.rejections == [], (kind, report.rejections)
        assert report.created == exported[kind], kind
    assert snapshot(db)["beneficiaries"] == 2


def test_pseudonymised_columns_hold_no_quasi_identifiers(db: empower.Database,
                                                         tmp_path: Path) -> None:
    load_all(db, tmp_path)
    out = tmp_path / "b.csv"
    export_kind(db, "beneficiaries", out, pseudonym_key=KEY, pseudonymize=True)
    rows = _read(out)
    assert list(rows[0]) == [
        "cin", "birth_year", "phone", "province_code", "milieu", "education_level",
        "marital_status", "household_size", "disability", "vulnerability_score",
        "consent_date", "consent_version", "registered_on"]
    fatima = rows[0]
    assert fatima["birth_year"] == "1990" and fatima["province_code"] == "04.441"
    assert fatima["cin"].startswith("P-") and fatima["phone"].startswith("T-")
    text = out.read_text(encoding="utf-8-sig")
    for secret in ("1990-03-04", "Oujda", "Fatima", "AB100001"):
        assert secret not in text
    grants = tmp_path / "g.xlsx"
    export_kind(db, "grants", grants, pseudonym_key=KEY, pseudonymize=True)
    from openpyxl import load_workbook

    wb = load_workbook(grants, read_only=True)
    header = next(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert "purpose" not in header and "cin" in header
    # Without --pseudonymize nothing changes: the full columns, to import back.
    export_kind(db, "beneficiaries", out)
    assert {"birth_date", "commune", "first_name"} <= set(_read(out)[0])


@pytest.mark.parametrize("key", ["s3cret", "x" * 31])
def test_a_short_pseudonym_key_is_refused_in_one_line(db: empower.Database, tmp_path: Path,
                                                      key: str) -> None:
    out = tmp_path / "b.csv"
    result = cli(db, "export", "beneficiaries", str(out), "--pseudonymize",
                 env={"EMPOWER_PSEUDONYM_KEY": key})
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "at least 32" in lines[0] and f"has {len(key)}" in lines[0]
    assert not out.exists()


def test_the_short_key_refusal_has_its_message_code() -> None:
    from empower.errors import InvalidInput
    from empower.messages import describe

    with pytest.raises(InvalidInput) as caught:
        export_kind(None, "beneficiaries", "b.csv", pseudonym_key="short",  # type: ignore[arg-type]
                    pseudonymize=True)
    assert caught.value.code == "export.pseudonym_key_too_short"
    assert caught.value.params == {"length": 5, "min_length": 32}
    assert "au moins 32" in describe(caught.value, "fr")
