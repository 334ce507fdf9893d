"""The grievance KPIs (docs/kpis.md, grievances) on a hand-worked scenario.

Province 04.441 is region 04, 01.511 region 01. Deadlines are the defaults (15 working days;
10 for a confidential case). Program AWAL is named on the cases marked (A).

    c1  payment    04  received 10-01 (A)  answered 10-13 (resolve), due 10-22: in time, 12 days
    c2  payment    04  received 10-02 (A)  answered 10-30 (resolve), due 10-23: late, 28 days
    c3  selection  04  received 10-05      answered 10-16 (unfounded), due 10-26: in time, 11
                       appealed 10-20 (due again 11-10), answered 11-04: in time, 15 days
    c4  training   01  received 10-06      not answered
    c5  conduct    04  received 10-07      answered 10-17, due 10-21: in time, 10 days
    c6  sea        01  received 10-08      answered 11-20, due 10-22: late
    c7  payment    04  received 09-28 (A)  answered 10-02, due 10-17: in time, 4 days
    c8  data_prot. 04  received 11-02      (November only)

October: received c1..c6 = 6 (by category: payment 2, selection 1, training 1, confidential 2;
by region: 04 3, 01 1, confidential 2); answered c1, c2, c3, c5, c7 = 5 (c3's appeal answer is
November's); days 12, 28, 11, 10, 4: median 11; in time 4 of 5.
November: received c8 = 1; answered c3 (appeal) and c6 = 2; days 15 and 43 (from 10-08):
median 29; in time 1 of 2.
With --region 04 (October): received c1, c2, c3, c5 = 4; with --program AWAL: received c1, c2
= 2, answered c1, c2, c7 = 3.
"""

from __future__ import annotations

from datetime import date

import pytest
from empower.reports import Scope, build_monthly_report, write_report

import empower
from empower.schemas import GrievanceCreate
from tests.factories import make_program

ACTOR = "test:grievances"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    import empower.services._common as common

    monkeypatch.setattr(common, "today", lambda: date(2026, 12, 31))


def _case(
    uow,
    received: str,
    category: str,
    province: str,
    *,
    program=None,  # type: ignore[no-untyped-def]
    kind: str | None = None,
) -> int:
    return empower.receive_grievance(
        uow,
        GrievanceCreate(
            received_on=date.fromisoformat(f"2026-{received}"),
            channel="phone",
            category=category,
            province_code=province,
            program_id=program,
            request_kind=kind,
        ),
        actor=ACTOR,
    ).id


def _answer(uow, cid: int, on: str, *, unfounded: bool = False) -> None:  # type: ignore[no-untyped-def]
    day = date.fromisoformat(f"2026-{on}")
    case = uow.session.get(empower.models.Grievance, cid)
    if case.status == "received":
        empower.acknowledge_grievance(uow, cid, on=case.received_on, actor=ACTOR)
    empower.start_review(
        uow, cid, on=case.received_on if case.appealed_on is None else case.appealed_on, actor=ACTOR
    )
    if unfounded:
        empower.declare_unfounded(uow, cid, "Non fondée", on=day, actor=ACTOR)
    else:
        empower.resolve_grievance(uow, cid, "Traitée", on=day, actor=ACTOR)


@pytest.fixture
def scenario(db: empower.Database) -> empower.Database:
    with db.unit_of_work() as uow:
        awal = make_program(uow, code="AWAL").id
        c1 = _case(uow, "10-01", "payment", "04.441", program=awal)
        c2 = _case(uow, "10-02", "payment", "04.441", program=awal)
        c3 = _case(uow, "10-05", "selection", "04.441")
        _case(uow, "10-06", "training", "01.511")
        c5 = _case(uow, "10-07", "conduct", "04.441")
        c6 = _case(uow, "10-08", "sexual_exploitation_abuse", "01.511")
        c7 = _case(uow, "09-28", "payment", "04.441", program=awal)
        _case(uow, "11-02", "data_protection", "04.441", kind="objection")
        _answer(uow, c1, "10-13")
        _answer(uow, c2, "10-30")
        _answer(uow, c3, "10-16", unfounded=True)
        empower.tell_complainant(uow, c3, on=date(2026, 10, 17), actor=ACTOR)
        empower.appeal_grievance(uow, c3, on=date(2026, 10, 20), actor=ACTOR)
        _answer(uow, c3, "11-04")
        _answer(uow, c5, "10-17")
        _answer(uow, c6, "11-20")
        _answer(uow, c7, "10-02")
        uow.commit()
    return db


def _fig(report, key):  # type: ignore[no-untyped-def]
    return report.figures[key]


def test_october(scenario) -> None:
    report = build_monthly_report(scenario, "2026-10", threshold=1)
    received = _fig(report, "grievances_received")
    assert received["value"] == 6
    assert received["by_category"] == {
        "selection": 1,
        "payment": 2,
        "training": 1,
        "data_protection": 0,
        "other": 0,
        "confidential": 2,
    }
    assert {k: v for k, v in received["by_region"].items() if v} == {"04": 3, "01": 1, "confidential": 2}
    assert "conduct" not in received["by_category"]
    assert _fig(report, "grievances_resolved")["value"] == 5
    assert _fig(report, "median_days_to_resolve")["value"] == 11
    share = _fig(report, "grievances_resolved_in_time_share")
    assert (share["numerator"], share["denominator"]) == (4, 5)


def test_november_counts_the_appeal_answer_and_keeps_october(scenario) -> None:
    november = build_monthly_report(scenario, "2026-11", threshold=1)
    assert _fig(november, "grievances_received")["value"] == 1
    assert _fig(november, "grievances_resolved")["value"] == 2
    assert _fig(november, "median_days_to_resolve")["value"] == 29
    share = _fig(november, "grievances_resolved_in_time_share")
    assert (share["numerator"], share["denominator"]) == (1, 2)
    # c3 was reopened by its appeal: October still counts its first answer.
    assert _fig(build_monthly_report(scenario, "2026-10"), "grievances_resolved")["value"] == 5


def test_region_and_program_filters(scenario) -> None:
    region = build_monthly_report(scenario, "2026-10", scope=Scope(region="04"), threshold=1)
    assert _fig(region, "grievances_received")["value"] == 4
    program = build_monthly_report(scenario, "2026-10", scope=Scope(program="AWAL"), threshold=1)
    assert _fig(program, "grievances_received")["value"] == 2
    assert _fig(program, "grievances_resolved")["value"] == 3


def test_small_cells_are_suppressed_and_published(scenario, tmp_path) -> None:
    report = build_monthly_report(scenario, "2026-10")  # threshold 5
    received = _fig(report, "grievances_received")
    assert received["suppressed"] is False  # 6
    assert set(received["suppressed_cells"]["by_category"]) >= {"confidential", "payment"}
    assert _fig(report, "grievances_resolved")["suppressed"] is False  # 5
    assert _fig(build_monthly_report(scenario, "2026-11"), "grievances_resolved")["suppressed"]
    for fmt in ("json", "xlsx", "html", "pdf"):
        assert write_report(report, fmt, tmp_path / f"r.{fmt}").stat().st_size > 1000
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Plaintes et demandes reçues" in html
    assert "Confidentielles" in html
    assert "sexual_exploitation_abuse" not in html and "conduct" not in html
