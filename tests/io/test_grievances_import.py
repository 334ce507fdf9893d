"""``empower import grievances``: a hotline's spreadsheet with French headers and labels, the
rows a complaint needs, re-imports unchanged, a differing row refused without echoing what she
said, the template, and the audit log that keeps no description."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

import empower
from empower.io.importing import import_file
from empower.models import AuditEvent, Grievance
from empower.vocab import GrievanceChannel, GrievanceStatus, Sensitivity
from tests.factories import make_beneficiary, make_program
from tests.io.helpers import write_csv, write_xlsx

TODAY = date(2026, 12, 10)
HEADER = [
    "N° de plainte",
    "Date de réception",
    "Canal",
    "Catégorie",
    "Type de demande",
    "CIN",
    "Province",
    "Programme",
    "Description",
]


def _setup(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        make_program(uow)
        make_beneficiary(uow, cin="AB900001")
        uow.commit()


def _rows() -> list[list[str]]:
    return [
        HEADER,
        [
            "HL-001",
            "04/12/2026",
            "Téléphone",
            "Paiement",
            "",
            "AB900001",
            "",
            "AWAL",
            "Tranche non reçue, son frère dit que l'agence a refusé",
        ],
        [
            "HL-002",
            "2026-12-05",
            "WhatsApp",
            "EAS",
            "",
            "",
            "Rabat",
            "",
            "Un animateur a demandé des faveurs",
        ],
        ["HL-003", "07/12/2026", "Courrier", "Données personnelles", "Accès", "AB900001", "", "", ""],
        ["HL-004", "07/12/2026", "Pigeon", "Paiement", "", "", "04.441", "", ""],
        ["HL-005", "07/12/2026", "Téléphone", "Formation", "", "", "", "", ""],
        ["HL-006", "07/12/2026", "Téléphone", "Données personnelles", "", "AB900001", "", "", ""],
    ]


def test_a_hotline_sheet_imports_and_again_unchanged(db: empower.Database, tmp_path: Path) -> None:
    _setup(db)
    path = write_csv(tmp_path / "hotline.csv", _rows())
    report = import_file(db, "grievances", path, mode="valid-only", today=TODAY)
    assert report.created == 3
    refused = {r.line: (r.column, r.code) for r in report.rejections}
    # Each refusal names the file's own header.
    assert refused == {
        5: ("Canal", "choice.invalid"),
        6: ("Province", "grievance.province_required"),
        7: ("Type de demande", "grievance.request_kind_required"),
    }
    with db.unit_of_work(readonly=True) as uow:
        cases = {c.reference: c for c in uow.session.scalars(select(Grievance))}
        assert cases["HL-001"].province_code == "04.441"  # hers
        assert cases["HL-001"].channel == GrievanceChannel.PHONE
        assert cases["HL-002"].sensitivity == Sensitivity.CONFIDENTIAL
        assert cases["HL-003"].request_kind == "access"
        assert all(c.status == GrievanceStatus.RECEIVED for c in cases.values())
        logged = " ".join(
            str(c)
            for c in uow.session.scalars(select(AuditEvent.changes).where(AuditEvent.entity == "grievance"))
        )
        assert "frère" not in logged and "faveurs" not in logged
    again = import_file(db, "grievances", path, mode="valid-only", today=TODAY)
    assert again.unchanged == 3 and again.created == 0


def test_a_differing_row_is_refused_without_echoing_the_description(
    db: empower.Database, tmp_path: Path
) -> None:
    _setup(db)
    rows = _rows()[:2]
    import_file(db, "grievances", write_xlsx(tmp_path / "a.xlsx", rows), today=TODAY)
    rows[1][-1] = "Autre version très personnelle"
    report = import_file(db, "grievances", write_xlsx(tmp_path / "b.xlsx", rows), today=TODAY)
    assert report.exit_code == 1
    (rejection,) = report.rejections
    assert rejection.code == "import.grievance_differs"
    assert "personnelle" not in rejection.reason


def test_the_grievances_template_lists_the_columns(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from empower.io.template import write_template

    write_template("grievances", tmp_path / "plaintes.xlsx")
    book = load_workbook(tmp_path / "plaintes.xlsx")
    assert [c.value for c in book["grievances"][1]][:3] == ["reference", "received_on", "channel"]
    notes = " ".join(str(c.value) for row in book["notes"].iter_rows() for c in row)
    assert "sexual_exploitation_abuse" in notes
