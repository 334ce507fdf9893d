"""The results report on a hand-worked logframe, checked cell by cell in JSON.

Two programs. AWAL (2026-2027): six women of region 01 enrolled on 2026-06-15 (one exits on
2026-09-05), five of region 04 on 2026-07-20, two of region 01 on 2026-08-10. NOUR (2026): four
women of region 04 enrolled on 2026-07-05. July is frozen for AWAL; then a late correction adds a
sixth region-04 woman enrolled in AWAL on 2026-07-25. The report is for 2026-Q3, run on
2026-10-15.

By hand (new_enrollments is a flow, active_enrollments a stock; docs/kpis.md):

| target | window | pro-rated target | actual | % | status |
|---|---|---|---|---|---|
| NEW AWAL 2026 = 40 | 2026-01..09 | 40 x 9/12 = 30 | 6 (Jun) + 5 (Jul, frozen) + 2 + 0 = 13 | 43.33 | red |
| NEW AWAL region 01 Q3 = 2 | Q3 | 2 | 0 + 2 + 0 = 2 (suppressed: < 5) | 100 | green |
| NEW AWAL region 04 Q3 = 6 | Q3 | 6 | 5 (frozen July, not 6) + 0 + 0 = 5 | 83.33 | amber |
| NEW AWAL partner Amal Q3 = 10 | Q3 | 10 | reported 3 (Jul) + 4 (Aug) = 7 | 70 | red |
| ACTIVE AWAL Q3 = 12 (baseline 6); the 2026 target of the slot is not used | Q3 | 12 | September: 6 - 1 + 2 + 5 + 1 = 13 | 108.33 | green |
| ACTIVE NOUR Q3 = 5 | Q3 | 5 | 4 | 80 | amber |
| ONSSA (manual flow) NOUR Q3 = 4 | Q3 | 4 | 1 (Jul) + 2 (Sep); Q2's 5 is outside | 75 | red |
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from empower.reports import Scope, build_monthly_report, freeze
from empower.reports.results import build_partners_report, build_results_report
from sqlalchemy import select

import empower
from empower.models import Enrollment, Partner, Program
from empower.results import Thresholds
from empower.schemas import (
    AgreementCreate,
    ContributionCreate,
    IndicatorCreate,
    ManualResultCreate,
    PartnerCreate,
    TargetCreate,
)
from tests.factories import ACTOR, make_enrolled, make_program

TODAY = date(2026, 10, 15)
NOW = datetime(2026, 10, 15, 8, 0)
R01, R04 = "01.511", "04.441"


def _enrol(uow: empower.UnitOfWork, program: Program, on: date, province: str, n: int) -> list:
    return [make_enrolled(uow, program, on=on, province_code=province) for _ in range(n)]


@pytest.fixture
def logframe(db: empower.Database) -> empower.Database:
    with db.unit_of_work() as uow:
        awal = make_program(uow, code="AWAL", start_date=date(2026, 1, 1),
                            end_date=date(2027, 12, 31))
        nour = make_program(uow, code="NOUR", start_date=date(2026, 1, 1),
                            end_date=date(2026, 12, 31))
        first = _enrol(uow, awal, date(2026, 6, 15), R01, 6)
        _enrol(uow, awal, date(2026, 7, 20), R04, 5)
        _enrol(uow, awal, date(2026, 8, 10), R01, 2)
        _enrol(uow, nour, date(2026, 7, 5), R04, 4)
        leaving = uow.session.scalar(select(Enrollment.id).where(
            Enrollment.beneficiary_id == first[0].id))
        empower.exit_enrollment(uow, leaving, on=date(2026, 9, 5), reason="dropped_out",
                                actor=ACTOR)
        amal = empower.create_partner(uow, PartnerCreate(name="Amal", kind="association"),
                                      actor=ACTOR)
        new, _ = empower.save_indicator(uow, IndicatorCreate(
            code="NEW", name_fr="Nouvelles inscrites", name_ar="تسجيلات جديدة",
            kpi="new_enrollments", unit="femmes"), actor=ACTOR)
        active, _ = empower.save_indicator(uow, IndicatorCreate(
            code="ACTIVE", name_fr="Inscriptions actives", kpi="active_enrollments"), actor=ACTOR)
        onssa, _ = empower.save_indicator(uow, IndicatorCreate(
            code="ONSSA", name_fr="Coopératives certifiées ONSSA", kpi="manual",
            aggregation="flow"), actor=ACTOR)
        targets = [
            (new, awal, None, None, "2026", 40, None),
            (new, awal, None, "01", "2026-Q3", 2, None),
            (new, awal, None, "04", "2026-Q3", 6, None),
            (new, awal, amal, None, "2026-Q3", 10, None),
            (active, awal, None, None, "2026-Q3", 12, 6),
            (active, awal, None, None, "2026", 20, 0),
            (active, nour, None, None, "2026-Q3", 5, None),
            (onssa, nour, None, None, "2026-Q3", 4, None),
            (new, nour, None, None, "2026-Q4", 4, None),  # another quarter: not in the report
        ]
        for ind, prog, partner, region, period, value, baseline in targets:
            empower.set_target(uow, TargetCreate(
                indicator_id=ind.id, program_id=prog.id, partner_id=partner.id if partner else None,
                region_code=region, period=period, value=value, baseline=baseline), actor=ACTOR)
        for ind, prog, partner, period, value in (
                (new, awal, amal, "2026-07", 3), (new, awal, amal, "2026-08", 4),
                (onssa, nour, None, "2026-07", 1), (onssa, nour, None, "2026-09", 2),
                (onssa, nour, None, "2026-Q2", 5)):
            empower.record_manual_result(uow, ManualResultCreate(
                indicator_id=ind.id, program_id=prog.id,
                partner_id=partner.id if partner else None, period=period, value=value,
                source="rapport trimestriel"), actor=ACTOR)
        uow.commit()
    freeze(db, build_monthly_report(db, "2026-07", scope=Scope(program="AWAL")), actor=ACTOR)
    with db.unit_of_work() as uow:  # a late correction of July, after it was frozen
        awal = uow.session.scalar(select(Program).where(Program.code == "AWAL"))
        _enrol(uow, awal, date(2026, 7, 25), R04, 1)
        uow.commit()
    return db


def _rows(db: empower.Database, **filters: str) -> list[dict]:
    report = build_results_report(db, "2026-Q3", today=TODAY, now=NOW, threshold=5, **filters)
    return json.loads(report.to_json())["rows"]


def _pick(rows: list[dict], **want: object) -> dict:
    found = [r for r in rows if all(r.get(k) == v for k, v in want.items())]
    assert len(found) == 1, (want, found)
    return found[0]


EXPECTED = [
    # indicator, program, partner, region, target period, window, prorated, actual, %, status,
    # suppressed, note
    ("ACTIVE", "AWAL", None, None, "2026-Q3", ["2026-07", "2026-09"], 12, 13, 1.0833, "green",
     False, None),
    ("NEW", "AWAL", None, None, "2026", ["2026-01", "2026-09"], 30, 13, 0.4333, "red", False,
     None),
    ("NEW", "AWAL", None, "01", "2026-Q3", ["2026-07", "2026-09"], 2, 2, 1.0, "green", True,
     None),
    ("NEW", "AWAL", None, "04", "2026-Q3", ["2026-07", "2026-09"], 6, 5, 0.8333, "amber", False,
     None),
    ("NEW", "AWAL", "Amal", None, "2026-Q3", ["2026-07", "2026-09"], 10, 7, 0.7, "red", False,
     "partner_reported"),
    ("ACTIVE", "NOUR", None, None, "2026-Q3", ["2026-07", "2026-09"], 5, 4, 0.8, "amber", True,
     None),
    ("ONSSA", "NOUR", None, None, "2026-Q3", ["2026-07", "2026-09"], 4, 3, 0.75, "red", False,
     None),
]


def test_the_hand_worked_logframe_cell_by_cell(logframe: empower.Database) -> None:
    rows = _rows(logframe)
    assert len(rows) == len(EXPECTED)
    for ind, prog, partner, region, tperiod, window, pro, actual, pct, colour, hidden, note in (
            EXPECTED):
        row = _pick(rows, indicator=ind, program=prog, partner=partner, region=region)
        assert (row["target_period"], row["window"], row["prorated_target"], row["actual"],
                row["achievement"], row["status"], row["suppressed"], row["note"]) == (
            tperiod, window, pro, actual, pct, colour, hidden, note), row
    region04 = _pick(rows, indicator="NEW", region="04")
    assert region04["sources"] == {"2026-07": "frozen", "2026-08": "computed",
                                   "2026-09": "computed"}
    assert _pick(rows, indicator="ACTIVE", program="AWAL")["aggregation"] == "stock"
    assert _pick(rows, indicator="ACTIVE", program="AWAL")["baseline"] == 6
    assert _pick(rows, indicator="NEW", program="AWAL", region=None, partner=None)[
        "aggregation"] == "flow"
    # The correction is there when the month is computed: July now counts six in region 04.
    july = build_monthly_report(logframe, "2026-07", scope=Scope(program="AWAL")).figures
    assert july["new_enrollments"]["by_region"]["04"] == 6


def test_filters_and_thresholds(logframe: empower.Database) -> None:
    assert {r["program"] for r in _rows(logframe, program="NOUR")} == {"NOUR"}
    assert [r["region"] for r in _rows(logframe, region="04")] == ["04"]
    assert [r["partner"] for r in _rows(logframe, partner="Amal")] == ["Amal"]
    strict = build_results_report(logframe, "2026-Q3", today=TODAY, now=NOW,
                                  thresholds=Thresholds(green=1.1, amber=0.9))
    assert [r.status for r in strict.rows if r.indicator == "ACTIVE"] == ["amber", "red"]


def test_a_rerun_after_freezing_gives_the_same_figures_despite_corrections(
        logframe: empower.Database) -> None:
    for month in ("2026-08", "2026-09"):
        freeze(logframe, build_monthly_report(logframe, month, scope=Scope(program="AWAL")),
               actor=ACTOR)
    before = _rows(logframe)
    with logframe.unit_of_work() as uow:  # August corrected after it was frozen
        awal = uow.session.scalar(select(Program).where(Program.code == "AWAL"))
        _enrol(uow, awal, date(2026, 8, 20), R04, 3)
        uow.commit()
    after = _rows(logframe)
    figures = ("target", "prorated_target", "actual", "achievement", "status", "suppressed")
    assert [{k: r[k] for k in figures} for r in after] == [
        {k: r[k] for k in figures} for r in before]
    region04 = _pick(after, indicator="NEW", region="04")
    assert set(region04["sources"].values()) == {"frozen"} and region04["actual"] == 5
    assert _pick(after, indicator="ACTIVE", program="AWAL")["actual"] == 13
    # computed now, the quarter would say otherwise: the corrections are real
    september = build_monthly_report(logframe, "2026-09", scope=Scope(program="AWAL")).figures
    assert september["active_enrollments"]["value"] == 13 + 3


def test_a_period_before_the_targets_started_and_a_quarter_in_progress(
        logframe: empower.Database) -> None:
    rows = json.loads(build_results_report(logframe, "2026-Q3", today=date(2026, 8, 2),
                                           now=NOW).to_json())["rows"]
    new = _pick(rows, indicator="NEW", program="AWAL", region=None, partner=None)
    assert new["window"] == ["2026-01", "2026-08"] and new["prorated_target"] == pytest.approx(
        40 * 8 / 12, abs=1e-4)
    assert new["actual"] == 6 + 5 + 2


def test_the_partners_report(logframe: empower.Database) -> None:
    with logframe.unit_of_work() as uow:
        awal = uow.session.scalar(select(Program).where(Program.code == "AWAL"))
        amal = uow.session.scalar(select(Partner).where(Partner.name == "Amal"))
        agreement = empower.sign_agreement(uow, AgreementCreate(
            program_id=awal.id, partner_id=amal.id, signed_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31), committed="200000"), actor=ACTOR)
        for ref, amount, on, kind in (("VIR-1", "50000", date(2026, 2, 1), "cash"),
                                      ("NAT-1", "20000", date(2026, 5, 1), "in_kind"),
                                      ("VIR-2", "30000", date(2026, 11, 1), "cash")):
            empower.record_contribution(uow, ContributionCreate(
                agreement_id=agreement.id, amount=amount, received_on=on, reference=ref,
                kind=kind), actor=ACTOR)
        uow.commit()
    report = build_partners_report(logframe, "2026-Q3", today=date(2026, 12, 1), now=NOW)
    data = json.loads(report.to_json())
    assert data["on"] == "2026-09-30"
    (row,) = data["agreements"]
    assert (row["committed"], row["received"], row["cash"], row["in_kind"], row["balance"],
            row["last_contribution"], row["contributions"]) == (
        "200000.00", "70000.00", "50000.00", "20000.00", "130000.00", "2026-05-01", 2)
    # 70000 of 200000 over 364 days: due by day 127 (2026-05-08); 145 days behind on 09-30
    assert row["days_behind"] == 145


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_published_formats_hide_small_cells_and_draw_charts(
        logframe: empower.Database, tmp_path, lang: str) -> None:
    import os
    import shutil

    from empower.reports.render.results import write_partners, write_results
    from openpyxl import load_workbook

    report = build_results_report(logframe, "2026-Q3", today=TODAY, now=NOW)
    page = tmp_path / "r.html"
    write_results(report, "html", page, lang=lang)
    text = page.read_text(encoding="utf-8")
    assert text.count("<img") == 3  # one chart per indicator
    assert "&lt;5" in text  # the region-01 actual of 2 and NOUR's 4 are hidden
    assert ('dir="rtl"' in text) == (lang == "ar")
    book = tmp_path / "r.xlsx"
    write_results(report, "xlsx", book, lang=lang)
    ws = load_workbook(book).active
    actuals = [ws.cell(row=r, column=9).value for r in range(6, 6 + len(report.rows))]
    assert "<5" in actuals and 2 not in actuals and 4 not in actuals
    assert len(ws._charts) == 3
    pdf = tmp_path / "r.pdf"
    write_results(report, "pdf", pdf, lang=lang)
    assert pdf.read_bytes()[:4] == b"%PDF"
    partners = build_partners_report(logframe, "2026-Q3", today=TODAY, now=NOW)
    for fmt in ("html", "xlsx", "pdf", "json"):
        write_partners(partners, fmt, tmp_path / f"p.{fmt}", lang=lang)
    if os.environ.get("RESULTS_OUT"):  # to look at them
        for f in tmp_path.iterdir():
            shutil.copy(f, Path(os.environ["RESULTS_OUT"]) / f"{lang}-{f.name}")
