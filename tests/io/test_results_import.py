"""Importing a logframe and partner contributions: indicators, targets, contributions, each
re-imported unchanged, rejected rows naming line, column and value, templates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

import empower
from empower.io.importing import import_file
from empower.models import Contribution, Indicator, Target
from empower.schemas import AgreementCreate, PartnerCreate
from tests.factories import ACTOR, make_program
from tests.io.helpers import cli, write_csv, write_xlsx

TODAY = date(2026, 10, 1)

INDICATORS = [
    ["Code", "Libellé", "Nom arabe", "Unité", "Sens", "Source", "Agrégation"],
    ["IND-1", "Inscriptions actives", "التسجيلات النشطة", "femmes", "hausse",
     "active_enrollments", ""],
    ["IND-2", "Coopératives certifiées ONSSA", "", "coopératives", "", "manual", "flux"],
    ["IND-3", "Sans source", "", "", "", "manual", ""],
]
TARGETS = [
    ["Indicateur", "Programme", "Partenaire", "Région", "Période", "Cible",
     "Situation de référence"],
    ["IND-1", "AWAL", "", "", "2026", "1200", "300"],
    ["IND-1", "AWAL", "", "04", "2026-Q3", "150", ""],
    ["IND-2", "AWAL", "amal", "", "2026-Q3", "4", ""],
    ["IND-1", "AWAL", "", "", "2023", "10", ""],
    ["IND-9", "AWAL", "", "", "2026", "10", ""],
]
CONTRIBUTIONS = [
    ["Référence", "Programme", "Partenaire", "Nature", "Montant", "Date de réception"],
    ["VIR-001", "AWAL", "Amal", "numéraire", "50 000,00", "15/03/2026"],
    ["NAT-001", "AWAL", "Amal", "en nature", "12500 MAD", "2026-05-02"],
    ["VIR-002", "AWAL", "Nour", "numéraire", "1000", "2026-05-02"],
]


def _setup(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow, start_date=date(2026, 1, 1), end_date=date(2027, 12, 31))
        amal = empower.create_partner(uow, PartnerCreate(name="Amal", kind="association"),
                                      actor=ACTOR)
        empower.sign_agreement(uow, AgreementCreate(
            program_id=program.id, partner_id=amal.id, signed_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31), committed=Decimal("100000")), actor=ACTOR)
        uow.commit()


def test_a_logframe_loads_from_excel_and_reloads_unchanged(db: empower.Database,
                                                           tmp_path: Path) -> None:
    _setup(db)
    indicators = import_file(db, "indicators", write_xlsx(tmp_path / "ind.xlsx", INDICATORS),
                             mode="valid-only", today=TODAY)
    assert (indicators.created, len(indicators.rejections)) == (2, 1)
    (bad,) = indicators.rejections
    assert (bad.line, bad.column) == (4, "Agrégation")
    targets = import_file(db, "targets", write_xlsx(tmp_path / "cibles.xlsx", TARGETS),
                          mode="valid-only", today=TODAY)
    assert targets.created == 3
    assert [(r.line, r.column, r.value) for r in targets.rejections] == [
        (5, "Période", "2023"), (6, "Indicateur", "IND-9")]
    contributions = import_file(db, "contributions",
                                write_csv(tmp_path / "contrib.csv", CONTRIBUTIONS),
                                mode="valid-only", today=TODAY)
    assert contributions.created == 2
    assert [(r.line, r.column) for r in contributions.rejections] == [(4, "Partenaire")]
    with db.unit_of_work(readonly=True) as uow:
        ind = uow.session.scalar(select(Indicator).where(Indicator.code == "IND-2"))
        assert (ind.kpi, str(ind.aggregation), str(ind.direction)) == ("manual", "flow", "higher")
        rows = uow.session.execute(select(Target.period, Target.region_code, Target.value,
                                          Target.baseline).order_by(Target.id)).all()
        assert rows == [("2026", None, 1200, 300), ("2026-Q3", "04", 150, None),
                        ("2026-Q3", None, 4, None)]
        amounts = uow.session.execute(select(Contribution.reference, Contribution.kind,
                                             Contribution.amount_centimes)
                                      .order_by(Contribution.id)).all()
        assert [(r, str(k), a) for r, k, a in amounts] == [("VIR-001", "cash", 5_000_000),
                                                          ("NAT-001", "in_kind", 1_250_000)]
    again = [import_file(db, kind, path, mode="valid-only", today=TODAY) for kind, path in (
        ("indicators", tmp_path / "ind.xlsx"), ("targets", tmp_path / "cibles.xlsx"),
        ("contributions", tmp_path / "contrib.csv"))]
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 2), (0, 0, 3),
                                                                    (0, 0, 2)]


def test_a_corrected_target_updates_and_received_money_is_never_corrected(
        db: empower.Database, tmp_path: Path) -> None:
    _setup(db)
    import_file(db, "indicators", write_xlsx(tmp_path / "i.xlsx", INDICATORS[:3]), today=TODAY)
    import_file(db, "targets", write_csv(tmp_path / "t.csv", TARGETS[:2]), today=TODAY)
    changed = [TARGETS[0], ["IND-1", "AWAL", "", "", "2026", "1500", "300"]]
    report = import_file(db, "targets", write_csv(tmp_path / "t2.csv", changed), today=TODAY)
    assert report.updated == 1
    import_file(db, "contributions", write_csv(tmp_path / "c.csv", CONTRIBUTIONS[:2]),
                today=TODAY)
    moved = [CONTRIBUTIONS[0], ["VIR-001", "AWAL", "Amal", "numéraire", "60000", "15/03/2026"]]
    report = import_file(db, "contributions", write_csv(tmp_path / "c2.csv", moved), today=TODAY)
    (bad,) = report.rejections
    assert (bad.column, bad.code) == ("Montant", "import.contribution_differs")
    assert report.committed is False


def test_templates_for_the_three_kinds(db: empower.Database, tmp_path: Path) -> None:
    for kind, first in (("indicators", "code"), ("targets", "indicator_code"),
                        ("contributions", "reference")):
        path = tmp_path / f"{kind}.xlsx"
        result = cli(db, "import", kind, "--template", str(path))
        assert result.exit_code == 0, result.output
        ws = load_workbook(path).worksheets[0]
        assert ws.cell(row=1, column=1).value == first
