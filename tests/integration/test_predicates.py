"""Each predicate of ``empower.predicates``: the pure function, its SQL twin and its frame twin
give the same answer on the same rows, on the database under test (SQLite or PostgreSQL).

Rows are written straight into the tables (no service), so that every combination of dates the
schema allows is there, including the ones the services would refuse today.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert, select

from empower import predicates as pr
from empower.models import (
    ArchivePeriod,
    Beneficiary,
    Cooperative,
    Enrollment,
    Grant,
    Membership,
    Program,
    table_of,
)

D0, D1, D2 = date(2024, 2, 29), date(2024, 6, 1), date(2025, 3, 1)
DAY = timedelta(days=1)
# The day before, of, and after each boundary: the day of enrolment, the day of exit, ...
DAYS = sorted({d + k * DAY for d in (D0, D1, D2) for k in (-1, 0, 1)})
STARTS = (None, D0, D1)
ENDS = (None, D0, D1, D2)


def _pairs(start_required: bool) -> list[tuple[date | None, date | None]]:
    starts = [s for s in STARTS if s is not None] if start_required else list(STARTS)
    return [(s, e) for s, e in itertools.product(starts, ENDS)
            if e is None or (s is not None and e >= s)]


def _people(uow, n: int, **cols) -> list[int]:
    rows = [{"cin": f"PR{i:06d}", "first_name": "Fatima", "birth_date": date(1990, 1, 1),
             "province_code": "04.441", "consent_date": date(2020, 1, 1),
             "registered_on": date(2020, 1, 1), **{k: v[i] for k, v in cols.items()}}
            for i in range(n)]
    uow.session.execute(insert(table_of(Beneficiary)), rows)
    return list(uow.session.scalars(select(Beneficiary.id).order_by(Beneficiary.id)))


def _program(uow, code: str = "P0", start: date = date(2020, 1, 1),
             end: date | None = None) -> int:
    uow.session.execute(insert(table_of(Program)).values(
        code=code, name=code, start_date=start, end_date=end, budget_centimes=10**9,
        committed_centimes=10**8))
    return uow.session.scalar(select(Program.id).where(Program.code == code))


def _check(uow, span: pr.Span, model) -> None:
    """holds() on each row read back, sql() in the database and mask() on a frame agree."""
    records = list(uow.session.scalars(select(model).order_by(model.id)))
    assert records
    names = [n for n in (span.start, span.end) if n]
    frame = pd.DataFrame([{n: getattr(r, n) for n in names} | {"id": r.id} for r in records],
                         dtype=object)
    for on in DAYS:
        pure = {r.id for r in records if span.holds(r, on)}
        sql = set(uow.session.scalars(select(model.id).where(span.sql(on, model))))
        table_sql = set(uow.session.scalars(select(table_of(model).c.id).where(span.sql(on))))
        framed = set(frame.loc[span.mask(frame, on), "id"])
        assert pure == sql == table_sql == framed, (span.name, on)
    # Every row answers both ways on some day, so the comparison above was not vacuous.
    assert any(span.holds(r, d) for r in records for d in DAYS)
    assert any(not span.holds(r, d) for r in records for d in DAYS)


def test_program_running_includes_its_end_date(uow):
    for i, (start, end) in enumerate(_pairs(start_required=True)):
        _program(uow, f"P{i}", start, end)
    _check(uow, pr.PROGRAM_RUNNING, Program)
    assert pr.program_running_on({"start_date": D0, "end_date": D1}, D1)
    assert not pr.program_running_on({"start_date": D0, "end_date": D1}, D1 + DAY)
    assert pr.program_running_on({"start_date": D0, "end_date": None}, D0)
    assert not pr.program_running_on({"start_date": D0, "end_date": None}, D0 - DAY)


def test_cooperative_active_ends_on_its_dissolution_day(uow):
    rows = [{"reference": f"C{i}", "name": "Tifawin", "sector": "argan",
             "province_code": "04.441", "founded_on": s, "dissolved_on": e}
            for i, (s, e) in enumerate(_pairs(start_required=True))]
    uow.session.execute(insert(table_of(Cooperative)), rows)
    _check(uow, pr.COOPERATIVE_ACTIVE, Cooperative)
    assert pr.cooperative_active_on({"founded_on": D0, "dissolved_on": D1}, D0)
    assert not pr.cooperative_active_on({"founded_on": D0, "dissolved_on": D1}, D1)


def test_enrollment_active_from_the_day_of_enrolment_to_the_day_before_exit(uow):
    pairs = _pairs(start_required=False)
    people = _people(uow, len(pairs))
    program = _program(uow)
    rows = []
    for person, (start, end) in zip(people, pairs, strict=True):
        status = "applied" if start is None else ("exited" if end else "enrolled")
        rows.append({"beneficiary_id": person, "program_id": program, "status": status,
                     "applied_on": date(2020, 1, 1), "enrolled_on": start,
                     "exited_on": end if start else None,
                     "exit_reason": "completed" if start and end else None})
    uow.session.execute(insert(table_of(Enrollment)), rows)
    _check(uow, pr.ENROLLMENT_ACTIVE, Enrollment)
    enrolment = {"enrolled_on": D0, "exited_on": D1}
    assert pr.enrollment_active_on(enrolment, D0)  # the day of enrolment
    assert not pr.enrollment_active_on(enrolment, D1)  # the day of exit
    assert not pr.enrollment_active_on({"enrolled_on": None, "exited_on": None}, D2)


def test_membership_active_ends_on_the_day_she_leaves(uow):
    pairs = _pairs(start_required=True)
    people = _people(uow, len(pairs))
    uow.session.execute(insert(table_of(Cooperative)).values(
        reference="C0", name="Tifawin", sector="argan", province_code="04.441",
        founded_on=date(2020, 1, 1)))
    coop = uow.session.scalar(select(Cooperative.id))
    uow.session.execute(insert(table_of(Membership)), [
        {"cooperative_id": coop, "beneficiary_id": p, "role": "member", "joined_on": s,
         "left_on": e} for p, (s, e) in zip(people, pairs, strict=True)])
    _check(uow, pr.MEMBERSHIP_ACTIVE, Membership)
    assert pr.membership_active_on({"joined_on": D0, "left_on": D1}, D1 - DAY)
    assert not pr.membership_active_on({"joined_on": D0, "left_on": D1}, D1)


# Archive histories: none, one open period, one closed, a closed one then an open one, two
# closed ones, a period restored the day it began (empty), each against every boundary day.
_HISTORIES = [
    [], [(D0, None)], [(D1, None)], [(D0, D1)], [(D0, D1), (D2, None)], [(D0, D0 + DAY), (D1, D2)],
    [(D1, D1)], [(D0 - DAY, D0), (D0 + DAY, D1)],
]


def _archive_histories(uow, registered_on: date) -> dict[int, list[tuple[date, date | None]]]:
    people = _people(uow, len(_HISTORIES), registered_on=[registered_on] * len(_HISTORIES))
    rows = [{"beneficiary_id": bid, "archived_on": a, "restored_on": r}
            for bid, history in zip(people, _HISTORIES, strict=True) for a, r in history]
    uow.session.execute(insert(table_of(ArchivePeriod)), rows)
    return dict(zip(people, _HISTORIES, strict=True))


def test_archived_during_her_archive_periods_only(uow):
    """ARCHIVED's pure rule, SQL twin and frame twin agree on every history and day."""
    histories = _archive_histories(uow, registered_on=D0 - 2 * DAY)
    records = list(uow.session.scalars(select(Beneficiary).order_by(Beneficiary.id)))
    lo, hi = DAYS[0] - DAY, DAYS[-1] + DAY
    b = table_of(Beneficiary)
    frame = pd.DataFrame(
        [dict(row._mapping) for row in uow.session.execute(
            select(b.c.id, b.c.registered_on, pr.ARCHIVED.frame_sql(b.c.id, lo, hi)
                   .label(pr.ARCHIVED.column)).order_by(b.c.id))], dtype=object)
    for on in DAYS:
        expected = {bid for bid, history in histories.items()
                    if any(a <= on and (r is None or r > on) for a, r in history)}
        pure = {r.id for r in records if pr.ARCHIVED.holds(r, on)}
        sql = set(uow.session.scalars(select(Beneficiary.id).where(
            pr.ARCHIVED.sql(on, Beneficiary))))
        table_sql = set(uow.session.scalars(select(b.c.id).where(pr.ARCHIVED.sql(on))))
        framed = set(frame.loc[pr.ARCHIVED.mask(frame, on), "id"])
        assert expected == pure == sql == table_sql == framed, on
        registered = {r.id for r in records if pr.REGISTERED.holds(r, on)}
        assert registered == set(uow.session.scalars(select(Beneficiary.id).where(
            pr.REGISTERED.sql(on, Beneficiary)))) == set(frame.loc[
                pr.REGISTERED.mask(frame, on), "id"])
        assert registered == {bid for bid in histories if bid not in expected
                              and on >= D0 - 2 * DAY}
    assert any(expected for on in DAYS)


def test_archived_and_on_the_register(uow):
    # Archived the day she is counted: she no longer counts that day; restored, she counts
    # again from the day of the restore, and the days in between stay archived.
    woman = {"registered_on": D0, "archive_periods": [{"archived_on": D1, "restored_on": D2}]}
    assert pr.archived_as_of(woman, D1) and not pr.archived_as_of(woman, D1 - DAY)
    assert pr.archived_as_of(woman, D2 - DAY) and not pr.archived_as_of(woman, D2)
    assert not pr.REGISTERED.holds(woman, D1) and pr.REGISTERED.holds(woman, D0)
    assert pr.REGISTERED.holds(woman, D2)
    # Registered and archived the same day: never on the register.
    same_day = {"registered_on": D1, "archive_periods": [{"archived_on": D1, "restored_on": None}]}
    assert not any(pr.REGISTERED.holds(same_day, d) for d in DAYS)


def test_grant_standing_until_its_cancellation(uow):
    pairs = _pairs(start_required=False)
    people = _people(uow, len(pairs))
    program = _program(uow)
    rows = []
    for i, (person, (approved, cancelled)) in enumerate(zip(people, pairs, strict=True)):
        rows.append({"reference": f"G{i}", "program_id": program, "beneficiary_id": person,
                     "status": "submitted" if approved is None else "approved",
                     "amount_requested_centimes": 100, "submitted_on": date(2020, 1, 1),
                     "approved_on": approved,
                     "amount_approved_centimes": None if approved is None else 100,
                     "cancelled_on": cancelled if approved else None, "disbursed_centimes": 0})
    uow.session.execute(insert(table_of(Grant)), rows)
    _check(uow, pr.GRANT_STANDING, Grant)


# --- ages -----------------------------------------------------------------------------------

ON_DAYS = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2025, 2, 28),
           date(2025, 3, 1), date(2026, 10, 31), date(2026, 12, 31), date(2027, 1, 1)]


def _births() -> list[date]:
    """Birthdays at every band edge for each day of ON_DAYS, a day either side, and leap days."""
    out = {date(1996, 2, 29), date(2000, 2, 29), date(1968, 2, 29), date(1972, 2, 29)}
    for on in ON_DAYS:
        for band in pr.AGE_BANDS:
            for years in (band.youngest, band.youngest - 1, band.youngest + 1):
                edge = pr.birth_date_cutoff(years, on)
                out.update({edge - DAY, edge, edge + DAY})
    return sorted(out)


def _age_by_calendar(birth: date, on: date) -> int:
    """The age by counting birthdays one by one (29 February counts on 1 March)."""
    age = 0
    while True:
        year = birth.year + age + 1
        try:
            birthday = birth.replace(year=year)
        except ValueError:
            birthday = date(year, 3, 1)
        if birthday > on:
            return age
        age += 1


def test_age_band_sql_and_band_filters_agree_with_the_pure_function(uow):
    births = _births()
    ids = _people(uow, len(births), birth_date=births)
    by_id = dict(zip(ids, births, strict=True))
    labels = [band.label for band in pr.AGE_BANDS]
    for on in ON_DAYS:
        banded = dict(uow.session.execute(
            select(Beneficiary.id, pr.age_band_sql(Beneficiary.birth_date, on))).all())
        for bid, birth in by_id.items():
            age = _age_by_calendar(birth, on)
            assert pr.age_on(birth, on) == age, (birth, on)
            expected = next((b.label for b in reversed(pr.AGE_BANDS) if age >= b.youngest),
                            labels[0])
            assert pr.age_band(birth, on) == expected == banded[bid], (birth, on)
        for label in labels:
            inside = set(uow.session.scalars(select(Beneficiary.id).where(
                pr.in_age_band_sql(label, on, Beneficiary.birth_date))))
            assert inside == {bid for bid, band in banded.items() if band == label}, (label, on)
            earliest, latest = pr.age_band_birth_dates(label, on)
            assert inside == {bid for bid, b in by_id.items()
                              if (earliest is None or b >= earliest)
                              and (latest is None or b <= latest)}
    assert set(banded.values()) == set(labels)


def test_the_report_bands_have_55_plus_and_no_65_plus():
    assert [b.label for b in pr.AGE_BANDS] == ["18-24", "25-34", "35-44", "45-54", "55+"]
    # Her 55th birthday is the first day of 55+; born on 29 February, it is 1 March.
    assert pr.age_band(date(1971, 10, 31), date(2026, 10, 31)) == "55+"
    assert pr.age_band(date(1971, 11, 1), date(2026, 10, 31)) == "45-54"
    assert pr.age_band(date(1972, 2, 29), date(2027, 2, 28)) == "45-54"
    assert pr.age_band(date(1972, 2, 29), date(2027, 3, 1)) == "55+"
    with pytest.raises(KeyError):
        pr.age_band_birth_dates("65+", date(2026, 1, 1))


# --- CIN ------------------------------------------------------------------------------------

class _Rules:
    def __init__(self, pattern: str) -> None:
        self.cin_pattern = pattern


def test_cin_search_follows_the_configured_pattern(uow):
    _people(uow, 3, cin=["AB123456", "X1234", "ZZ99"])
    strict = _Rules(r"[A-Z]{2}\d{6}")

    def found(text: str, rules: _Rules | None) -> set[str]:
        cond = pr.cin_search_sql(text, rules)
        return set() if cond is None else set(
            uow.session.scalars(select(Beneficiary.cin).where(cond)))

    assert pr.cin_search_prefix(" ab-12 ") == "AB12"
    assert found(" ab-12 ", None) == {"AB123456"}
    # Under a pattern that wants two letters and six digits, "X1234" is no CIN to search for.
    assert pr.cin_search_prefix("X1234", strict) is None and found("X1234", strict) == set()
    assert found("ab123456", strict) == {"AB123456"}
    assert pr.cin_search_prefix("Fatima") is None
    # A LIKE wildcard typed in the box is a character, not a wildcard.
    assert found("ZZ9%", _Rules(r"[A-Z%9]+")) == set()
    assert pr.normalize_cin("ab 123456", strict) == "AB123456"
