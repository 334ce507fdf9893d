"""A small country in which the dashboard, the report and the panel's lists used to disagree.

Two regions: 04 (province 04.441) and 01 (province 01.511). On the day the figures are read
(:data:`TODAY`, the last day of :data:`MONTH`):

- Amina (04) is enrolled in two programs, AWAL (national) and ATLAS (region 04): one woman;
- Basma (04) was archived while enrolled, and her grant approved this month was cancelled;
- Chama (04) is enrolled on the day itself and turns 55 that day; Dounia (04), born on 29
  February, exits on the day itself; Amina turns 25 that day, Basma the day after;
- two Khadija Tanger with one birth date, one in 04 and one in 01: a duplicate pair across
  regions; two Salma Idrissi in 04: a duplicate pair inside it;
- Fatima (01) has an enrolment dated after the day;
- the Khadija of 01 is a member of a cooperative of 04; a Salma left one on the day;
- cooperatives: one active in 04, one dissolved on the day, one founded after it, one in 01;
- programs: AWAL (national), ATLAS (04), NORD (01), and OLD (national, ended last year);
- trainings: an activity of ATLAS in 04 (Amina on its roster), one of AWAL without a province
  (the Khadija of 01 on its roster), one of NORD in 01 (planned, no roster); coaching visits to
  Amina (04) and to the cooperative of 01.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from empower.reports.period import Month
from sqlalchemy import select

import empower
from empower.models import DuplicateCandidate, Program
from empower.schemas import (
    AgreementCreate,
    CooperativeCreate,
    DisbursementCreate,
    EnrollmentCreate,
    MembershipCreate,
    PartnerCreate,
    SurveyCreate,
    VisitCreate,
)
from tests.factories import (
    make_activity,
    make_beneficiary,
    make_grant,
    make_program,
    make_session,
)

ACTOR = "test:scenario"
MONTH = Month(2026, 10)
TODAY = MONTH.end
IN, OUT = "04.441", "01.511"


@dataclass
class Scenario:
    """Ids of what was built, by name."""

    people: dict[str, int] = field(default_factory=dict)
    programs: dict[str, int] = field(default_factory=dict)
    cooperatives: dict[str, int] = field(default_factory=dict)
    grants: dict[str, int] = field(default_factory=dict)
    activities: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)


def build(db: empower.Database) -> Scenario:
    """Write the scenario through the services and commit it."""
    s = Scenario()
    with db.unit_of_work() as uow:
        awal = make_program(uow, code="AWAL", start_date=date(2025, 1, 1))
        atlas = make_program(uow, code="ATLAS", start_date=date(2025, 1, 1), region_code="04")
        north = make_program(uow, code="NORD", start_date=date(2025, 1, 1), region_code="01")
        ended = make_program(uow, code="OLD", start_date=date(2024, 1, 1),
                             end_date=date(2025, 12, 31))
        s.programs = {"AWAL": awal.id, "ATLAS": atlas.id, "NORD": north.id, "OLD": ended.id}

        def woman(key: str, first: str, last: str, born: date, province: str = IN) -> int:
            person = make_beneficiary(uow, first_name=first, last_name=last, first_name_ar=None,
                                      last_name_ar=None, birth_date=born, province_code=province,
                                      consent_date=date(2025, 2, 1),
                                      registered_on=date(2025, 2, 1))
            s.people[key] = person.id
            return person.id

        def enroll(person: int, program: int, on: date) -> int:
            enrolment = empower.apply(uow, EnrollmentCreate(
                beneficiary_id=person, program_id=program, applied_on=on, enrolled_on=on),
                actor=ACTOR)
            return enrolment.id

        amina = woman("amina", "Amina", "Alaoui", date(2001, 10, 31))
        basma = woman("basma", "Basma", "Bennani", date(2001, 11, 1))
        chama = woman("chama", "Chama", "Chraibi", date(1971, 10, 31))
        dounia = woman("dounia", "Dounia", "Doukkali", date(1972, 2, 29))
        woman("khadija_in", "Khadija", "Tanger", date(1985, 5, 5), IN)
        khadija_out = woman("khadija_out", "Khadija", "Tanger", date(1985, 5, 5), OUT)
        salma = woman("salma_1", "Salma", "Idrissi", date(1990, 1, 1))
        woman("salma_2", "Salma", "Idrissi", date(1990, 1, 1))
        fatima = woman("fatima", "Fatima", "Fassi", date(1995, 6, 15), OUT)

        enroll(amina, awal.id, date(2025, 3, 1))
        enroll(amina, atlas.id, date(2025, 4, 1))
        enroll(basma, awal.id, date(2025, 3, 1))
        enroll(chama, awal.id, TODAY)
        exiting = enroll(dounia, awal.id, date(2025, 3, 1))
        empower.exit_enrollment(uow, exiting, on=TODAY, reason="completed", actor=ACTOR)
        enroll(khadija_out, awal.id, date(2025, 3, 1))
        enroll(fatima, north.id, date(2026, 11, 5))

        def coop(key: str, province: str, founded: date) -> int:
            c = empower.found_cooperative(uow, CooperativeCreate(
                reference=f"C-{key}", name=f"Cooperative {key}", sector="argan",
                province_code=province, founded_on=founded), actor=ACTOR)
            s.cooperatives[key] = c.id
            return c.id

        k04 = coop("k04", IN, date(2024, 1, 1))
        gone = coop("gone", IN, date(2024, 1, 1))
        coop("later", IN, date(2026, 11, 10))
        k01 = coop("k01", OUT, date(2024, 1, 1))
        empower.dissolve_cooperative(uow, gone, on=TODAY, actor=ACTOR)
        # Salma was a member of the cooperative dissolved on the day: she left that day.
        for person, cooperative in ((amina, k04), (khadija_out, k04), (khadija_out, k01),
                                    (salma, gone)):
            empower.admit_member(uow, MembershipCreate(
                cooperative_id=cooperative, beneficiary_id=person, joined_on=date(2025, 5, 1)),
                actor=ACTOR)

        def grant(key: str, program: int, *, person: int | None = None,
                  cooperative: int | None = None, approved: date,
                  paid: date | None = None) -> int:
            g = make_grant(uow, uow.session.get(Program, program),
                           beneficiary_id=person, cooperative_id=cooperative,
                           amount="20000", reference=f"G-{key}", submitted_on=date(2025, 6, 1))
            empower.approve_grant(uow, g.id, on=approved, actor=ACTOR)
            if paid is not None:
                empower.disburse(uow, DisbursementCreate(
                    grant_id=g.id, amount=Decimal("2500.50"), paid_on=paid,
                    channel="cash"), actor=ACTOR)
            s.grants[key] = g.id
            return g.id

        grant("amina", awal.id, person=amina, approved=date(2026, 10, 5),
              paid=date(2026, 10, 10))
        cancelled = grant("basma", awal.id, person=basma, approved=date(2026, 10, 3))
        empower.cancel_grant(uow, cancelled, on=date(2026, 10, 20), actor=ACTOR)
        grant("k04", atlas.id, cooperative=k04, approved=date(2026, 9, 10),
              paid=date(2026, 10, 12))
        grant("khadija_out", awal.id, person=khadija_out, approved=date(2026, 10, 6),
              paid=date(2026, 10, 7))
        grant("k01", north.id, cooperative=k01, approved=date(2026, 10, 8))

        empower.archive_beneficiary(uow, basma, on=date(2026, 10, 15), actor=ACTOR)
        for person in (amina, khadija_out):
            empower.record_survey(uow, SurveyCreate(
                beneficiary_id=person, program_id=awal.id, round="baseline",
                surveyed_on=date(2025, 3, 2), monthly_income=Decimal("800")), actor=ACTOR)
        national = empower.create_partner(uow, PartnerCreate(name="Association Nationale",
                                                             kind="association"), actor=ACTOR)
        local = empower.create_partner(uow, PartnerCreate(
            name="Association du Nord", kind="association", province_code=OUT), actor=ACTOR)
        for program, partner in ((awal.id, national.id), (north.id, local.id),
                                 (atlas.id, local.id)):
            empower.sign_agreement(uow, AgreementCreate(
                program_id=program, partner_id=partner, signed_on=date(2025, 1, 15)),
                actor=ACTOR)

        # -- trainings and coaching visits ----------------------------------------------------
        for key, program, province in (("TR-04", atlas, IN), ("TR-AWAL", awal, None),
                                       ("TR-01", north, OUT)):
            activity = make_activity(uow, program, code=key, province_code=province,
                                     starts_on=date(2026, 6, 1), ends_on=date(2026, 9, 30))
            s.activities[key] = activity.id
            session = make_session(uow, activity, date(2026, 6, 10), held=key != "TR-01",
                                   reference=f"S-{key}")
            s.sessions[key] = session.id
        empower.record_roster(uow, s.sessions["TR-04"], [
            {"beneficiary_id": amina, "status": "present"}], actor=ACTOR)
        empower.record_roster(uow, s.sessions["TR-AWAL"], [
            {"beneficiary_id": khadija_out, "status": "absent"}], actor=ACTOR)
        for key, person, cooperative in (("amina", amina, None), ("k01", None, k01)):
            visit = empower.record_visit(uow, VisitCreate(
                reference=f"V-{key}", program_id=awal.id, beneficiary_id=person,
                cooperative_id=cooperative, visited_on=date(2026, 9, 1), kind="on_site",
                next_visit_due=date(2026, 10, 1), note="Suivi"), actor=ACTOR)
            s.visits[key] = visit.id
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        pairs = uow.session.execute(select(DuplicateCandidate.beneficiary_id,
                                           DuplicateCandidate.other_beneficiary_id)).all()
    found = {frozenset(p) for p in pairs}
    expected = {frozenset((s.people["khadija_in"], s.people["khadija_out"])),
                frozenset((s.people["salma_1"], s.people["salma_2"]))}
    assert found == expected, "the duplicate detection did not pair the namesakes"
    return s
