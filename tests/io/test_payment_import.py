"""A program's tranche plan through ``empower import programs``, and back out by export."""

from __future__ import annotations

from pathlib import Path

import empower
from empower.io.exporting import export_kind
from empower.io.importing import import_file
from empower.models import Program


def test_a_tranche_plan_imports_and_exports_back(db: empower.Database, tmp_path: Path) -> None:
    src = tmp_path / "programmes.csv"
    src.write_text("code;nom;date de début;budget;tranches;conditions de tranche;"
                   "paiement au guichet\n"
                   "AWAL;Awal;2024-01-01;1000000;40/40/20;formation achevée/"
                   "visit_since_last_tranche;non\n"
                   "TAMKIN;Tamkin;2024-01-01;500000;50/40;;\n", encoding="utf-8")
    report = import_file(db, "programs", src, mode="valid-only", actor="import:programmes.csv")
    assert report.created == 1 and len(report.rejections) == 1
    assert (report.rejections[0].line, report.rejections[0].column) == (3, "tranches")
    assert report.rejections[0].code == "tranche.shares_invalid"
    with db.unit_of_work(readonly=True) as uow:
        awal = uow.session.query(Program).one()
        assert awal.tranche_shares == ["40", "40", "20"]
        assert awal.tranche_conditions == ["training_completed", "visit_since_last_tranche"]
        assert awal.panel_payments is False
    out = tmp_path / "export.csv"
    export_kind(db, "programs", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "40/40/20" in text and "training_completed/visit_since_last_tranche" in text
    again = import_file(db, "programs", out, actor="import:export.csv")
    assert again.unchanged == 1 and not again.rejections
