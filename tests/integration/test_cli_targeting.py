"""``empower targeting ...`` as an officer runs it: French tables and lines, one-line errors,
her CIN used to find her and never printed back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

import empower
from empower.cli import main
from empower.models import Enrollment
from empower.schemas import EnrollmentCreate, IntakeCreate
from empower.services import targeting
from empower.vocab import EnrollmentStatus
from tests.factories import ACTOR, make_beneficiary, make_program

RULES = [{"field": "age", "op": "between", "value": [18, 45]},
         {"field": "milieu", "op": "=", "value": "rural"},
         {"field": "vulnerability_score", "op": "<", "value": 40}]
WEIGHTS = [{"field": "household_size", "weight": 2}]


@pytest.fixture
def cli_db(db: empower.Database, db_url: str, monkeypatch: pytest.MonkeyPatch) -> empower.Database:
    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)
    return db


def _setup(db: empower.Database, *, applicants: int = 4, open_: bool = False) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        intake = targeting.create_intake(uow, IntakeCreate.model_validate({
            "program_id": program.id, "code": "APPEL-1", "name": "Appel Rabat-Salé 2024",
            "opens_on": date(2024, 2, 1), "closes_on": date(2024, 2, 29), "places": 2,
            "region_codes": ["04"], "rules": RULES, "weights": WEIGHTS,
            "promote_until": date(2024, 4, 30)}), actor=ACTOR)
        make_beneficiary(uow, cin="ZZ900001", milieu="urban", vulnerability_score=10)
        make_beneficiary(uow, cin="ZZ900002", province_code="01.511", vulnerability_score=10)
        if open_:
            targeting.open_intake(uow, intake.id, on=date(2024, 2, 1), actor=ACTOR)
            for i in range(applicants):
                woman = make_beneficiary(uow, cin=f"ZZ80000{i}", household_size=i + 1,
                                         vulnerability_score=30 if i else 55)
                empower.apply(uow, EnrollmentCreate(
                    beneficiary_id=woman.id, program_id=program.id,
                    applied_on=date(2024, 2, 10 + i), intake_id=intake.id), actor=ACTOR)
        uow.commit()


def test_preview_prints_a_table_by_province_and_milieu(
        cli_db: empower.Database, capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_db)
    assert main(["targeting", "preview", "--intake", "APPEL-1", "--on", "2024-02-15"]) == 0
    out = capsys.readouterr().out
    assert "Appel APPEL-1" in out and "brouillon" in out
    for header in ("Province", "Milieu", "Inscrites", "between 18 and 45", "Total"):
        assert header in out
    assert "04.441 Salé" in out and "urbain" in out
    total = next(line for line in out.splitlines() if "Total" in line)
    assert total.split("│")[3].strip() == "2"  # two registered women
    assert total.split("│")[-2].strip() == "0"  # none passes all (and the zone)


def test_the_steps_select_and_promote(cli_db: empower.Database,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_db, open_=True)
    assert main(["targeting", "open", "--intake", "APPEL-1", "--on", "2024-02-01"]) == 1
    assert "error:" in capsys.readouterr().err
    assert main(["targeting", "close", "--intake", "APPEL-1", "--on", "2024-03-01",
                 "--actor", "user:amal"]) == 0
    assert "clôturé le 2024-03-01" in capsys.readouterr().out
    assert main(["targeting", "select", "--intake", "APPEL-1", "--on", "2024-03-05"]) == 0
    out = capsys.readouterr().out
    assert "2 sélectionnées, 1 sur liste d'attente, 0 écartées" in out
    assert "Classement" in out and "sur liste d'attente" in out
    assert "ZZ8" not in out
    with cli_db.unit_of_work() as uow:
        first = uow.session.scalars(select(Enrollment).where(Enrollment.rank == 1)).one()
        empower.exit_enrollment(uow, first.id, on=date(2024, 3, 20), reason="dropped_out",
                                actor=ACTOR)
        uow.commit()
    assert main(["targeting", "promote", "--intake", "APPEL-1", "--on", "2024-03-21"]) == 0
    assert "1 promue(s)" in capsys.readouterr().out
    assert main(["targeting", "promote", "--intake", "APPEL-1", "--on", "2024-03-22"]) == 0
    assert "aucune place" in capsys.readouterr().out


def test_explain_says_each_rule_without_her_cin(cli_db: empower.Database,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_db, open_=True)
    assert main(["targeting", "explain", "--intake", "APPEL-1", "--cin", "zz800000"]) == 0
    out = capsys.readouterr().out
    assert "ZZ800000" not in out and "zz800000" not in out
    assert "candidature refusée" in out and "vulnerability_score < 40" in out
    assert "non satisfaite" in out and "Éligible : non" in out
    assert main(["targeting", "explain", "--intake", "APPEL-1", "--cin", "ZZ900001"]) == 0
    out = capsys.readouterr().out
    assert "pas de candidature" in out and "milieu = rural" in out


def test_override_with_a_reason(cli_db: empower.Database,
                                capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_db, open_=True)
    assert main(["targeting", "override", "--intake", "APPEL-1", "--cin", "ZZ800000",
                 "--reason", "score RSU révisé à 35 en commission"]) == 0
    assert "refus de l'inscription" in capsys.readouterr().out
    with cli_db.unit_of_work(readonly=True) as uow:
        e = uow.session.scalars(select(Enrollment).where(
            Enrollment.override_reason.is_not(None))).one()
        assert e.status == EnrollmentStatus.APPLIED and e.overridden_by.startswith("user:")
    assert main(["targeting", "explain", "--intake", "APPEL-1", "--cin", "ZZ800000"]) == 0
    assert "Dérogation : score RSU révisé" in capsys.readouterr().out
    # not applied: one line, no traceback
    assert main(["targeting", "override", "--intake", "APPEL-1", "--cin", "ZZ900001",
                 "--reason", "x"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has not applied to intake APPEL-1" in err


def test_errors_are_one_line(cli_db: empower.Database,
                             capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_db)
    assert main(["targeting", "preview", "--intake", "NOPE"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "error: intake 'NOPE' does not exist"
    assert main(["targeting", "select", "--intake", "APPEL-1", "--on", "2024-03-05"]) == 1
    assert "Traceback" not in capsys.readouterr().err
    assert main(["targeting", "select", "--intake", "APPEL-1", "--on", "05/03/2024"]) == 2
    assert "05/03/2024" in capsys.readouterr().err
    assert main(["targeting", "explain", "--intake", "APPEL-1", "--cin", "QQ1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")


def test_help_lists_the_commands(cli_db: empower.Database,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["targeting", "--help"]) == 0
    out = capsys.readouterr().out
    for command in ("preview", "open", "close", "select", "promote", "explain", "override"):
        assert command in out
