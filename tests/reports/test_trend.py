"""The 12-month trend reuses one extract, yet says what a report of each month alone says."""

from __future__ import annotations

from datetime import date

import pytest
from empower.reports import build_monthly_report
from empower.reports.figures import HEADLINE
from empower.reports.period import Month

from empower.demo import generate

AS_OF = date(2026, 11, 30)


@pytest.fixture
def demo(db):
    generate(db, beneficiaries=400, seed=3, as_of=AS_OF)
    return db


@pytest.mark.parametrize("region", [None, "04"])
def test_the_trend_equals_month_by_month_reports(demo, region):
    from empower.reports.extract import Scope

    scope = Scope(region=region)
    month = Month.parse("2026-10")
    report = build_monthly_report(demo, month, scope=scope, trend=True)
    assert set(report.trend) == set(HEADLINE)
    months = [str(month.shift(offset)) for offset in range(-11, 1)]
    for key, series in report.trend.items():
        assert [m for m, _ in series] == months, key
    for offset in range(-11, 1):
        alone = build_monthly_report(demo, month.shift(offset), scope=scope).figures
        for key in HEADLINE:
            figure = dict(report.trend[key])[str(month.shift(offset))]
            assert figure == {k: alone[key][k] for k in figure}, (key, offset)
    # the trend changes nothing in the month's own figures
    assert report.figures == build_monthly_report(demo, month, scope=scope).figures
    # and income moves over the year (the incremental path is exercised, not only month one)
    shares = [f["denominator"] for _, f in report.trend["income_increase_share"]]
    assert len(set(shares)) > 1
