"""The targeting KPIs of the monthly report on a hand-worked intake, held to the naive reading.

One call (``APPEL-SALE``, regions 04 and 06, 3 places) closes on 2026-09-30 and is selected on
2026-10-05. Its rules: age 18-45 at the closing date, rural, vulnerability score below 40; its
weights: 2 x household size, 5 for a disability, 10 for a widow. Eight women apply in September
(score in brackets, age at 2026-09-30 and its band):

====  ======  ======  ==========  ======  =====================  ============================
who   region  milieu  disability  age     result                 score, rank -> outcome
====  ======  ======  ==========  ======  =====================  ============================
W1    04      rural   no          36 35+  eligible               household 6: 12, 3 -> selected
W2    04      rural   yes         26 25+  eligible               household 4 + 5: 13, 2 -> selected
W3    06      rural   no (widow)  41 35+  eligible               household 3 + 10: 16, 1 -> selected
W4    04      urban   no          36 35+  refused (milieu)       stays refused
W5    04      rural   no          48 45+  refused (age), overrid household 5: 10, 4 -> waitlisted
W6    04      rural   yes         31 25+  eligible               household 2 + 5: 9, 5 -> waitlisted
W7    06      rural   no          24 18+  eligible               household 1: 2, 7 -> waitlisted
W8    04      rural   no          34 25+  eligible               household 4: 8, 6 -> waitlisted
====  ======  ======  ==========  ======  =====================  ============================

W7 turns 25 on 2026-10-15: at the month's end she is in 25-34, at the closing date (the age the
rules read, and the report's band for applicants) in 18-24.

October: 1 intake, 3 places; applicants 8, eligible 7 (W5 overridden), refused by rule 1 (W4),
overridden 1, selected 3, waitlisted 4; selection rate 3/7. By milieu: rural 3/7, urban 0/0
(W4, urban, was not eligible). By disability: yes 1/2 (W2 of W2, W6), no 2/5. By age band at
closing: 18-24 0/1 (W7), 25-34 1/3 (W2 of W2, W6, W8), 35-44 2/2 (W1, W3), 45-54 0/1 (W5). By
region: 04 2/5 (W1, W2 of W1, W2, W5, W6, W8), 06 1/2 (W3 of W3, W7). The enrolment KPIs:
3 new enrolments (the selected, on 10-05), 3 active; the waitlisted are not enrolled.

November: W1 drops out on 11-05, W5 (first on the list) is promoted on 11-10: one promotion,
one new enrolment, still 3 active; no selection, so the funnel is empty and says so. October
re-run after that gives the same figures.

A second program's call, closed but not selected, has one applicant: she counts nowhere.
"""

from __future__ import annotations

import json
from datetime import date
from html import unescape

import openpyxl
import pytest
from empower.reports import Scope, build_monthly_report, write_report
from empower.reports.period import Month
from empower.reports.render.html import render_html
from empower.reports.snapshots import diff_snapshot, freeze, load_snapshot
from sqlalchemy import select

import empower
from empower.models import Enrollment, ReportSnapshot
from empower.schemas import EnrollmentCreate, IntakeCreate
from empower.services import targeting
from tests.factories import ACTOR, make_beneficiary, make_program
from tests.reports.naive import naive_targeting

OCT, NOV = Month(2026, 10), Month(2026, 11)
RULES = [{"field": "age", "op": "between", "value": [18, 45]},
         {"field": "milieu", "op": "=", "value": "rural"},
         {"field": "vulnerability_score", "op": "<", "value": 40}]
WEIGHTS = [{"field": "household_size", "weight": 2}, {"field": "disability", "weight": 5},
           {"field": "marital_status", "weight": 10, "equals": "widowed"}]
RABAT = "06.141"
WOMEN = {  # province, milieu, disability, birth date, vulnerability, household, marital status
    "W1": ("04.441", "rural", False, date(1990, 3, 4), 30, 6, "married"),
    "W2": ("04.441", "rural", True, date(2000, 5, 1), 20, 4, "single"),
    "W3": (RABAT, "rural", False, date(1985, 1, 1), 35, 3, "widowed"),
    "W4": ("04.441", "urban", False, date(1990, 1, 1), 30, 5, "married"),
    "W5": ("04.441", "rural", False, date(1978, 6, 1), 25, 5, "married"),
    "W6": ("04.441", "rural", True, date(1995, 2, 2), 38, 2, "single"),
    "W7": (RABAT, "rural", False, date(2001, 10, 15), 15, 1, "single"),
    "W8": ("04.441", "rural", False, date(1992, 1, 1), 39.9, 4, "married"),
}


def _intake(uow, program, code, places, **extra):
    data = {"program_id": program.id, "code": code, "name": f"Appel {code}",
            "opens_on": date(2026, 9, 1), "closes_on": date(2026, 9, 30), "places": places,
            "region_codes": ["04", "06"], "rules": RULES, "weights": WEIGHTS,
            "promote_until": date(2026, 12, 31), **extra}
    intake = targeting.create_intake(uow, IntakeCreate.model_validate(data), actor=ACTOR)
    return targeting.open_intake(uow, intake.id, on=date(2026, 9, 1), actor=ACTOR)


@pytest.fixture
def intake(db):
    with db.unit_of_work() as uow:
        program = make_program(uow)
        call = _intake(uow, program, "APPEL-SALE", 3)
        call_id = call.id
        apps = {}
        for i, (who, (province, milieu, disabled, born, vuln, size, marital)) in enumerate(
                WOMEN.items()):
            woman = make_beneficiary(uow, province_code=province, milieu=milieu,
                                     disability=disabled, birth_date=born,
                                     vulnerability_score=vuln, household_size=size,
                                     marital_status=marital)
            apps[who] = empower.apply(uow, EnrollmentCreate(
                beneficiary_id=woman.id, program_id=program.id, applied_on=date(2026, 9, 10 + i),
                intake_id=call.id), actor=ACTOR)
        assert [w for w, e in apps.items() if not e.eligible] == ["W4", "W5"]
        targeting.override_refusal(uow, apps["W5"].id, reason="48 ans, veuve de fait, "
                                   "avis du comité local", actor=ACTOR)
        targeting.close_intake(uow, call.id, on=date(2026, 10, 1), actor=ACTOR)
        result = targeting.select_intake(uow, call.id, on=date(2026, 10, 5), actor=ACTOR)
        assert result.selected == [apps[w].id for w in ("W3", "W2", "W1")]
        assert result.waitlisted == [apps[w].id for w in ("W5", "W6", "W8", "W7")]
        # another program's call, closed, not selected: its applicant counts nowhere
        other = make_program(uow, code="TAMKINE", name="Tamkine")
        later = _intake(uow, other, "APPEL-AUTRE", 2)
        lone = make_beneficiary(uow, vulnerability_score=10)
        empower.apply(uow, EnrollmentCreate(beneficiary_id=lone.id, program_id=other.id,
                                            applied_on=date(2026, 9, 12), intake_id=later.id),
                      actor=ACTOR)
        targeting.close_intake(uow, later.id, on=date(2026, 10, 1), actor=ACTOR)
        uow.commit()
        ids = {w: e.id for w, e in apps.items()}
    return db, ids, call_id


def _promote(db, ids, call_id):
    with db.unit_of_work() as uow:
        empower.exit_enrollment(uow, ids["W1"], on=date(2026, 11, 5), reason="dropped_out",
                                actor=ACTOR)
        promoted = targeting.promote_waitlisted(uow, call_id, on=date(2026, 11, 10), actor=ACTOR)
        assert [e.id for e in promoted] == [ids["W5"]]
        uow.commit()


def _rate(fig):
    return (fig["numerator"], fig["denominator"])


def test_october_matches_the_hand_worked_funnel(intake):
    db, _, _ = intake
    k = build_monthly_report(db, OCT, threshold=1).figures
    funnel = {key: k[key]["value"] for key in (
        "selected_intakes", "intake_places", "applicants", "eligible_applicants",
        "refused_by_rule", "refusals_overridden", "selected_applicants",
        "waitlisted_applicants", "waitlist_promotions")}
    assert funnel == {"selected_intakes": 1, "intake_places": 3, "applicants": 8,
                      "eligible_applicants": 7, "refused_by_rule": 1, "refusals_overridden": 1,
                      "selected_applicants": 3, "waitlisted_applicants": 4,
                      "waitlist_promotions": 0}
    rate = k["selection_rate"]
    assert _rate(rate) == (3, 7) and rate["value"] == round(3 / 7, 4)
    assert {m: _rate(c) for m, c in rate["by_milieu"].items()} == {"urban": (0, 0),
                                                                  "rural": (3, 7)}
    assert {d: _rate(c) for d, c in rate["by_disability"].items()} == {"yes": (1, 2),
                                                                      "no": (2, 5)}
    assert {a: _rate(c) for a, c in rate["by_age_band"].items()} == {
        "18-24": (0, 1), "25-34": (1, 3), "35-44": (2, 2), "45-54": (0, 1), "55+": (0, 0)}
    assert _rate(rate["by_region"]["04"]) == (2, 5) and _rate(rate["by_region"]["06"]) == (1, 2)
    assert k["applicants"]["by_milieu"] == {"urban": 1, "rural": 7}
    assert k["applicants"]["by_age_band"]["18-24"] == 1  # W7, 24 at closing, 25 at 10-31
    assert k["refused_by_rule"]["by_milieu"]["urban"] == 1
    assert k["waitlisted_applicants"]["by_region"]["06"] == 1
    assert "by_region" not in k["intake_places"]
    # the waitlisted are not enrolled: the enrolment KPIs see the three selected only
    assert (k["new_enrollments"]["value"], k["active_enrollments"]["value"]) == (3, 3)


def test_a_promotion_counts_in_its_month_and_leaves_the_selection_month_alone(intake):
    db, ids, call_id = intake
    before = build_monthly_report(db, OCT, threshold=1).figures
    _promote(db, ids, call_id)
    after = build_monthly_report(db, OCT, threshold=1).figures
    assert {k: v for k, v in after.items() if k != "active_enrollments"} == {
        k: v for k, v in before.items() if k != "active_enrollments"}
    nov = build_monthly_report(db, NOV, threshold=1).figures
    assert nov["waitlist_promotions"]["value"] == 1
    assert nov["waitlist_promotions"]["by_age_band"]["45-54"] == 1  # W5, 48 at closing
    assert nov["selected_intakes"]["value"] == nov["applicants"]["value"] == 0
    assert nov["selection_rate"]["value"] is None
    assert (nov["new_enrollments"]["value"], nov["exits"]["value"],
            nov["active_enrollments"]["value"]) == (1, 1, 3)


@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
def test_the_report_agrees_with_the_naive_reading(intake, month):
    db, ids, call_id = intake
    _promote(db, ids, call_id)
    check_naive(db, Month.parse(month))


def check_naive(db, month):
    """The report's targeting figures equal the plain loops of tests/reports/naive.py."""
    k = build_monthly_report(db, month, threshold=1).figures
    with db.unit_of_work(readonly=True) as uow:
        expected = naive_targeting(uow, month)
    for key in ("selected_intakes", "intake_places", "applicants", "eligible_applicants",
                "refused_by_rule", "refusals_overridden", "selected_applicants",
                "waitlisted_applicants", "waitlist_promotions"):
        assert k[key]["value"] == expected[key], (month, key)
    assert _rate(k["selection_rate"]) == expected["selection_rate"]
    for how in ("milieu", "disability", "age_band", "region"):
        got = {c: _rate(v) for c, v in k["selection_rate"][f"by_{how}"].items() if v["denominator"]}
        assert got == expected[f"selection_rate_by_{how}"], (month, how)


def test_filters_match_the_breakdowns(intake):
    db, _, _ = intake
    whole = build_monthly_report(db, OCT, threshold=1).figures
    rabat = build_monthly_report(db, OCT, scope=Scope(region="06"), threshold=1).figures
    assert rabat["applicants"]["value"] == whole["applicants"]["by_region"]["06"] == 2
    assert _rate(rabat["selection_rate"]) == _rate(whole["selection_rate"]["by_region"]["06"])
    # the call is open in 04 and 06: its places count in both, in no other region
    assert rabat["intake_places"]["value"] == 3
    assert build_monthly_report(db, OCT, scope=Scope(region="01")).figures[
        "intake_places"]["value"] == 0
    other = build_monthly_report(db, OCT, scope=Scope(program="TAMKINE"), threshold=1).figures
    assert other["applicants"]["value"] == other["selected_intakes"]["value"] == 0
    by = build_monthly_report(db, OCT, by_program=True).figures
    assert by["applicants"]["by_program"] == {"AWAL": 8, "TAMKINE": 0}
    assert by["intake_places"]["suppressed_cells"]["by_program"] == []


def test_published_formats_show_the_section_with_small_cells_hidden(intake, tmp_path):
    db, _, _ = intake
    report = build_monthly_report(db, OCT, trend=True)
    html = render_html(report)
    assert 'id="targeting"' in html and "Ciblage et sélection" in html
    assert "Places offertes" in html and "En situation de handicap" in html
    assert "date de clôture" in html  # how the section is read
    # 3 selected, 3 places: the women are hidden, the call's places are not
    assert report.figures["selected_applicants"]["suppressed"] is True
    assert report.figures["intake_places"]["suppressed"] is False
    write_report(report, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    ws = wb["Ciblage et sélection"]
    header = [c.value for c in ws[1]]
    total = {h: c.value for h, c in zip(header, ws[2], strict=False)}
    assert total["Places offertes"] == 3 and total["Candidates"] == 8
    assert total["Candidates retenues"] == "<5"
    assert any(row[0] == "Handicap" for row in ws.iter_rows(values_only=True))
    assert len(ws._charts) == 7  # bars by region for the counts of women, none for the calls
    for lang in ("ar", "en"):
        write_report(report, "html", tmp_path / f"r.{lang}.html", lang=lang)
    assert "Applicants selected" in (tmp_path / "r.en.html").read_text(encoding="utf-8")
    write_report(report, "pdf", tmp_path / "r.pdf")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_a_month_without_selection_says_so(intake, tmp_path):
    db, _, _ = intake
    report = build_monthly_report(db, NOV)
    html = unescape(render_html(report))
    assert "Aucun appel à candidatures n'a fait l'objet d'une sélection ce mois-ci." in html
    section = html.split('id="targeting"', 1)[1].split("</section>", 1)[0]
    assert "Candidates retenues" not in section and "<table>" not in section
    write_report(report, "xlsx", tmp_path / "nov.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "nov.xlsx")["Ciblage et sélection"]
    assert [r for r in ws.iter_rows(values_only=True) if any(r)] == [
        ("Aucun appel à candidatures n'a fait l'objet d'une sélection ce mois-ci.",)]
    write_report(report, "pdf", tmp_path / "nov.pdf")


def test_an_old_snapshot_without_the_targeting_figures_still_diffs_and_renders(intake, tmp_path):
    db, _, _ = intake
    report = build_monthly_report(db, OCT)
    freeze(db, report, actor=ACTOR)
    old_keys = {"selected_intakes", "intake_places", "applicants", "eligible_applicants",
                "refused_by_rule", "refusals_overridden", "selected_applicants",
                "waitlisted_applicants", "selection_rate", "waitlist_promotions"}
    with db.unit_of_work() as uow:  # as frozen before the family existed
        snapshot = uow.session.scalar(select(ReportSnapshot))
        figures = json.loads(json.dumps(snapshot.figures))
        for key in old_keys:
            figures["kpis"].pop(key)
        snapshot.figures = figures
        uow.commit()
    stored = load_snapshot(db, "2026-10")
    result = diff_snapshot(db, stored, build_monthly_report(db, OCT))
    assert result.unchanged is True
    assert set(result.added) == old_keys
    # the frozen figures themselves render, without a targeting section
    from empower.reports.report import MonthlyReport

    old = MonthlyReport(month=OCT, scope=Scope(), threshold=5, figures=stored.figures["kpis"],
                        checksum=stored.checksum, generated_at=stored.frozen_at)
    assert 'id="targeting"' not in render_html(old)
    write_report(old, "xlsx", tmp_path / "old.xlsx")
    assert "Ciblage et sélection" not in openpyxl.load_workbook(tmp_path / "old.xlsx").sheetnames
    write_report(old, "pdf", tmp_path / "old.pdf")


def test_waitlisted_women_are_applications_not_enrolments(intake):
    db, ids, _ = intake
    with db.unit_of_work(readonly=True) as uow:
        waiting = uow.session.scalars(select(Enrollment).where(
            Enrollment.waitlisted_on.is_not(None))).all()
        assert {e.id for e in waiting} == {ids[w] for w in ("W5", "W6", "W8", "W7")}
        assert all(e.enrolled_on is None for e in waiting)


@pytest.fixture
def demo(db):
    from empower.demo import generate

    generate(db, beneficiaries=300, seed=11, as_of=date(2026, 11, 15))
    return db


def test_demo_agrees_with_the_naive_reading_and_breakdowns_add_up(demo):
    # the demo selects its call 40 days before as_of (2026-10-06) and promotes in October too
    for month in ("2026-09", "2026-10", "2026-11"):
        check_naive(demo, Month.parse(month))
    k = build_monthly_report(demo, OCT).figures
    assert k["selected_intakes"]["value"] == 1 and k["applicants"]["value"] > 0
    assert k["refusals_overridden"]["value"] == 1
    assert k["eligible_applicants"]["value"] + k["refused_by_rule"]["value"] == \
        k["applicants"]["value"]
    assert k["selected_applicants"]["value"] <= k["intake_places"]["value"]
    for key in ("applicants", "selected_applicants", "waitlisted_applicants"):
        for name in ("by_region", "by_province", "by_age_band", "by_milieu", "by_disability"):
            assert sum(k[key][name].values()) == k[key]["value"], (key, name)
    for name in ("by_age_band", "by_milieu", "by_disability"):
        cells = k["selection_rate"][name].values()
        assert (sum(c["numerator"] for c in cells), sum(c["denominator"] for c in cells)) == (
            k["selection_rate"]["numerator"], k["selection_rate"]["denominator"])


def test_targeting_kpi_functions_on_literal_frames():
    """The edges: a selection on the month's last day counts, the next day's does not; a
    promotion counts in its own month; zero cells stay suppressed, calls and places never."""
    import pandas as pd
    from empower.reports import kpis
    from empower.reports.figures import compute_figures

    from tests.reports.test_kpis import empty_facts

    her = {"region": "04", "province": "04.441", "age_band": "25-34", "milieu": "rural",
           "disability": "no"}
    row = {**her, "eligible": 1, "overridden": 0, "selected": 0, "waitlisted": 0,
           "promoted_on": None, "n": 1}
    apps = pd.DataFrame([
        {**row, "selected_on": date(2026, 10, 31), "selected": 1, "n": 2},
        {**row, "selected_on": date(2026, 10, 31), "waitlisted": 1, "disability": "yes"},
        {**row, "selected_on": date(2026, 10, 31), "eligible": 0, "n": 3},
        {**row, "selected_on": date(2026, 10, 31), "overridden": 1, "waitlisted": 1},
        {**row, "selected_on": date(2026, 11, 1), "selected": 1, "n": 9},  # November's
        {**row, "selected_on": date(2026, 9, 30), "waitlisted": 1,
         "promoted_on": date(2026, 10, 1)},  # September's list, promoted in October
    ])
    calls = pd.DataFrame([{"selected_on": date(2026, 10, 31), "places": 2, "n": 1},
                          {"selected_on": date(2026, 11, 1), "places": 9, "n": 1}])
    assert kpis.applicants(apps, OCT)["n"].sum() == 7
    assert kpis.refused_by_rule(apps, OCT)["n"].sum() == 3
    assert kpis.refusals_overridden(apps, OCT)["n"].sum() == 1
    assert kpis.waitlist_promotions(apps, OCT)["n"].sum() == 1
    k = compute_figures(empty_facts(applications=apps, intakes=calls), OCT, threshold=5)
    assert (k["selected_intakes"]["value"], k["intake_places"]["value"]) == (1, 2)
    assert k["selected_intakes"]["suppressed"] is False and k["intake_places"]["suppressed"] is False
    rate = k["selection_rate"]
    assert (rate["numerator"], rate["denominator"]) == (2, 4)  # the 2 selected of 4 eligible
    assert rate["by_disability"]["yes"]["denominator"] == 1
    assert "unknown" not in rate["by_disability"]  # shown only when recorded so
    assert k["selected_applicants"]["suppressed"] is True  # 2 < 5
    assert k["applicants"]["by_disability"] == {"yes": 1, "no": 6}
    nothing = compute_figures(empty_facts(), OCT)
    assert nothing["applicants"]["value"] == nothing["selected_intakes"]["value"] == 0
    assert nothing["selection_rate"]["value"] is None
