"""The monthly report's month-on-month change: every figure's total against the month before,
shares in points, hidden where either month is, in json, xlsx, html and pdf."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from empower.reports import build_monthly_report, write_report
from empower.reports.comparison import month_on_month
from openpyxl import load_workbook

import empower
from tests.factories import make_enrolled, make_program


def test_changes_by_kind_of_figure() -> None:
    now = {"active_enrollments": {"value": 12, "suppressed": False},
           "disbursed_amount": {"value": "1500.50", "suppressed": False},
           "attendance_rate": {"value": 0.75, "suppressed": False},
           "median_days_to_first_payment": {"value": 10, "suppressed": False},
           "exits": {"value": 2, "suppressed": True},
           "jobs_created": {"value": 7, "suppressed": False}}
    before = {"active_enrollments": {"value": 9, "suppressed": False},
              "disbursed_amount": {"value": "2000.00", "suppressed": False},
              "attendance_rate": {"value": 0.6, "suppressed": False},
              "median_days_to_first_payment": {"value": 12.5, "suppressed": False},
              "exits": {"value": 8, "suppressed": False}}
    out = month_on_month(now, before, "2026-09")
    assert out["active_enrollments"] == {"previous_month": "2026-09", "previous": 9,
                                         "change": 3, "unit": "count", "suppressed": False}
    assert (out["disbursed_amount"]["change"], out["disbursed_amount"]["unit"]) == ("-499.50",
                                                                                   "MAD")
    assert (out["attendance_rate"]["change"], out["attendance_rate"]["unit"]) == (15.0, "points")
    assert out["median_days_to_first_payment"]["change"] == -2.5
    assert out["exits"]["suppressed"] is True  # this month's 2 is hidden: so is its change
    assert "jobs_created" not in out  # nothing to compare with


@pytest.fixture
def two_months(db: empower.Database) -> empower.Database:
    with db.unit_of_work() as uow:
        program = make_program(uow, start_date=date(2026, 1, 1))
        for _ in range(6):
            make_enrolled(uow, program, on=date(2026, 9, 10))
        for _ in range(4):
            make_enrolled(uow, program, on=date(2026, 10, 3))
        uow.commit()
    return db


def test_the_report_carries_the_change_in_every_format(two_months: empower.Database,
                                                       tmp_path: Path) -> None:
    report = build_monthly_report(two_months, "2026-10", trend=True)
    data = json.loads(report.to_json())
    active = data["comparison"]["active_enrollments"]
    assert (active["previous"], active["change"], active["suppressed"]) == (6, 4, False)
    new = data["comparison"]["new_enrollments"]
    assert (new["previous"], new["change"], new["suppressed"]) == (6, -2, True)  # 4 is small
    assert data["comparison"]["beneficiaries_registered"]["change"] == 0
    write_report(report, "html", tmp_path / "m.html")
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "+4" in page and "par rapport à 2026-09" in page
    write_report(report, "xlsx", tmp_path / "m.xlsx", lang="en")
    ws = load_workbook(tmp_path / "m.xlsx").worksheets[0]
    rows = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=5).value
            for r in range(1, ws.max_row + 1)}
    assert rows["Women actively enrolled"] == 4 and rows["New enrolments"] == "<5"
    write_report(report, "pdf", tmp_path / "m.pdf", lang="ar")
    assert (tmp_path / "m.pdf").read_bytes()[:4] == b"%PDF"
