"""Her subject file (law 09-08, right of access): every table that names her is in it, nothing
about anyone else is, and the command writes it as JSON or as a PDF in French or Arabic."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

import empower
from empower.models import Base, DuplicateCandidate, Grievance
from empower.schemas import (
    BatchCreate,
    CooperativeCreate,
    DisbursementCreate,
    MembershipCreate,
    SurveyCreate,
    VisitCreate,
)
from empower.subject_file import SECTIONS, subject_file
from empower.vocab import DuplicateRule, GrievanceStatus
from tests.factories import (
    ACTOR,
    make_activity,
    make_grievance,
    make_payable,
    make_program,
    make_session,
)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    import empower.services._common as common

    monkeypatch.setattr(common, "today", lambda: date(2026, 12, 31))


def _life(uow: empower.UnitOfWork, program, coop_id: int, activity, n: int, **person):  # type: ignore[no-untyped-def]
    """A woman with a record in every table that can name her."""
    grant = make_payable(uow, program, **person)
    woman = grant.beneficiary
    empower.disburse(
        uow,
        DisbursementCreate(grant_id=grant.id, amount="1000", paid_on=date(2024, 3, 20), channel="cash"),
        actor=ACTOR,
    )
    empower.admit_member(
        uow,
        MembershipCreate(cooperative_id=coop_id, beneficiary_id=woman.id, joined_on=date(2024, 2, 2)),
        actor=ACTOR,
    )
    session = make_session(uow, activity, date(2024, 2, 10 + n))
    empower.record_roster(uow, session.id, [{"beneficiary_id": woman.id, "status": "present"}], actor=ACTOR)
    empower.record_visit(
        uow,
        VisitCreate(
            reference=f"V-{n}",
            program_id=program.id,
            beneficiary_id=woman.id,
            visited_on=date(2024, 3, 1),
            kind="phone",
            note=f"Projet de couture {n}",
        ),
        actor=ACTOR,
    )
    empower.record_survey(
        uow,
        SurveyCreate(
            beneficiary_id=woman.id,
            program_id=program.id,
            round="baseline",
            surveyed_on=date(2024, 2, 1),
            monthly_income="800",
        ),
        actor=ACTOR,
    )
    case = make_grievance(uow, beneficiary_id=woman.id, province_code=None, description=f"Plainte numéro {n}")
    empower.add_grievance_note(uow, case.id, f"Témoin entendu {n}", on=date(2026, 12, 5), actor=ACTOR)
    empower.archive_beneficiary(uow, woman.id, on=date(2026, 1, 1), actor=ACTOR)
    empower.restore_beneficiary(uow, woman.id, on=date(2026, 2, 1), actor=ACTOR)
    return woman, grant


def _two_women(uow: empower.UnitOfWork):  # type: ignore[no-untyped-def]
    program = make_program(uow)
    coop_id = empower.found_cooperative(
        uow,
        CooperativeCreate(
            reference="C1",
            name="Tifawin",
            sector="argan",
            province_code="04.441",
            founded_on=date(2023, 1, 1),
        ),
        actor=ACTOR,
    ).id
    activity = make_activity(uow, program)
    her, grant = _life(
        uow,
        program,
        coop_id,
        activity,
        1,
        cin="ZZ111111",
        first_name="Hasna",
        last_name="Ouali",
        phone="0611111111",
        first_name_ar="حسناء",
        last_name_ar="والي",
    )
    other, _ = _life(
        uow,
        program,
        coop_id,
        activity,
        2,
        cin="YY222222",
        first_name="Rkia",
        last_name="Zemmouri",
        phone="0622222222",
        first_name_ar="رقية",
        last_name_ar="زموري",
    )
    low, high = sorted((her.id, other.id))
    uow.session.add(
        DuplicateCandidate(
            beneficiary_id=low,
            other_beneficiary_id=high,
            rule=DuplicateRule(next(iter(DuplicateRule))),
            score=93.0,
            note="Rkia Zemmouri ou Hasna Ouali ?",
        )
    )
    built = empower.build_batch(
        uow,
        BatchCreate(program_id=program.id, channel="bank_transfer", planned_on=date(2024, 4, 1)),
        actor="user:k",
    )
    assert built.batch is not None and built.batch.instructions
    uow.commit()
    return her, other


def test_the_file_holds_every_table_that_names_her_and_nobody_else(uow: empower.UnitOfWork) -> None:
    her, other = _two_women(uow)
    content = subject_file(uow, her.id)
    sections = content["sections"]
    assert list(sections) == list(SECTIONS)
    # Every table with a reference to a woman is a section, and holds her rows.
    naming = {
        t.name
        for t in Base.metadata.sorted_tables
        for fk in t.foreign_keys
        if fk.column.table.name == "beneficiaries"
    }
    assert naming <= set(SECTIONS.values()), naming - set(SECTIONS.values())
    for name, table in SECTIONS.items():
        assert sections[name], f"{name} ({table}) is empty"
    for name in (
        "enrollments",
        "memberships",
        "attendances",
        "coaching_visits",
        "grants",
        "surveys",
        "grievances",
        "archive_periods",
    ):
        assert {r["beneficiary_id"] for r in sections[name]} == {her.id}, name
    assert sections["registration"][0]["cin"] == "ZZ111111"
    assert {r["grant_id"] for r in sections["payment_instructions"]} == {r["id"] for r in sections["grants"]}
    assert {r["entity"] for r in sections["audit_history"]} >= {
        "beneficiary",
        "grant",
        "enrollment",
        "grievance",
    }
    text = json.dumps(content, ensure_ascii=False)
    for theirs in (
        "YY222222",
        "Rkia",
        "Zemmouri",
        "رقية",
        "622222222",
        "Plainte numéro 2",
        "Témoin entendu",
        "couture 2",
    ):
        assert theirs not in text, theirs
    assert "Plainte numéro 1" in text and "couture 1" in text
    assert f'"beneficiary_id": {other.id},' not in text


def test_the_command_writes_json_and_pdf_and_fulfils_the_request(
    db: empower.Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from empower.cli import main

    with db.unit_of_work() as uow:
        her, _other = _two_women(uow)
        case = make_grievance(uow, beneficiary_id=her.id, category="data_protection", request_kind="access")
        empower.acknowledge_grievance(uow, case.id, on=date(2026, 12, 7), actor=ACTOR)
        empower.start_review(uow, case.id, on=date(2026, 12, 7), actor=ACTOR)
        reference = case.reference
        uow.commit()
    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)
    out = tmp_path / "dossier.json"
    assert (
        main(["privacy", "subject-file", "--cin", "zz111111", "--out", str(out), "--grievance", reference])
        == 0
    )
    assert json.loads(out.read_text(encoding="utf-8"))["sections"]["registration"][0]["cin"] == "ZZ111111"
    with db.unit_of_work() as uow:
        done = uow.session.scalar(select(Grievance).where(Grievance.reference == reference))
        assert done is not None and done.status == GrievanceStatus.RESOLVED
        assert done.fulfilment == "subject_file"
    for lang in ("fr", "ar"):
        pdf = tmp_path / f"dossier-{lang}.pdf"
        assert main(["privacy", "subject-file", "--cin", "ZZ111111", "--out", str(pdf), "--lang", lang]) == 0
        assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["privacy", "subject-file", "--cin", "ZZ111111", "--out", str(tmp_path / "x.txt")]) != 0
    assert main(["privacy", "subject-file", "--cin", "QQ999999", "--out", str(out)]) != 0


def test_the_arabic_page_is_right_to_left(uow: empower.UnitOfWork) -> None:
    from empower.reports.subject_file import render_subject_html

    her, _ = _two_women(uow)
    page = render_subject_html(subject_file(uow, her.id), lang="ar")
    assert 'dir="rtl"' in page and "ملف الشخص المعني" in page
