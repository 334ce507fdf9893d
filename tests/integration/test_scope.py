"""``empower.scope``: which rows of each table a set of regions covers, on the database under test.

The expected rows are written out by name for the scenario of :mod:`tests.scenarios`, from the
rules as the module's docstring states them.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from empower import scope
from empower.models import (
    Activity,
    ActivitySession,
    Agreement,
    Attendance,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Grievance,
    GrievanceStep,
    Membership,
    Partner,
    PaymentBatch,
    PaymentInstruction,
    Program,
    Province,
    SurveyRecord,
)
from tests.grievance_scenario import add_grievances
from tests.payment_scenario import add_batches
from tests.scenarios import build

IN_04 = {"amina", "basma", "chama", "dounia", "khadija_in", "salma_1", "salma_2"}
IN_01 = {"khadija_out", "fatima"}


def named(uow: Any, scenario: Any) -> dict[str, dict[int, Any]]:
    """Every row of the scoped tables, by id, under a readable key."""
    s = uow.session
    people = dict(s.execute(select(Beneficiary.id, Beneficiary.cin)).all())
    by_person = {pid: name for name, pid in scenario.people.items()}
    programs = dict(s.execute(select(Program.id, Program.code)).all())
    coops = {cid: name for name, cid in scenario.cooperatives.items()}
    grants = {gid: name for name, gid in scenario.grants.items()}
    assert len(people) == len(by_person)
    return {
        "beneficiaries": by_person,
        "cooperatives": coops,
        "enrollments": {i: (by_person[b], programs[p]) for i, b, p in s.execute(
            select(Enrollment.id, Enrollment.beneficiary_id, Enrollment.program_id))},
        "memberships": {i: (by_person[b], coops[c]) for i, b, c in s.execute(
            select(Membership.id, Membership.beneficiary_id, Membership.cooperative_id))},
        "grants": grants,
        "disbursements": {i: grants[g] for i, g in s.execute(
            select(Disbursement.id, Disbursement.grant_id))},
        "survey_records": {i: by_person[b] for i, b in s.execute(
            select(SurveyRecord.id, SurveyRecord.beneficiary_id))},
        "duplicate_candidates": {i: frozenset((by_person[a], by_person[b])) for i, a, b in
                                 s.execute(select(DuplicateCandidate.id,
                                                  DuplicateCandidate.beneficiary_id,
                                                  DuplicateCandidate.other_beneficiary_id))},
        "programs": programs,
        "agreements": {i: (programs[p], n) for i, p, n in s.execute(
            select(Agreement.id, Agreement.program_id, Partner.name).join(Partner))},
        "partners": dict(s.execute(select(Partner.id, Partner.name)).all()),
        "provinces": {c: c for c in s.scalars(select(Province.code))},
        "activities": {i: c for i, c in s.execute(select(Activity.id, Activity.code))},
        "activity_sessions": {i: r for i, r in s.execute(
            select(ActivitySession.id, ActivitySession.reference))},
        "attendances": {i: by_person[b] for i, b in s.execute(
            select(Attendance.id, Attendance.beneficiary_id))},
        "coaching_visits": {i: r for i, r in s.execute(
            select(CoachingVisit.id, CoachingVisit.reference))},
        "payment_batches": {i: name for name, i in scenario.batches.items()},
        "payment_instructions": {i: grants[g] for i, g in s.execute(
            select(PaymentInstruction.id, PaymentInstruction.grant_id))},
        "grievances": dict(s.execute(select(Grievance.id, Grievance.reference)).all()),
        "grievance_steps": dict(s.execute(select(GrievanceStep.id, Grievance.reference).join(
            Grievance, Grievance.id == GrievanceStep.grievance_id)).all()),
    }


def expected(regions: set[str], provinces: dict[str, str]) -> dict[str, set[Any]]:
    """The rows the rules give, by key, for the scenario."""
    her = (IN_04 if "04" in regions else set()) | (IN_01 if "01" in regions else set())
    coops = ({"k04", "gone", "later"} if "04" in regions else set()) | (
        {"k01"} if "01" in regions else set())
    grants = {g for g, who in (("amina", "amina"), ("basma", "basma"), ("k04", "k04"),
                               ("khadija_out", "khadija_out"), ("k01", "k01"))
              if who in her or who in coops}
    programs = {"AWAL", "OLD"} | ({"ATLAS"} if "04" in regions else set()) | (
        {"NORD"} if "01" in regions else set())
    pairs = [frozenset(("salma_1", "salma_2")), frozenset(("khadija_in", "khadija_out"))]
    return {
        "beneficiaries": her,
        "cooperatives": coops,
        "enrollments": {e for e in [("amina", "AWAL"), ("amina", "ATLAS"), ("basma", "AWAL"),
                                    ("chama", "AWAL"), ("dounia", "AWAL"),
                                    ("khadija_out", "AWAL"), ("fatima", "NORD")] if e[0] in her},
        "memberships": {m for m in [("amina", "k04"), ("khadija_out", "k04"),
                                    ("khadija_out", "k01"), ("salma_1", "gone")]
                        if m[0] in her},
        "grants": grants,
        "disbursements": grants & {"amina", "k04", "khadija_out"},
        "survey_records": her & {"amina", "khadija_out"},
        "duplicate_candidates": {p for p in pairs if p <= her},
        "programs": programs,
        "agreements": {a for a in [("AWAL", "Association Nationale"),
                                   ("NORD", "Association du Nord"),
                                   ("ATLAS", "Association du Nord")] if a[0] in programs},
        "partners": {"Association Nationale", "Association du Nord"},
        "provinces": {code for code, region in provinces.items() if region in regions},
        # The activity without a province is its program's (AWAL, national): every region's.
        "activities": {"TR-AWAL"} | ({"TR-04"} if "04" in regions else set()) | (
            {"TR-01"} if "01" in regions else set()),
        "activity_sessions": {"S-TR-AWAL"} | ({"S-TR-04"} if "04" in regions else set()) | (
            {"S-TR-01"} if "01" in regions else set()),
        "attendances": her & {"amina", "khadija_out"},
        "coaching_visits": ({"V-amina"} if "amina" in her else set()) | (
            {"V-k01"} if "k01" in coops else set()),
        # A batch is its region's; the one built without a region is nobody's but the
        # country's. A line is its grant's.
        "payment_batches": ({"b04"} if "04" in regions else set()) | (
            {"b01"} if "01" in regions else set()),
        "payment_instructions": grants & {"amina", "khadija_out", "k04", "k01"},
        # A grievance is its province's (Amina's for hers); a step, its grievance's.
        "grievances": ({"SC-std04", "SC-sea04"} if "04" in regions else set()) | (
            {"SC-cnd01", "SC-std01"} if "01" in regions else set()),
        "grievance_steps": ({"SC-std04", "SC-sea04"} if "04" in regions else set()) | (
            {"SC-cnd01", "SC-std01"} if "01" in regions else set()),
    }


MODELS = {"beneficiaries": Beneficiary, "cooperatives": Cooperative, "enrollments": Enrollment,
          "memberships": Membership, "grants": Grant, "disbursements": Disbursement,
          "survey_records": SurveyRecord, "duplicate_candidates": DuplicateCandidate,
          "programs": Program, "agreements": Agreement, "partners": Partner,
          "provinces": Province, "activities": Activity, "activity_sessions": ActivitySession,
          "attendances": Attendance, "coaching_visits": CoachingVisit,
          "payment_batches": PaymentBatch, "payment_instructions": PaymentInstruction,
          "grievances": Grievance, "grievance_steps": GrievanceStep}


def _key(model: Any) -> Any:
    return next(iter(model.__table__.primary_key))


def _regions_of_provinces(uow: Any) -> dict[str, str]:
    return dict(uow.session.execute(select(Province.code, Province.region_code)).all())


@pytest.fixture
def scenario(db):
    built = build(db)
    built.batches = add_batches(db, built)
    add_grievances(db, built)
    return built


def test_every_table_has_a_rule():
    assert set(scope.RULES) == set(MODELS)


@pytest.mark.parametrize("regions", [{"04"}, {"01"}, {"04", "01"}, set()])
def test_each_table_covers_what_the_rules_say(db, scenario, regions):
    with db.unit_of_work(readonly=True) as uow:
        rows = named(uow, scenario)
        provinces = _regions_of_provinces(uow)
        want = expected(regions, provinces)
        for table, model in MODELS.items():
            got = {rows[table][i] for i in uow.session.scalars(
                select(_key(model)).where(scope.condition(table, regions)))}
            assert got == want[table], table
            # The same condition over the model's class, and over an alias of its table.
            alias = model.__table__.alias("x")
            key = next(iter(alias.primary_key))
            assert set(uow.session.scalars(select(_key(model)).where(
                scope.condition(model, regions)))) == set(uow.session.scalars(
                    select(key).where(scope.condition(table, regions, alias))))
        # The scenario puts rows on both sides of every rule.
        everything = expected({"04", "01"}, provinces)
        assert all(everything[t] for t in MODELS)


def test_the_whole_country_adds_no_clause_and_covers_everything(db, scenario):
    with db.unit_of_work(readonly=True) as uow:
        rows = named(uow, scenario)
        for table, model in MODELS.items():
            assert str(scope.condition(table, None)) == "true"
            ids = set(uow.session.scalars(select(_key(model)).where(
                scope.condition(table, None))))
            assert ids == set(rows[table]), table


def test_covers_one_record(db, scenario):
    people = scenario.people
    with db.unit_of_work(readonly=True) as uow:
        s = uow.session
        assert scope.covers(s, Beneficiary, people["amina"], ["04"]) is True
        assert scope.covers(s, Beneficiary, people["khadija_out"], ["04"]) is False
        assert scope.covers(s, "beneficiaries", people["khadija_out"], None) is True
        assert scope.covers(s, Beneficiary, 10**6, None) is False
        assert scope.covers(s, Program, scenario.programs["NORD"], ["04"]) is False
        assert scope.covers(s, Program, scenario.programs["AWAL"], []) is True
        assert scope.covers(s, Province, "04.441", ["04"]) is True
        assert scope.covers(s, "provinces", "01.511", ["04"]) is False
