"""The grievance rules without a database: deadlines in working days, marks and their SQL twin,
the state machine (property tests), the confidential channel and its SQL twin."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert, select

from empower.errors import InvalidTransition, RuleViolation
from empower.grievances import (
    AccessLevel,
    DeadlineMark,
    GrievanceConfig,
    Viewer,
    access_level,
    add_working_days,
    check_action,
    deadline_mark,
    deadline_mark_sql,
    due_dates,
    is_working_day,
    parse_holidays,
    resolved_within_deadline,
    sensitivity_for,
)
from empower.states import GRIEVANCE_TRANSITIONS
from empower.vocab import DataRequestKind, GrievanceCategory, GrievanceStatus, Sensitivity

FRIDAY = date(2026, 12, 4)
MONDAY = date(2026, 12, 7)


def test_working_days_skip_the_weekend() -> None:
    assert FRIDAY.weekday() == 4
    assert add_working_days(FRIDAY, 1) == MONDAY
    assert add_working_days(FRIDAY, 2) == date(2026, 12, 8)
    assert add_working_days(date(2026, 12, 5), 1) == MONDAY  # received on a Saturday
    assert add_working_days(date(2026, 12, 6), 0) == date(2026, 12, 6)
    assert add_working_days(MONDAY, 15) == date(2026, 12, 28)
    assert not is_working_day(date(2026, 12, 5)) and not is_working_day(date(2026, 12, 6))


def test_holidays_are_not_working_days() -> None:
    holidays = parse_holidays("2026-12-07, 2026-12-08")
    assert add_working_days(FRIDAY, 1, holidays) == date(2026, 12, 9)
    with pytest.raises(Exception, match="not a date"):
        parse_holidays("2026-13-01")


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=40)
)
def test_add_working_days_counts_exactly_n_working_days(start: date, n: int) -> None:
    end = add_working_days(start, n)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(d) for d in between) == n
    assert n == 0 or is_working_day(end)


def test_due_dates_from_category_and_sensitivity() -> None:
    config = GrievanceConfig()
    assert due_dates(FRIDAY, GrievanceCategory.PAYMENT, Sensitivity.STANDARD, config) == (
        date(2026, 12, 8),
        add_working_days(FRIDAY, 15),
    )
    assert due_dates(FRIDAY, GrievanceCategory.CONDUCT, Sensitivity.CONFIDENTIAL, config)[
        1
    ] == add_working_days(FRIDAY, 10)
    # The law counts days: a Friday's request is due ten days later, a Monday.
    assert due_dates(FRIDAY, GrievanceCategory.DATA_PROTECTION, Sensitivity.STANDARD, config)[1] == date(
        2026, 12, 14
    )
    custom = GrievanceConfig(acknowledge_days=1, resolve_days=5)
    assert due_dates(FRIDAY, GrievanceCategory.OTHER, Sensitivity.STANDARD, custom) == (
        MONDAY,
        date(2026, 12, 11),
    )


def test_confidential_categories_are_confidential_whatever_was_chosen() -> None:
    assert (
        sensitivity_for(GrievanceCategory.SEXUAL_EXPLOITATION_ABUSE, Sensitivity.STANDARD)
        == Sensitivity.CONFIDENTIAL
    )
    assert sensitivity_for(GrievanceCategory.CONDUCT, None) == Sensitivity.CONFIDENTIAL
    assert sensitivity_for(GrievanceCategory.PAYMENT, None) == Sensitivity.STANDARD
    assert sensitivity_for(GrievanceCategory.OTHER, Sensitivity.CONFIDENTIAL) == Sensitivity.CONFIDENTIAL


def test_deadline_marks() -> None:
    due = date(2026, 12, 10)  # Thursday
    assert deadline_mark(due, date(2026, 12, 11)) == DeadlineMark.LATE
    assert deadline_mark(due, due) == DeadlineMark.AT_RISK
    assert deadline_mark(due, MONDAY) == DeadlineMark.AT_RISK  # 3 working days ahead
    assert deadline_mark(due, FRIDAY) == DeadlineMark.ON_TRACK
    assert (
        resolved_within_deadline(due, due)
        and not resolved_within_deadline(due + timedelta(days=1), due)
        and not resolved_within_deadline(None, due)
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 2, 1)), min_size=1, max_size=20),
    st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 2, 1)),
    st.integers(min_value=0, max_value=5),
)
def test_the_sql_mark_is_the_pure_mark(dues: list[date], today: date, risk: int) -> None:
    config = GrievanceConfig(at_risk_days=risk)
    engine = create_engine("sqlite://")
    table = Table("g", MetaData(), Column("id", Integer, primary_key=True), Column("due", Date))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), [{"id": i, "due": d} for i, d in enumerate(dues)])
        rows = conn.execute(
            select(table.c.id, deadline_mark_sql(table.c.due, today, config)).order_by(table.c.id)
        ).all()
    assert [m for _, m in rows] == [deadline_mark(d, today, config).value for d in dues]


# --- the state machine ---------------------------------------------------------------------


@dataclass
class Case:
    reference: str = "PLA-1"
    status: GrievanceStatus = GrievanceStatus.RECEIVED
    category: GrievanceCategory = GrievanceCategory.PAYMENT
    request_kind: DataRequestKind | None = None
    resolution: str | None = None
    complainant_told_on: date | None = None
    appealed_on: date | None = None
    fulfilled_on: date | None = None


ACTIONS = ["acknowledge", "review", "resolve", "unfounded", "close", "appeal", "tell", "fulfil"]


def _apply(case: Case, action: str) -> Case:
    """What the services do around check_action (no database)."""
    if action == "tell":
        if case.status not in (GrievanceStatus.RESOLVED, GrievanceStatus.UNFOUNDED):
            raise RuleViolation(
                "no answer",
                code="grievance.not_answered",
                params={"ref": case.reference, "state": case.status.value},
            )
        return replace(case, complainant_told_on=date(2026, 12, 4))
    if action == "fulfil":
        return replace(case, fulfilled_on=date(2026, 12, 4))
    nxt = check_action(case, action)
    changes: dict[str, object] = {"status": nxt}
    if action in ("resolve", "unfounded"):
        changes["resolution"] = "answer"
    if action == "appeal":
        changes.update(appealed_on=date(2026, 12, 4), complainant_told_on=None)
    return replace(case, **changes)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ACTIONS), max_size=25), st.sampled_from([None, *DataRequestKind]))
def test_any_sequence_of_actions_keeps_the_rules(actions: list[str], kind: DataRequestKind | None) -> None:
    case = Case(
        category=GrievanceCategory.DATA_PROTECTION if kind else GrievanceCategory.PAYMENT, request_kind=kind
    )
    appeals = 0
    for action in actions:
        before = case
        try:
            case = _apply(case, action)
        except (InvalidTransition, RuleViolation):
            assert case == before  # a refusal changes nothing
            continue
        if action not in ("tell", "fulfil"):
            assert GRIEVANCE_TRANSITIONS[(before.status, action)] == case.status
        if action == "appeal":
            appeals += 1
        if case.status == GrievanceStatus.CLOSED:
            assert case.resolution and case.complainant_told_on is not None
        if (
            before.status != GrievanceStatus.RESOLVED
            and case.status == GrievanceStatus.RESOLVED
            and kind in (DataRequestKind.ERASURE, DataRequestKind.ACCESS)
        ):
            assert case.fulfilled_on is not None
    assert appeals <= 1


def test_the_happy_path_and_the_refusals() -> None:
    case = Case()
    for action in ["acknowledge", "review", "resolve", "tell"]:
        case = _apply(case, action)
    with pytest.raises(InvalidTransition):
        check_action(Case(), "resolve")
    with pytest.raises(RuleViolation) as no_told:
        check_action(replace(case, complainant_told_on=None), "close")
    assert no_told.value.code == "grievance.close_unanswered"
    case = _apply(_apply(case, "close"), "appeal")
    assert case.status == GrievanceStatus.APPEALED
    case = _apply(_apply(_apply(_apply(case, "review"), "unfounded"), "tell"), "close")
    with pytest.raises(RuleViolation) as twice:
        check_action(case, "appeal")
    assert twice.value.code == "grievance.appeal_once"
    erasure = Case(
        category=GrievanceCategory.DATA_PROTECTION,
        request_kind=DataRequestKind.ERASURE,
        status=GrievanceStatus.UNDER_REVIEW,
    )
    with pytest.raises(RuleViolation) as unfulfilled:
        check_action(erasure, "resolve")
    assert unfulfilled.value.code == "grievance.not_fulfilled"
    correction = replace(erasure, request_kind=DataRequestKind.CORRECTION)
    assert check_action(correction, "resolve") == GrievanceStatus.RESOLVED


# --- the confidential channel --------------------------------------------------------------

VIEWERS = [
    Viewer("officer"),
    Viewer("viewer"),
    Viewer("admin"),
    Viewer("officer", True),
    Viewer("admin", True),
    Viewer("viewer", True),
]


def test_access_levels() -> None:
    conf, std = Sensitivity.CONFIDENTIAL, Sensitivity.STANDARD
    assert access_level(Viewer("officer"), conf, True) == AccessLevel.NONE
    assert access_level(Viewer("viewer"), conf, True) == AccessLevel.NONE
    assert access_level(Viewer("admin"), conf, True) == AccessLevel.EXISTENCE
    assert access_level(Viewer("admin", True), conf, True) == AccessLevel.FULL
    assert access_level(Viewer("officer", True), conf, True) == AccessLevel.FULL
    assert access_level(Viewer("officer", True), conf, False) == AccessLevel.NONE
    assert all(access_level(v, std, True) == AccessLevel.FULL for v in VIEWERS)
    assert all(access_level(v, std, False) == AccessLevel.NONE for v in VIEWERS)


def test_the_sql_visibility_is_the_pure_rule() -> None:
    from empower.grievances import content_visible_sql, visible_sql

    engine = create_engine("sqlite://")
    meta = MetaData()
    provinces = Table(
        "provinces", meta, Column("code", String, primary_key=True), Column("region_code", String)
    )
    cases = Table(
        "grievances",
        meta,
        Column("id", Integer, primary_key=True),
        Column("province_code", String),
        Column("sensitivity", String),
    )
    meta.create_all(engine)
    rows = [
        {"id": i, "province_code": p, "sensitivity": s}
        for i, (p, s) in enumerate(
            [(p, s) for p in ("04.441", "01.511") for s in ("standard", "confidential")]
        )
    ]
    region = {"04.441": "04", "01.511": "01"}
    with engine.begin() as conn:
        conn.execute(insert(provinces), [{"code": k, "region_code": v} for k, v in region.items()])
        conn.execute(insert(cases), rows)
        for base in VIEWERS:
            for regions in (None, frozenset({"04"})):
                viewer = replace(base, regions=regions)
                seen = set(conn.execute(select(cases.c.id).where(visible_sql(viewer, cases))).scalars())
                full = set(
                    conn.execute(select(cases.c.id).where(content_visible_sql(viewer, cases))).scalars()
                )
                for row in rows:
                    level = access_level(
                        viewer, row["sensitivity"], regions is None or region[row["province_code"]] in regions
                    )
                    assert (row["id"] in seen) == (level != AccessLevel.NONE), (viewer, row)
                    assert (row["id"] in full) == (level == AccessLevel.FULL), (viewer, row)


def test_the_settings_give_the_deadlines() -> None:
    from pydantic import ValidationError

    from empower.config import Settings

    settings = Settings(grievance_resolve_days=5, grievance_holidays="2026-12-07")
    config = settings.rules().grievances
    assert config.resolve_days == 5 and config.holidays == {date(2026, 12, 7)}
    assert due_dates(FRIDAY, GrievanceCategory.PAYMENT, Sensitivity.STANDARD, config)[1] == date(2026, 12, 14)
    with pytest.raises(ValidationError, match="not a date"):
        Settings(grievance_holidays="2026-13-01")
    with pytest.raises(ValidationError):
        Settings(grievance_resolve_days=0)
