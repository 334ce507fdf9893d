"""The panel's dashboard and the monthly report agree, figure by figure, for one day and scope.

The scenario (:mod:`tests.scenarios`) holds the shapes that made them disagree: a woman
enrolled in two programs, a woman archived while enrolled, an enrolment that starts and one that
ends on the day, a cancelled grant, a cooperative dissolved on the day and one founded after it,
a duplicate pair across regions, and ages at the edges of the bands. The dashboard is read on the
last day of the month; the report is the month's.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from empower.reports.extract import Scope
from empower.reports.report import build_monthly_report
from sqlalchemy import func, select

from empower import scope
from empower.models import Beneficiary, DuplicateCandidate
from empower.panel_queries import dashboard_counts
from empower.predicates import AGE_BANDS, REGISTERED, in_age_band_sql
from tests.scenarios import MONTH, TODAY, build


def _report_side(figures: dict, region: str | None = None) -> dict[str, int]:
    """The report's figures under the dashboard's names (one region of its breakdown, or all)."""

    def count(key: str) -> int:
        fig = figures[key]
        return fig["value"] if region is None else fig["by_region"][region]

    paid = figures["disbursed_amount"]
    amount = paid["value"] if region is None else paid["by_region"][region]
    out = {"beneficiaries": count("beneficiaries_registered"),
           "active_enrollments": count("active_enrollments"),
           "cooperatives": count("cooperatives_active"),
           "grants_approved_month": count("grants_approved_count"),
           "paid_month_centimes": int(Decimal(amount) * 100)}
    if region is None:
        out["disbursements_paid_month"] = paid["count"]
    return out


@pytest.fixture
def scenario(db):
    return build(db)


def test_the_dashboard_says_what_the_report_says(db, scenario):
    national = build_monthly_report(db, MONTH, threshold=1).figures
    with db.unit_of_work(readonly=True) as uow:
        country = dashboard_counts(uow, regions=None, today=TODAY)
        regional = {r: dashboard_counts(uow, regions=[r], today=TODAY) for r in ("04", "01")}
        pairs = {r: uow.session.scalar(select(func.count(DuplicateCandidate.id)).where(
            scope.condition(DuplicateCandidate, [r]))) for r in ("04", "01")}
        banded = {band.label: uow.session.scalar(select(func.count(Beneficiary.id)).where(
            REGISTERED.sql(TODAY, Beneficiary), in_age_band_sql(band.label, TODAY,
                                                                 Beneficiary.birth_date)))
            for band in AGE_BANDS}

    # Field by field, for the whole country.
    report = _report_side(national)
    assert {k: country[k] for k in report} == report
    # And for each region: the report filtered to it, and its row of the national breakdown.
    for region, counts in regional.items():
        filtered = build_monthly_report(db, MONTH, scope=Scope(region=region),
                                        threshold=1).figures
        report = _report_side(filtered)
        assert {k: counts[k] for k in report} == report, region
        breakdown = _report_side(national, region)
        assert {k: counts[k] for k in breakdown} == breakdown, region

    # The figures themselves, so that agreeing is not agreeing on nothing:
    # Amina (two programs) counts once, Basma (archived) and Dounia (exited on the day) not,
    # Chama (enrolled on the day) does, Fatima's enrolment is dated after the day.
    assert country["active_enrollments"] == 3
    assert regional["04"]["active_enrollments"] == 2
    assert regional["01"]["active_enrollments"] == 1
    assert country["beneficiaries"] == 8  # nine registered, Basma archived
    # Active: k04 and k01; one was dissolved on the day, one is founded after it.
    assert country["cooperatives"] == 2 and regional["04"]["cooperatives"] == 1
    # Approved in the month and standing: Amina's, Khadija's and k01's (Basma's was cancelled,
    # k04's was approved in September).
    assert country["grants_approved_month"] == 3 and regional["04"]["grants_approved_month"] == 1
    assert country["disbursements_paid_month"] == 3
    assert regional["04"]["paid_month_centimes"] == 2 * 250_050

    # Duplicates: the pair across regions is in neither region's dashboard nor list.
    assert regional["04"]["open_duplicates"] == pairs["04"] == 1
    assert regional["01"]["open_duplicates"] == pairs["01"] == 0
    assert country["open_duplicates"] == 2

    # One set of age bands: the report's breakdown is what the band filter finds.
    assert national["beneficiaries_registered"]["by_age_band"] == banded
    # Chama turns 55 on the day, Amina 25 (with Fatima, 31), Dounia (born on 29 February) is
    # 54; Basma, 25 the day after, was archived.
    assert banded == {"18-24": 0, "25-34": 2, "35-44": 4, "45-54": 1, "55+": 1}
