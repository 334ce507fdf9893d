"""Targeting on SQLite and PostgreSQL: intakes, applications judged by rules, selection with a
waiting list, promotion, overrides, explanations and the preview."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import empower
from empower.errors import InvalidInput, InvalidTransition, RuleViolation
from empower.models import AuditEvent, Enrollment, Intake, Program
from empower.schemas import EnrollmentCreate, IntakeCreate
from empower.services import targeting
from empower.vocab import EnrollmentStatus
from tests.factories import ACTOR, make_beneficiary, make_program

RULES = [{"field": "age", "op": "between", "value": [18, 45]},
         {"field": "milieu", "op": "=", "value": "rural"},
         {"field": "vulnerability_score", "op": "<", "value": 40},
         {"field": "grant_elsewhere", "op": "is false"}]
WEIGHTS = [{"field": "household_size", "weight": 2},
           {"field": "disability", "weight": 5},
           {"field": "marital_status", "weight": 10, "equals": "widowed"}]


def _intake(uow: empower.UnitOfWork, program: Program, **extra: object) -> Intake:
    data = {"program_id": program.id, "code": "APPEL-2024-1", "name": "Appel Rabat-Salé 2024",
            "opens_on": date(2024, 2, 1), "closes_on": date(2024, 2, 29), "places": 2,
            "region_codes": ["04"], "rules": RULES, "weights": WEIGHTS,
            "promote_until": date(2024, 4, 30)}
    data.update(extra)
    intake = targeting.create_intake(uow, IntakeCreate.model_validate(data), actor=ACTOR)
    return targeting.open_intake(uow, intake.id, on=date(2024, 2, 1), actor=ACTOR)


def _applicant(uow: empower.UnitOfWork, program: Program, intake: Intake,
               on: date = date(2024, 2, 10), **person: object) -> Enrollment:
    person.setdefault("vulnerability_score", 30)
    woman = make_beneficiary(uow, **person)
    return empower.apply(uow, EnrollmentCreate(beneficiary_id=woman.id, program_id=program.id,
                                               applied_on=on, intake_id=intake.id), actor=ACTOR)


def test_an_application_records_each_rule_and_refuses_a_failed_one(
        uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    intake = _intake(uow, program)
    ok = _applicant(uow, program, intake, household_size=4)
    urban = _applicant(uow, program, intake, milieu="urban")
    unknown = _applicant(uow, program, intake, vulnerability_score=None)
    assert ok.status == EnrollmentStatus.APPLIED and ok.eligible and ok.score == 8.0
    assert [r["outcome"] for r in ok.rule_results or []] == ["passed"] * 5
    assert ok.rules_version == 1
    assert urban.status == EnrollmentStatus.REJECTED and urban.rejected_on == date(2024, 2, 10)
    failed = [r["rule"] for r in urban.rule_results or [] if r["outcome"] != "passed"]
    assert failed == ["milieu = rural"]
    missing = [r for r in unknown.rule_results or [] if r["outcome"] == "missing"]
    assert [r["field"] for r in missing] == ["vulnerability_score"]
    assert unknown.status == EnrollmentStatus.REJECTED


def test_outside_the_covered_regions_is_refused_by_coverage(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    intake = _intake(uow, program)
    far = _applicant(uow, program, intake, province_code="01.511")  # region 01, not covered
    assert far.rule_results and far.rule_results[0]["field"] == "coverage"
    assert far.rule_results[0]["outcome"] == "failed"


def test_rules_are_checked_when_the_intake_is_made(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    for rules, fragment in [([{"field": "salary", "op": "<", "value": 3}], "unknown field"),
                            ([{"field": "age", "op": "~", "value": 3}], "unknown operator"),
                            ([{"field": "milieu", "op": "<", "value": "rural"}], "does not take"),
                            ([{"field": "age", "op": "between", "value": [45, 18]}], "lowest"),
                            ([{"field": "province", "op": "in", "value": ["99.999"]}],
                             "province")]:
        with pytest.raises(InvalidInput) as caught:
            _intake(uow, program, rules=rules, code=f"X-{len(fragment)}")
        assert fragment in caught.value.message


def test_rules_cannot_change_after_closing_and_a_change_bumps_the_version(
        uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    intake = _intake(uow, program)
    base = {"program_id": program.id, "code": intake.code, "name": intake.name,
            "opens_on": intake.opens_on, "closes_on": intake.closes_on, "places": 3,
            "region_codes": ["04"], "rules": RULES[:2], "weights": WEIGHTS,
            "promote_until": intake.promote_until}
    targeting.update_intake(uow, intake.id, IntakeCreate.model_validate(base), actor=ACTOR)
    assert intake.rules_version == 2 and intake.places == 3
    targeting.close_intake(uow, intake.id, on=date(2024, 3, 1), actor=ACTOR)
    with pytest.raises(RuleViolation) as caught:
        targeting.update_intake(uow, intake.id, IntakeCreate.model_validate(
            {**base, "rules": RULES}), actor=ACTOR)
    assert caught.value.code == "intake.locked"
    with pytest.raises(InvalidTransition):
        _applicant(uow, program, intake, on=date(2024, 2, 20))


def _closed_with(uow: empower.UnitOfWork, n: int, places: int = 2):  # type: ignore[no-untyped-def]
    program = make_program(uow)
    intake = _intake(uow, program, places=places)
    people = [_applicant(uow, program, intake, household_size=size, on=date(2024, 2, 10 + i))
              for i, size in enumerate([3, 6, 1, 6, 2][:n])]
    targeting.close_intake(uow, intake.id, on=date(2024, 3, 1), actor=ACTOR)
    return program, intake, people


def test_selection_ranks_by_score_then_date_and_waitlists_the_rest(
        uow: empower.UnitOfWork) -> None:
    _program, intake, people = _closed_with(uow, 5)
    result = targeting.select_intake(uow, intake.id, on=date(2024, 3, 5), actor="user:amal")
    # scores 6, 12, 2, 12, 4: the two 12s (the earlier application first) are selected
    assert result.selected == [people[1].id, people[3].id]
    assert result.waitlisted == [people[0].id, people[4].id, people[2].id]
    ranks = {e.id: e.rank for e in people}
    assert ranks == {people[1].id: 1, people[3].id: 2, people[0].id: 3, people[4].id: 4,
                     people[2].id: 5}
    assert people[1].status == EnrollmentStatus.ENROLLED
    assert people[1].enrolled_on == date(2024, 3, 5)
    assert people[0].status == EnrollmentStatus.WAITLISTED
    assert intake.selected_by == "user:amal" and intake.selected_on == date(2024, 3, 5)
    with pytest.raises(InvalidTransition):
        targeting.select_intake(uow, intake.id, on=date(2024, 3, 5), actor=ACTOR)


def test_a_freed_place_promotes_the_next_on_the_list(uow: empower.UnitOfWork) -> None:
    _program, intake, people = _closed_with(uow, 4)
    targeting.select_intake(uow, intake.id, on=date(2024, 3, 5), actor=ACTOR)
    assert targeting.promote_waitlisted(uow, intake.id, on=date(2024, 3, 10), actor=ACTOR) == []
    empower.exit_enrollment(uow, people[1].id, on=date(2024, 3, 20), reason="dropped_out",
                            actor=ACTOR)
    promoted = targeting.promote_waitlisted(uow, intake.id, on=date(2024, 3, 21), actor=ACTOR)
    assert [e.id for e in promoted] == [people[0].id]
    assert people[0].status == EnrollmentStatus.ENROLLED
    with pytest.raises(RuleViolation) as caught:
        targeting.promote_waitlisted(uow, intake.id, on=date(2024, 5, 2), actor=ACTOR)
    assert caught.value.code == "intake.promotion_closed"


def test_an_override_with_a_reason_makes_her_eligible(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    intake = _intake(uow, program, places=5)
    refused = _applicant(uow, program, intake, vulnerability_score=55)
    with pytest.raises(InvalidInput):
        targeting.override_refusal(uow, refused.id, reason="  ", actor="user:karima")
    targeting.override_refusal(uow, refused.id, reason="score RSU de 2023, révisé à 35",
                               actor="user:karima")
    assert refused.status == EnrollmentStatus.APPLIED and refused.eligible
    event = uow.session.scalars(select(AuditEvent).where(AuditEvent.action == "override")).one()
    assert event.changes is not None and "révisé" in event.changes["reason"]
    targeting.close_intake(uow, intake.id, on=date(2024, 3, 1), actor=ACTOR)
    result = targeting.select_intake(uow, intake.id, on=date(2024, 3, 5), actor=ACTOR)
    assert result.selected == [refused.id]


def test_explain_shows_the_stored_result_or_judges_her_now(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    intake = _intake(uow, program)
    applied = _applicant(uow, program, intake, household_size=2, marital_status="widowed")
    said = targeting.explain(uow, intake.id, applied.beneficiary_id)
    assert said.applied and said.eligible and str(said.score) == "14.0000"
    other = make_beneficiary(uow, milieu="urban", vulnerability_score=10)
    would = targeting.explain(uow, intake.id, other.id)
    assert not would.applied and not would.eligible
    assert [r["outcome"] for r in would.results][2] == "failed"


def test_preview_counts_in_sql_what_the_pure_rules_say(uow: empower.UnitOfWork) -> None:
    program = make_program(uow)
    intake = _intake(uow, program)
    people = [make_beneficiary(uow, **person) for person in [
        {"vulnerability_score": 30}, {"vulnerability_score": 50}, {"milieu": "urban"},
        {"birth_date": date(1970, 1, 1), "vulnerability_score": 10},
        {"province_code": "01.511", "vulnerability_score": 5}]]
    rows = targeting.preview(uow, intake.id, on=date(2024, 2, 15))
    assert sum(r.registered for r in rows) == 5
    total_all = sum(r.passing_all for r in rows)
    pure = sum(targeting.evaluate(uow, intake, p, date(2024, 2, 15)).eligible for p in people)
    assert total_all == pure == 1
    by_rule = [sum(r.passing[i] for r in rows) for i in range(len(RULES))]
    assert by_rule == [4, 4, 3, 5]


def test_the_same_data_give_the_same_ranking(uow: empower.UnitOfWork) -> None:
    _program, intake, people = _closed_with(uow, 5)
    first = [e.id for e in targeting.ranking(uow, intake)]
    second = [e.id for e in targeting.ranking(uow, intake)]
    assert first == second == [people[1].id, people[3].id, people[0].id, people[4].id,
                               people[2].id]


def test_two_officers_selecting_at_once_one_wins_the_other_is_told(
        db: empower.Database) -> None:
    from tests.integration.test_concurrency import Race, run_in_threads

    with db.unit_of_work() as uow:
        _program, intake, _people = _closed_with(uow, 4)
        intake_id = intake.id
        uow.commit()
    outcomes: list[str] = []
    race = Race(2)

    def officer(i: int) -> None:
        try:
            with db.unit_of_work() as uow, race.act():
                targeting.select_intake(uow, intake_id, on=date(2024, 3, 5), actor=f"user:o{i}")
                race.hold_commit()
                uow.commit()
            outcomes.append("selected")
        except InvalidTransition as exc:
            assert exc.code in {"intake.changed_meanwhile", "transition.refused",
                                "transition.final"}
            outcomes.append("told")

    assert run_in_threads(2, officer) == []
    assert sorted(outcomes) == ["selected", "told"]
    with db.unit_of_work(readonly=True) as uow:
        statuses = [e.status for e in uow.session.scalars(
            select(Enrollment).where(Enrollment.intake_id == intake_id))]
    assert statuses.count(EnrollmentStatus.ENROLLED) == 2
    assert statuses.count(EnrollmentStatus.WAITLISTED) == 2


_person = st.fixed_dictionaries({
    "milieu": st.sampled_from(["rural", "urban"]),
    "vulnerability_score": st.one_of(st.none(), st.integers(0, 80)),
    "household_size": st.one_of(st.none(), st.integers(1, 9)),
    "disability": st.one_of(st.none(), st.booleans()),
    "birth_date": st.dates(date(1970, 1, 1), date(2005, 1, 1)),
})


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(people=st.lists(_person, min_size=1, max_size=9), places=st.integers(1, 4),
       overrides=st.lists(st.integers(0, 8), max_size=3))
def test_the_selected_never_exceed_the_places_and_all_passed_or_were_overridden(
        db: empower.Database, people: list[dict[str, object]], places: int,
        overrides: list[int]) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow, code=f"P{uuid.uuid4().hex[:8]}")
        intake = _intake(uow, program, places=places, code=f"I-{uuid.uuid4().hex[:8]}")
        apps = [_applicant(uow, program, intake, **person) for person in people]
        for i in overrides:
            if i < len(apps) and apps[i].eligible is False:
                targeting.override_refusal(uow, apps[i].id, reason="revu en commission",
                                           actor=ACTOR)
        targeting.close_intake(uow, intake.id, on=date(2024, 3, 1), actor=ACTOR)
        result = targeting.select_intake(uow, intake.id, on=date(2024, 3, 5), actor=ACTOR)
        selected = [uow.session.get(Enrollment, i) for i in result.selected]
        assert len(selected) <= places
        for e in selected:
            assert e is not None and e.status == EnrollmentStatus.ENROLLED
            assert e.override_reason or all(r["outcome"] == "passed" for r in e.rule_results or [])
        eligible = [a for a in apps if a.eligible]
        assert len(result.selected) == min(places, len(eligible))
        assert len(result.waitlisted) == len(eligible) - len(result.selected)
        # nobody waitlisted scores above anyone selected
        if result.selected and result.waitlisted:
            low = min(e.score for e in selected if e is not None)
            waiting = [uow.session.get(Enrollment, i) for i in result.waitlisted]
            assert all(w is not None and w.score is not None and w.score <= low for w in waiting)
        uow.rollback()


def test_a_selected_woman_who_cannot_be_enrolled_is_skipped_and_the_next_takes_her_place(
        uow: empower.UnitOfWork) -> None:
    from empower.services.beneficiaries import archive_beneficiary

    _program, intake, people = _closed_with(uow, 4)
    # people[1] ranks first (score 12); archived since she applied, she cannot be enrolled
    archive_beneficiary(uow, people[1].beneficiary_id, on=date(2024, 3, 2), actor=ACTOR)
    result = targeting.select_intake(uow, intake.id, on=date(2024, 3, 5), actor=ACTOR)
    assert [eid for eid, _why in result.skipped] == [people[1].id]
    assert "archived" in result.skipped[0][1]
    assert result.selected == [people[3].id, people[0].id]
    assert result.waitlisted == [people[2].id]
    assert people[1].status == EnrollmentStatus.APPLIED and people[1].rank == 1
    assert people[3].status == EnrollmentStatus.ENROLLED and people[3].rank == 2
    assert people[2].status == EnrollmentStatus.WAITLISTED and people[2].rank == 4
    assert people[2].waitlisted_on == date(2024, 3, 5)
    enrolled = uow.session.scalars(select(AuditEvent.entity_id).where(
        AuditEvent.action == "enroll")).all()
    assert sorted(enrolled) == sorted([people[3].id, people[0].id])
