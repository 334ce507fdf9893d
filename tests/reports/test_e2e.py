"""End to end: the database -> every format, on a hand-worked scenario and on the demo data."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from empower.reports import Scope, build_monthly_report, write_report
from empower.reports.figures import CATALOGUE
from empower.reports.period import Month
from empower.reports.snapshots import diff_snapshot, freeze, load_snapshot
from typer.testing import CliRunner

import empower
from empower.demo import generate
from empower.errors import Conflict, InvalidInput, NotFound
from empower.schemas import CooperativeCreate, DisbursementCreate, MembershipCreate, SurveyCreate
from tests.factories import (
    ACTOR,
    make_activity,
    make_enrolled,
    make_grant,
    make_program,
    make_session,
)
from tests.reports.naive import naive_figures

OCT = Month(2026, 10)
AS_OF = date(2026, 11, 15)


def pay(uow, grant_id, amount, on):
    return empower.disburse(uow, DisbursementCreate(grant_id=grant_id, amount=Decimal(amount),
                                                    paid_on=on, channel="bank_transfer"),
                            actor=ACTOR)


@pytest.fixture
def scenario(db):
    """Eight women, a cooperative, three grants and a few surveys around October 2026."""
    with db.unit_of_work() as uow:
        program = make_program(uow, budget=Decimal("1000000"))
        feb = date(2026, 2, 1)
        sale = {"province_code": "04.441"}
        women = {name: make_enrolled(uow, program, on=feb, **sale) for name in "ABDEF"}
        women["G"] = make_enrolled(uow, program, on=feb, province_code="06.141", milieu="urban")
        women["H"] = make_enrolled(uow, program, on=feb, province_code="06.141", milieu="urban",
                                   birth_date=date(1960, 5, 5))
        women["C"] = make_enrolled(uow, program, on=date(2026, 10, 12), registered_on=date(2026, 10, 10),
                                   consent_date=date(2026, 10, 10), **sale)
        enrollment_a = women["A"].enrollments[0]
        empower.exit_enrollment(uow, enrollment_a.id, on=date(2026, 10, 31), reason="completed",
                                actor=ACTOR)
        empower.archive_beneficiary(uow, women["B"].id, on=date(2026, 10, 15), actor=ACTOR)
        coop = empower.found_cooperative(uow, CooperativeCreate(
            reference="COOP-1", name="Tifawin", sector="argan", province_code="06.141",
            founded_on=date(2025, 1, 1), women_led=True), actor=ACTOR)
        for name in "GH":
            empower.admit_member(uow, MembershipCreate(cooperative_id=coop.id,
                                                       beneficiary_id=women[name].id,
                                                       joined_on=date(2025, 6, 1)), actor=ACTOR)
        to_d = make_grant(uow, program, beneficiary_id=women["D"].id, amount="20000")
        empower.approve_grant(uow, to_d.id, on=date(2026, 10, 5), actor=ACTOR)
        pay(uow, to_d.id, "10000", date(2026, 10, 20))
        # Requested after its founding (the factory's default date is before it).
        to_coop = make_grant(uow, program, cooperative_id=coop.id, amount="30000",
                             submitted_on=date(2025, 6, 1))
        empower.approve_grant(uow, to_coop.id, on=date(2026, 10, 6), actor=ACTOR)
        pay(uow, to_coop.id, "30000", date(2026, 10, 31))
        to_e = make_grant(uow, program, beneficiary_id=women["E"].id, amount="15000")
        empower.approve_grant(uow, to_e.id, on=date(2026, 10, 7), actor=ACTOR)
        empower.cancel_grant(uow, to_e.id, on=date(2026, 10, 25), actor=ACTOR)
        survey = {"program_id": program.id}
        empower.record_survey(uow, SurveyCreate(beneficiary_id=women["D"].id, round="baseline",
                                                surveyed_on=date(2026, 2, 5),
                                                monthly_income=Decimal("1000"), has_account=False,
                                                **survey), actor=ACTOR)
        empower.record_survey(uow, SurveyCreate(beneficiary_id=women["D"].id, round="m6",
                                                surveyed_on=date(2026, 8, 5),
                                                monthly_income=Decimal("1500"), has_account=True,
                                                jobs_created=1, **survey), actor=ACTOR)
        empower.record_survey(uow, SurveyCreate(beneficiary_id=women["F"].id, round="m6",
                                                surveyed_on=date(2026, 10, 10),
                                                monthly_income=Decimal("900"), jobs_created=2,
                                                **survey), actor=ACTOR)
        uow.commit()
    return db


def test_scenario_matches_hand_worked_values(scenario):
    k = build_monthly_report(scenario, OCT).to_dict()["kpis"]
    assert k["beneficiaries_registered"]["value"] == 7  # 8 women, B archived on 10-15
    assert k["new_registrations"]["value"] == 1  # C
    assert k["active_enrollments"]["value"] == 6  # A exits on 10-31, B archived
    assert k["active_enrollments"]["by_region"]["04"] == 4  # C, D, E, F
    assert k["active_enrollments"]["by_age_band"]["55+"] == 1  # H, born 1960
    assert (k["new_enrollments"]["value"], k["exits"]["value"]) == (1, 1)
    assert k["exits"]["by_exit_reason"] == {"completed": 1}
    assert k["cooperatives_active"]["value"] == 1
    assert k["cooperatives_active"]["by_region"]["06"] == 1
    assert k["cooperatives_women_led_share"]["value"] == 1.0
    assert k["cooperative_members"]["value"] == 2
    # E's grant was cancelled on 10-25; the cooperative's counts in its own region (06)
    assert k["grants_approved_count"]["value"] == 2
    assert k["grants_approved_amount"]["value"] == "50000.00"
    assert k["grants_approved_amount"]["by_region"]["06"] == "30000.00"
    assert k["grants_approved_amount"]["by_region"]["04"] == "20000.00"
    assert k["grants_approved_amount"]["by_age_band"]["cooperative"] == "30000.00"
    assert k["disbursed_amount"]["value"] == "40000.00"
    assert k["cumulative_approved_amount"]["value"] == "50000.00"
    assert k["disbursement_rate"]["value"] == 0.8
    assert k["median_days_to_first_payment"]["value"] == 20  # 15 and 25 days
    share = k["income_increase_share"]
    assert (share["numerator"], share["denominator"]) == (1, 1)  # F has no baseline
    assert k["median_income_change"]["value"] == "500.00"
    assert k["jobs_created"]["value"] == 2  # D's job was reported in August
    access = k["access_to_finance_share"]
    assert (access["numerator"], access["denominator"]) == (1, 2)
    # the small-cell marks: 6 is published, 4 in region 04 would be hidden
    assert k["active_enrollments"]["suppressed"] is False
    assert "04" in k["active_enrollments"]["suppressed_cells"]["by_region"]


@pytest.fixture
def trainings(scenario):
    """The scenario's women at two trainings and a fair, and three coaching visits."""
    from sqlalchemy import select

    from empower.models import Beneficiary, Cooperative
    from empower.schemas import VisitCreate

    with scenario.unit_of_work() as uow:
        program = empower.program_by_code(uow, "AWAL")
        # The women in the scenario's order: A, B, D, E, F (Salé, Feb), G, H (Rabat), C (Oct).
        women = dict(zip("ABDEFGHC", uow.session.scalars(
            select(Beneficiary.id).order_by(Beneficiary.id)), strict=True))
        # T1: four sessions planned, 0.75 to complete, ended on 10-20 (one session cancelled
        # and replaced by one on 10-18).
        t1 = make_activity(uow, program, code="T1", province_code="04.441", planned_sessions=4,
                           completion_share=0.75, starts_on=date(2026, 9, 1),
                           ends_on=date(2026, 10, 20))
        s1 = make_session(uow, t1, date(2026, 9, 15))
        s2 = make_session(uow, t1, date(2026, 10, 1))
        s3 = make_session(uow, t1, date(2026, 10, 10))
        s4 = make_session(uow, t1, date(2026, 10, 12), held=False)
        empower.cancel_session(uow, s4.id, actor=ACTOR)
        s5 = make_session(uow, t1, date(2026, 10, 18))
        # T2: no province, two sessions, half to complete, running until December.
        t2 = make_activity(uow, program, code="T2", planned_sessions=2, completion_share=0.5,
                           starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 15))
        s6 = make_session(uow, t2, date(2026, 10, 25))
        make_session(uow, t2, date(2026, 11, 20), held=False)
        # A fair in Rabat: its sessions and lines count, it is no training.
        fair = make_activity(uow, program, code="FAIR", kind="fair", province_code="06.141",
                             planned_sessions=1, starts_on=date(2026, 10, 30),
                             ends_on=date(2026, 10, 30))
        s8 = make_session(uow, fair, date(2026, 10, 30))

        def roster(session, marks):
            empower.record_roster(uow, session.id, [
                {"beneficiary_id": women[w], "status": st} for w, st in marks.items()],
                actor=ACTOR)

        P, A, X = "present", "absent", "excused"
        roster(s1, {"A": P, "B": P, "D": P, "E": A})
        roster(s2, {"A": P, "B": P, "D": A, "E": P})
        roster(s3, {"A": P, "B": P, "D": P, "E": X})
        roster(s5, {"A": A, "D": P, "E": A, "C": P})  # B archived on 10-15, C enrolled 10-12
        roster(s6, {"G": P, "H": A})
        roster(s8, {"G": P, "H": P})
        coop = uow.session.scalar(select(Cooperative.id))
        for ref, visit in (("V1", {"beneficiary_id": women["D"], "visited_on": date(2026, 10, 25),
                                   "next_visit_due": date(2026, 11, 25)}),
                           ("V2", {"cooperative_id": coop, "visited_on": date(2026, 8, 2)}),
                           ("V3", {"beneficiary_id": women["F"], "visited_on": date(2026, 10, 5)})):
            empower.record_visit(uow, VisitCreate.model_validate(
                {"reference": ref, "program_id": program.id, "kind": "on_site", **visit}),
                actor=ACTOR)
        uow.commit()
    return scenario


def test_trainings_match_hand_worked_values(trainings):
    k = build_monthly_report(trainings, OCT, threshold=1).to_dict()["kpis"]
    # held in October: T1's 10-01, 10-10, 10-18 (09-15 is September, 10-12 cancelled), T2's
    # 10-25, the fair's 10-30; by the activity's place, T2 has none
    held = k["sessions_held"]
    assert held["value"] == 5
    assert {r: v for r, v in held["by_region"].items() if v} == {"04": 3, "06": 1, "unknown": 1}
    # roster lines of those sessions: 4 + 4 + 4 + 2 + 2 = 16, present 3 + 3 + 2 + 1 + 2 = 11
    # (E's excused line is expected, not present)
    rate = k["attendance_rate"]
    assert (rate["numerator"], rate["denominator"]) == (11, 16)
    assert rate["by_region"]["06"]["numerator"] == 3  # G twice, H at the fair
    # completed a training by 10-31: A and D (3 of 4 in T1), G (1 of 2 in T2, still running);
    # B also had 3 of 4 but was archived on 10-15; E and C 1 of 4
    done = k["trainings_completed"]
    assert done["value"] == 3
    assert done["by_region"] == {**{r: 0 for r in done["by_region"]}, "04": 2, "06": 1}
    # T1 ended: on its roster A, D, E, C (B archived); completed A and D
    share = k["training_completion_rate"]
    assert (share["numerator"], share["denominator"], share["value"]) == (2, 4, 0.5)
    # visits in October: D (10-25) and F (10-05); the cooperative's was in August
    assert k["coaching_visits"]["value"] == 2
    assert "cooperative" not in k["coaching_visits"]["by_age_band"]
    # funded by 10-31: D (10-20) and the cooperative (10-31); E's grant was cancelled unpaid.
    # Visited in 08-03..10-31: D; the cooperative's visit (08-02) is the 91st day back
    funded = k["funded_visited_90d_share"]
    assert (funded["numerator"], funded["denominator"]) == (1, 2)
    assert funded["by_age_band"]["cooperative"] == {"value": 0.0, "numerator": 0,
                                                    "denominator": 1, "suppressed": False}
    # September: one session (T1's 09-15), nobody had completed yet (2 of 4 is not 0.75)
    sep = build_monthly_report(trainings, Month(2026, 9), threshold=1).figures
    assert (sep["sessions_held"]["value"], sep["trainings_completed"]["value"]) == (1, 0)
    assert sep["funded_visited_90d_share"]["denominator"] == 0


def test_trainings_agree_with_naive_reading(trainings):
    for month in ("2026-09", "2026-10", "2026-11"):
        _check_naive(trainings, build_monthly_report(trainings, month))


def test_trainings_by_program_and_region(trainings):
    whole = build_monthly_report(trainings, OCT, threshold=1).figures
    rabat = build_monthly_report(trainings, OCT, scope=Scope(region="06"), threshold=1).figures
    # sessions by the activity's region: the fair; lines, completion and visits by hers
    assert rabat["sessions_held"]["value"] == whole["sessions_held"]["by_region"]["06"] == 1
    for key in ("attendance_rate", "training_completion_rate", "funded_visited_90d_share"):
        assert ({x: rabat[key][x] for x in ("numerator", "denominator")}
                == {x: whole[key]["by_region"]["06"][x] for x in ("numerator", "denominator")})
    assert rabat["trainings_completed"]["value"] == whole["trainings_completed"]["by_region"]["06"]
    other = build_monthly_report(trainings, OCT, scope=Scope(program="AWAL")).figures
    assert other["sessions_held"]["value"] == 5


def test_a_past_month_reruns_to_the_same_numbers_after_later_facts(scenario):
    before = build_monthly_report(scenario, OCT)
    with scenario.unit_of_work() as uow:
        program = empower.program_by_code(uow, "AWAL")
        make_enrolled(uow, program, on=date(2026, 11, 3), registered_on=date(2026, 11, 2),
                      consent_date=date(2026, 11, 2))
        uow.commit()
    after = build_monthly_report(scenario, OCT)
    assert after.figures == before.figures
    assert after.checksum == before.checksum


@pytest.fixture
def demo(db):
    generate(db, beneficiaries=300, seed=11, as_of=AS_OF)
    return db


def _check_naive(db, report):
    with db.unit_of_work(readonly=True) as uow:
        expected = naive_figures(uow, report.month)
    k = report.figures
    for key in ("beneficiaries_registered", "new_registrations", "active_enrollments",
                "new_enrollments", "exits", "cooperatives_active", "cooperative_members",
                "grants_approved_count", "jobs_created", "sessions_held", "trainings_completed",
                "coaching_visits", "instructions_sent", "instructions_paid",
                "instructions_failed"):
        assert k[key]["value"] == expected[key], key
    for key in ("grants_approved_amount", "cumulative_approved_amount", "disbursed_amount",
                "cumulative_disbursed_amount", "in_flight_amount"):
        assert Decimal(k[key]["value"]) * 100 == expected[key], key
    for key in ("cooperatives_women_led", "income_increase_share", "access_to_finance_share",
                "business_survival_12m", "business_survival_12m_response_rate",
                "attendance_rate", "training_completion_rate", "funded_visited_90d_share",
                "payment_failure_rate"):
        fig = k[key if key != "cooperatives_women_led" else "cooperatives_women_led_share"]
        assert (fig["numerator"], fig["denominator"]) == expected[key], key
    assert k["median_days_to_first_payment"]["value"] == expected["median_days_to_first_payment"]
    assert (k["median_days_approval_to_payment"]["value"]
            == expected["median_days_approval_to_payment"])
    rates = {c: (v["numerator"], v["denominator"])
             for c, v in k["payment_failure_rate"]["by_channel"].items() if v["denominator"]}
    assert rates == expected["payment_failure_rate_by_channel"]
    flying = {r: Decimal(v) * 100 for r, v in k["in_flight_amount"]["by_region"].items()
              if Decimal(v)}
    assert flying == dict(expected["in_flight_amount_by_region"])
    if expected["median_income_change"] is not None:
        assert Decimal(k["median_income_change"]["value"]) * 100 == Decimal(
            str(expected["median_income_change"]))
    by_region = {r: v for r, v in k["active_enrollments"]["by_region"].items() if v}
    assert by_region == dict(expected["active_enrollments_by_region"])
    money = {r: Decimal(v) * 100 for r, v in k["grants_approved_amount"]["by_region"].items()
             if Decimal(v)}
    assert money == dict(expected["grants_approved_amount_by_region"])


def test_scenario_agrees_with_naive_reading(scenario):
    _check_naive(scenario, build_monthly_report(scenario, OCT))


@pytest.mark.parametrize("month", ["2025-12", "2026-06", "2026-10", "2026-11"])
def test_demo_agrees_with_naive_reading(demo, month):
    _check_naive(demo, build_monthly_report(demo, month))


def test_breakdowns_sum_to_totals(demo):
    figures = build_monthly_report(demo, OCT).figures
    for kpi in CATALOGUE:
        fig = figures[kpi.key]
        for name in ("by_region", "by_province", "by_age_band", "by_milieu", "by_channel",
                     "by_exit_reason", "by_outcome"):
            if name not in fig:
                continue
            cells = fig[name].values()
            if kpi.kind == "count":
                assert sum(cells) == fig["value"], (kpi.key, name)
            elif kpi.kind == "money":
                assert sum(Decimal(v) for v in cells) == Decimal(fig["value"]), (kpi.key, name)
            elif kpi.kind in ("share", "money_share"):
                num = sum(Decimal(str(c["numerator"])) for c in cells)
                den = sum(Decimal(str(c["denominator"])) for c in cells)
                assert (num, den) == (Decimal(str(fig["numerator"])),
                                      Decimal(str(fig["denominator"]))), (kpi.key, name)
            else:
                assert sum(c["count"] for c in cells) == fig["count"], (kpi.key, name)


def test_region_and_program_filters_match_the_breakdowns(demo):
    whole = build_monthly_report(demo, OCT).figures
    region = next(r for r, v in whole["active_enrollments"]["by_region"].items() if v)
    part = build_monthly_report(demo, OCT, scope=Scope(region=region)).figures
    for key in ("beneficiaries_registered", "active_enrollments", "grants_approved_count"):
        assert part[key]["value"] == whole[key]["by_region"][region], key
    assert part["disbursed_amount"]["value"] == whole["disbursed_amount"]["by_region"][region]
    assert list(part["active_enrollments"]["by_region"]) == [region]
    with demo.unit_of_work(readonly=True) as uow:
        from sqlalchemy import select

        from empower.models import Program

        codes = uow.session.scalars(select(Program.code)).all()
    per_program = [build_monthly_report(demo, OCT, scope=Scope(program=c)).figures for c in codes]
    assert sum(f["new_enrollments"]["value"] for f in per_program) == whole["new_enrollments"]["value"]
    assert sum(Decimal(f["disbursed_amount"]["value"]) for f in per_program) == Decimal(
        whole["disbursed_amount"]["value"])


def test_unknown_filters_and_bad_month_are_clear_errors(demo):
    with pytest.raises(NotFound, match="region"):
        build_monthly_report(demo, OCT, scope=Scope(region="99"))
    with pytest.raises(NotFound, match="program"):
        build_monthly_report(demo, OCT, scope=Scope(program="NOPE"))
    with pytest.raises(InvalidInput, match="month"):
        build_monthly_report(demo, "2026-13")


def test_two_runs_differ_only_in_generation_time(demo, tmp_path):
    first = build_monthly_report(demo, OCT).to_dict()
    second = build_monthly_report(demo, OCT).to_dict()
    first.pop("generated_at"), second.pop("generated_at")
    assert first == second
    assert re.fullmatch(r"[0-9a-f]{64}", first["checksum"])
    assert first["library_version"] == empower.__version__
    assert first["filters"] == {"region": None, "program": None}


def test_every_format_and_the_xlsx_totals_equal_the_json(demo, tmp_path):
    report = build_monthly_report(demo, OCT, trend=True)
    for fmt in ("json", "xlsx", "html", "pdf"):
        path = write_report(report, fmt, tmp_path / f"r.{fmt}")
        assert path.stat().st_size > 1000, fmt
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["Synthèse", "Portée", "Coopératives", "Subventions", "Résultats",
                             "Formations et suivi", "Paiements",
                             "Ciblage et sélection", "Plaintes et demandes", "Tendances"]
    from empower.reports.render.i18n import Labels

    L = Labels("fr")
    rows = {r[0]: r[1] for r in wb["Synthèse"].iter_rows(values_only=True) if r[0]}
    for kpi in CATALOGUE:
        fig = data["kpis"][kpi.key]
        cell = rows[L.kpi(kpi.key)]
        if fig["suppressed"]:
            assert cell == "<5", kpi.key
        elif kpi.kind == "count":
            assert cell == fig["value"], kpi.key
        elif kpi.kind in ("money", "median_money"):
            assert Decimal(str(cell)).quantize(Decimal("0.01")) == Decimal(fig["value"]), kpi.key
        elif fig["value"] is not None:
            assert cell == pytest.approx(fig["value"]), kpi.key
    # the family sheets: frozen header, total row equal to the JSON, native charts
    reach = wb["Portée"]
    assert reach.freeze_panes == "C2"
    assert reach.cell(row=2, column=3).value == data["kpis"]["beneficiaries_registered"]["value"]
    assert reach._charts
    grants = wb["Subventions"]
    money_formats = {c.number_format for row in grants.iter_rows(min_row=2) for c in row
                     if isinstance(c.value, (int, float))}
    assert '#,##0.00 "MAD"' in money_formats
    trend = wb["Tendances"]
    assert trend.max_row == 13 and len(trend._charts) == 7


def test_published_outputs_hold_no_cin_phone_or_name(demo, tmp_path):
    report = build_monthly_report(demo, OCT, trend=True)
    from sqlalchemy import select

    from empower.models import Beneficiary

    with demo.unit_of_work(readonly=True) as uow:
        people = uow.session.scalars(select(Beneficiary)).all()
    for lang in ("fr", "ar", "en"):
        from empower.reports.render.html import render_html

        html = render_html(report, lang=lang)
        for b in people:
            secrets = [b.cin, b.phone, b.phone and "0" + b.phone[4:],
                       " ".join(p for p in (b.first_name, b.last_name) if p),
                       " ".join(p for p in (b.first_name_ar, b.last_name_ar) if p)]
            for secret in filter(None, secrets):
                assert secret not in html, (lang, b.id)
    write_report(report, "xlsx", tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    text = " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    assert not any(b.cin and b.cin in text for b in people)


def test_small_cells_are_not_published(demo, tmp_path):
    report = build_monthly_report(demo, OCT)
    fig = report.figures["exits"]
    hidden = fig["suppressed_cells"]["by_province"]
    assert hidden  # a few exits per province: some are below 5
    from empower.reports.render.html import render_html

    html = render_html(report)
    assert "&lt;5" in html and "inférieurs à 5" in html
    write_report(report, "xlsx", tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Portée"]
    exits_col = next(c.column for c in ws[1] if c.value == "Sorties")
    for row in ws.iter_rows(min_row=2):
        label, value = row[1].value, row[exits_col - 1].value
        if label and any(label.endswith(f"({code})") for code in hidden):
            assert value == "<5", label


def test_empty_month_is_a_valid_report_of_zeros(db, tmp_path):
    report = build_monthly_report(db, "2020-01", trend=True)
    k = report.figures
    assert k["active_enrollments"]["value"] == 0
    assert k["disbursed_amount"]["value"] == "0.00"
    assert k["income_increase_share"]["value"] is None
    for fmt in ("json", "xlsx", "html", "pdf"):
        write_report(report, fmt, tmp_path / f"empty.{fmt}")
    assert json.loads((tmp_path / "empty.json").read_text())["kpis"]["exits"]["value"] == 0


def test_freeze_then_late_correction_shows_in_diff(scenario):
    report = build_monthly_report(scenario, OCT)
    snapshot = freeze(scenario, report, actor=ACTOR)
    assert snapshot.checksum == report.checksum
    with pytest.raises(Conflict, match="already frozen"):
        freeze(scenario, report, actor=ACTOR)
    stored = load_snapshot(scenario, "2026-10")
    assert diff_snapshot(scenario, stored, build_monthly_report(scenario, OCT)).unchanged is True
    # a late correction: an October exit recorded in November
    with scenario.unit_of_work() as uow:
        from sqlalchemy import select

        from empower.models import Enrollment

        enrolment = uow.session.scalars(select(Enrollment).where(
            Enrollment.status == "enrolled").order_by(Enrollment.id.desc())).first()
        empower.exit_enrollment(uow, enrolment.id, on=date(2026, 10, 20), reason="moved",
                                actor=ACTOR)
        uow.commit()
    result = diff_snapshot(scenario, stored, build_monthly_report(scenario, OCT))
    changed = {c.path: (c.frozen, c.now) for c in result.changes}
    assert changed["exits.value"] == (1, 2)
    assert changed["active_enrollments.value"] == (6, 5)
    assert result.writes_since[("enrollment", "exit")] == 1
    with pytest.raises(NotFound, match="not been frozen"):
        load_snapshot(scenario, "2026-09")


def test_cli_monthly_freeze_and_diff(scenario, db_url, tmp_path, monkeypatch):
    from empower.reports.cli import app

    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)
    runner = CliRunner()
    out = tmp_path / "oct.json"
    result = runner.invoke(app, ["monthly", "--month", "2026-10", "--format", "json", "--out",
                                 str(out), "--freeze"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["kpis"]["active_enrollments"]["value"] == 6
    result = runner.invoke(app, ["diff", "--month", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "No figure changed" in result.output
    html = tmp_path / "oct.html"
    result = runner.invoke(app, ["monthly", "--month", "2026-10", "--format", "html", "--out",
                                 str(html), "--lang", "ar"])
    assert result.exit_code == 0, result.output
    assert 'dir="rtl"' in html.read_text(encoding="utf-8")
    result = runner.invoke(app, ["monthly", "--month", "oct", "--format", "json", "--out",
                                 str(out)])
    assert result.exit_code != 0


def test_unknown_milieu_is_its_own_cell(db):
    with db.unit_of_work() as uow:
        program = make_program(uow)
        make_enrolled(uow, program, milieu=None)
        make_enrolled(uow, program, milieu="urban")
        uow.commit()
    figures = build_monthly_report(db, OCT).figures
    assert figures["active_enrollments"]["by_milieu"] == {"urban": 1, "rural": 0, "unknown": 1}


def test_trend_points_equal_the_reports_of_those_months(demo):
    """One 12-month extract (dates clamped to the window) gives each month's own figures."""
    from empower.reports.figures import HEADLINE

    report = build_monthly_report(demo, OCT, trend=True)
    assert set(report.trend) == set(HEADLINE)
    points = {key: dict(series) for key, series in report.trend.items()}
    for month in ("2025-11", "2026-03", "2026-10"):
        alone = build_monthly_report(demo, month).figures
        for key in HEADLINE:
            point = points[key][month]
            assert point["value"] == alone[key]["value"], (month, key)
            if "numerator" in point:
                assert (point["numerator"], point["denominator"]) == (
                    alone[key]["numerator"], alone[key]["denominator"]), (month, key)


def test_by_program_breakdown(demo, tmp_path):
    report = build_monthly_report(demo, OCT, by_program=True)
    k = report.figures
    codes = list(k["new_enrollments"]["by_program"])
    assert len(codes) == 4
    # enrolments belong to one program each: the programs add up to the total
    assert sum(k["new_enrollments"]["by_program"].values()) == k["new_enrollments"]["value"]
    assert sum(Decimal(v) for v in k["disbursed_amount"]["by_program"].values()) == Decimal(
        k["disbursed_amount"]["value"])
    one = build_monthly_report(demo, OCT, scope=Scope(program=codes[0])).figures
    assert k["active_enrollments"]["by_program"][codes[0]] == one["active_enrollments"]["value"]
    share = k["income_increase_share"]["by_program"][codes[0]]
    assert share["numerator"] == one["income_increase_share"]["numerator"]
    hidden = k["new_enrollments"]["suppressed_cells"]["by_program"]
    assert hidden == [c for c, v in k["new_enrollments"]["by_program"].items() if v < 5]
    assert report.checksum != build_monthly_report(demo, OCT).checksum
    write_report(report, "html", tmp_path / "p.html")
    assert "Programme" in (tmp_path / "p.html").read_text(encoding="utf-8")
    write_report(report, "xlsx", tmp_path / "p.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "p.xlsx")["Portée"]
    assert any(row[0] == "Programme" for row in ws.iter_rows(values_only=True))
