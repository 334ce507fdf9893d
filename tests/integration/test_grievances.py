"""The grievance mechanism on SQLite and PostgreSQL: a case from receipt to closing, appeals,
the confidential channel, data-protection requests fulfilled by erasure and by the subject
file, and the audit log that never keeps what the women said."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

import empower
from empower.errors import InvalidInput, InvalidTransition, NotFound, RuleViolation
from empower.grievances import Viewer, visible_sql
from empower.models import AuditEvent, Beneficiary, Grievance, GrievanceStep
from empower.services.grievances import grievance_by_reference, load_grievance
from empower.vocab import GrievanceStatus, GrievanceStepKind, Sensitivity
from tests.factories import ACTOR, make_beneficiary, make_grievance, make_program

ON = date(2026, 12, 4)  # a Friday
LATER = date(2026, 12, 9)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    # The acts are dated in December 2026: "today" is after them whatever the clock says.
    import empower.services._common as common

    monkeypatch.setattr(common, "today", lambda: date(2026, 12, 31))


def test_a_case_from_receipt_to_closing(uow: empower.UnitOfWork) -> None:
    person = make_beneficiary(uow)
    program = make_program(uow)
    case = make_grievance(uow, beneficiary_id=person.id, program_id=program.id, province_code=None)
    assert case.reference == "PLA-2026-00001"
    assert case.province_code == person.province_code
    assert case.status == GrievanceStatus.RECEIVED
    assert case.acknowledge_due_on == date(2026, 12, 8)  # two working days after a Friday
    assert case.due_on == date(2026, 12, 25)  # fifteen
    cid = case.id
    empower.acknowledge_grievance(uow, cid, on=date(2026, 12, 7), actor=ACTOR)
    empower.assign_grievance(
        uow, cid, "user:samira", on=date(2026, 12, 7), actor=ACTOR, note="Voir avec la banque"
    )
    empower.start_review(uow, cid, on=date(2026, 12, 7), actor=ACTOR)
    empower.add_grievance_note(uow, cid, "La banque confirme un rejet du RIB.", on=LATER, actor="user:samira")
    with pytest.raises(RuleViolation) as early:
        empower.tell_complainant(uow, cid, on=LATER, actor=ACTOR)
    assert early.value.code == "grievance.not_answered"
    empower.resolve_grievance(uow, cid, "RIB corrigé, tranche renvoyée.", on=LATER, actor=ACTOR)
    with pytest.raises(RuleViolation) as untold:
        empower.close_grievance(uow, cid, on=LATER, actor=ACTOR)
    assert untold.value.code == "grievance.close_unanswered"
    empower.tell_complainant(uow, cid, on=LATER, satisfied=True, actor=ACTOR)
    closed = empower.close_grievance(uow, cid, on=LATER, actor=ACTOR)
    uow.commit()
    assert closed.status == GrievanceStatus.CLOSED and closed.closed_on == LATER
    assert closed.assigned_to == "user:samira" and closed.satisfied is True
    kinds = [s.kind for s in closed.steps]
    assert kinds == [
        GrievanceStepKind.RECEIVE,
        GrievanceStepKind.ACKNOWLEDGE,
        GrievanceStepKind.ASSIGN,
        GrievanceStepKind.REVIEW,
        GrievanceStepKind.NOTE,
        GrievanceStepKind.RESOLVE,
        GrievanceStepKind.TELL,
        GrievanceStepKind.CLOSE,
    ]
    actions = list(
        uow.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "grievance", AuditEvent.entity_id == cid)
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["receive", "acknowledge", "assign", "review", "note", "resolve", "tell", "close"]


def test_the_audit_log_keeps_no_description_answer_or_note(uow: empower.UnitOfWork) -> None:
    case = make_grievance(uow, description="Mon mari garde l'argent, appelez le 0612345678")
    empower.acknowledge_grievance(uow, case.id, on=ON, actor=ACTOR)
    empower.start_review(uow, case.id, on=ON, actor=ACTOR)
    empower.add_grievance_note(uow, case.id, "Entretien avec Mme Alaoui", on=ON, actor=ACTOR)
    empower.resolve_grievance(uow, case.id, "Virement sur son compte à elle", on=ON, actor=ACTOR)
    uow.commit()
    logged = " ".join(
        str(c)
        for c in uow.session.scalars(select(AuditEvent.changes).where(AuditEvent.entity == "grievance"))
    )
    for said in ("mari", "0612345678", "Alaoui", "Virement"):
        assert said not in logged
    assert "[redacted]" in logged


def test_an_appeal_reopens_a_case_once(uow: empower.UnitOfWork) -> None:
    cid = make_grievance(uow).id
    empower.acknowledge_grievance(uow, cid, on=ON, actor=ACTOR)
    empower.start_review(uow, cid, on=ON, actor=ACTOR)
    empower.declare_unfounded(uow, cid, "La tranche a été payée le 2 décembre.", on=ON, actor=ACTOR)
    empower.tell_complainant(uow, cid, on=ON, satisfied=False, actor=ACTOR)
    empower.close_grievance(uow, cid, on=ON, actor=ACTOR)
    case = empower.appeal_grievance(uow, cid, on=LATER, reason="Elle conteste", actor=ACTOR)
    assert case.status == GrievanceStatus.APPEALED and case.closed_on is None
    assert case.complainant_told_on is None and case.due_on > LATER
    empower.start_review(uow, cid, on=LATER, actor=ACTOR)
    empower.resolve_grievance(uow, cid, "Paiement retrouvé chez Barid Cash.", on=LATER, actor=ACTOR)
    empower.tell_complainant(uow, cid, on=LATER, actor=ACTOR)
    empower.close_grievance(uow, cid, on=LATER, actor=ACTOR)
    with pytest.raises(RuleViolation) as twice:
        empower.appeal_grievance(uow, cid, on=LATER, actor=ACTOR)
    assert twice.value.code == "grievance.appeal_once"
    with pytest.raises(InvalidTransition):
        empower.start_review(uow, cid, on=LATER, actor=ACTOR)


def test_what_a_case_needs_when_received(uow: empower.UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as no_province:
        make_grievance(uow, province_code=None)
    assert no_province.value.code == "grievance.province_required"
    with pytest.raises(InvalidInput) as no_kind:
        make_grievance(uow, category="data_protection")
    assert no_kind.value.code == "grievance.request_kind_required"
    with pytest.raises(InvalidInput) as kind_elsewhere:
        make_grievance(uow, request_kind="access")
    assert kind_elsewhere.value.code == "grievance.request_kind_not_data"
    with pytest.raises(InvalidInput) as whose:
        make_grievance(uow, category="data_protection", request_kind="erasure")
    assert whose.value.code == "grievance.request_needs_beneficiary"
    with pytest.raises(NotFound):
        make_grievance(uow, grant_id=999)
    case = make_grievance(uow, category="sexual_exploitation_abuse", sensitivity="standard")
    assert case.sensitivity == Sensitivity.CONFIDENTIAL
    # Anonymous: no woman, the province says whose it is; French labels are read.
    anonymous = make_grievance(uow, channel="courrier", category="formation")
    assert anonymous.beneficiary_id is None and anonymous.channel == "letter"


def test_the_confidential_channel(uow: empower.UnitOfWork) -> None:
    hidden = make_grievance(uow, category="conduct").id
    elsewhere = make_grievance(uow, category="conduct", province_code="01.511").id
    plain = make_grievance(uow).id
    uow.commit()
    officer = Viewer("officer", regions=frozenset({"04"}))
    focal = Viewer("officer", focal_point=True, regions=frozenset({"04"}))
    admin = Viewer("admin")
    with pytest.raises(NotFound):
        load_grievance(uow, hidden, officer)
    with pytest.raises(NotFound):
        load_grievance(uow, elsewhere, focal)
    with pytest.raises(NotFound):
        grievance_by_reference(uow, "PLA-2026-00001", officer)
    assert load_grievance(uow, hidden, focal).id == hidden
    assert load_grievance(uow, plain, officer).id == plain
    assert load_grievance(uow, hidden, admin).id == hidden  # she sees that it exists
    with pytest.raises(RuleViolation) as admin_acts:
        empower.acknowledge_grievance(uow, hidden, on=ON, actor="user:admin", viewer=admin)
    assert admin_acts.value.code == "grievance.confidential"
    with pytest.raises(NotFound):
        empower.acknowledge_grievance(uow, hidden, on=ON, actor="user:o", viewer=officer)
    empower.acknowledge_grievance(uow, hidden, on=ON, actor="user:focal", viewer=focal)

    def count(viewer: Viewer) -> int:
        return (
            uow.session.scalar(
                select(func.count()).select_from(Grievance).where(visible_sql(viewer, Grievance))
            )
            or 0
        )

    assert (count(officer), count(focal), count(admin)) == (1, 2, 3)


def test_an_erasure_request_is_resolved_by_the_erasure(uow: empower.UnitOfWork) -> None:
    person = make_beneficiary(uow)
    earlier = make_grievance(
        uow, beneficiary_id=person.id, province_code=None, description="Fatima Benali se plaint de son voisin"
    )
    empower.add_grievance_note(uow, earlier.id, "Vu Fatima à Tiznit", on=ON, actor=ACTOR)
    case = make_grievance(
        uow, beneficiary_id=person.id, province_code=None, category="data_protection", request_kind="erasure"
    )
    cid = case.id
    empower.acknowledge_grievance(uow, cid, on=ON, actor=ACTOR)
    empower.start_review(uow, cid, on=ON, actor=ACTOR)
    with pytest.raises(RuleViolation) as by_hand:
        empower.resolve_grievance(uow, cid, "Effacée", on=ON, actor=ACTOR)
    assert by_hand.value.code == "grievance.not_fulfilled"
    done = empower.fulfil_erasure(uow, cid, on=LATER, actor=ACTOR)
    uow.commit()
    assert done.status == GrievanceStatus.RESOLVED and done.fulfilment == "erasure"
    her = uow.session.get(Beneficiary, person.id)
    assert her is not None and her.erased_on == LATER and her.cin is None
    uow.session.refresh(earlier)
    assert earlier.description is None
    assert all(
        s.note is None
        for s in uow.session.scalars(select(GrievanceStep).where(GrievanceStep.grievance_id == earlier.id))
    )


def test_an_access_request_is_resolved_by_her_file(uow: empower.UnitOfWork) -> None:
    person = make_beneficiary(uow)
    cid = make_grievance(uow, beneficiary_id=person.id, category="data_protection", request_kind="access").id
    with pytest.raises(RuleViolation) as too_soon:
        empower.record_subject_file(uow, cid, on=ON, actor=ACTOR)
    assert too_soon.value.code == "grievance.fulfil_not_under_review"
    empower.acknowledge_grievance(uow, cid, on=ON, actor=ACTOR)
    empower.start_review(uow, cid, on=ON, actor=ACTOR)
    with pytest.raises(RuleViolation) as wrong:
        empower.fulfil_erasure(uow, cid, on=ON, actor=ACTOR)
    assert wrong.value.code == "grievance.wrong_request"
    done = empower.record_subject_file(uow, cid, on=ON, actor=ACTOR)
    assert done.status == GrievanceStatus.RESOLVED and done.fulfilment == "subject_file"
    assert uow.session.get(Beneficiary, person.id).erased_on is None  # type: ignore[union-attr]


def test_a_hidden_case_by_reference_is_no_case_at_all(uow: empower.UnitOfWork) -> None:
    make_grievance(uow, reference="PLA-X", category="conduct")
    with pytest.raises(NotFound) as hidden:
        grievance_by_reference(uow, "PLA-X", Viewer("officer", regions=frozenset({"04"})))
    with pytest.raises(NotFound) as missing:
        grievance_by_reference(uow, "PLA-NONE", Viewer("officer", regions=frozenset({"04"})))
    assert hidden.value.code == missing.value.code == "grievance.unknown"


def test_an_assignment_names_someone(uow: empower.UnitOfWork) -> None:
    cid = make_grievance(uow).id
    with pytest.raises(InvalidInput) as nobody:
        empower.assign_grievance(uow, cid, "  ", on=ON, actor=ACTOR)
    assert nobody.value.code == "grievance.assignee_required"


def test_a_reference_is_taken_once(uow: empower.UnitOfWork) -> None:
    make_grievance(uow, reference="HL-1")
    with pytest.raises(empower.Conflict) as twice:
        make_grievance(uow, reference="HL-1")
    assert twice.value.code == "grievance.reference_taken"
