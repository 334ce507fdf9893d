"""The payments KPIs (docs/kpis.md, payments) on a hand-worked scenario of payment runs.

Two programs; every woman lives in Salé (region 04, rural, 35-44) but W7 in Rabat (06, urban).
Every grant is of 10,000 MAD (W7's 15,000), paid whole (no tranche plan).

    B1  AWAL  bank_transfer  g1 g2 g3 g4   approved 09-22, sent 09-25
        reconciled 09-30: g1 paid 09-28, g2 failed (settled 09-30)
        reconciled 10-05: g3 paid 10-03, g4 returned (settled 10-05)
    B2  TAHF  cash_out       g5 g6 g7      approved 10-12, sent 10-14
        reconciled 10-21: g5 paid 10-20;       (November) 11-02: g6 failed
        g7 never comes back: still sent
    B3  TAHF  mobile_money   g8            built 10-25, cancelled 10-26 (a cancelled line)
    B4  TAHF  mobile_money   g8            approved 10-28;   (November) sent 11-03,
        reconciled 11-12: g8 paid 11-10

August (before any batch): every count 0, no rate, no median, nothing in flight.

September: sent 4 (B1); paid 1 (g1); failed 1 (g2, failed); settled g1, g2: rate 1/2;
days from approval to payment: g1 09-28 - 09-22 = 6; in flight on 09-30: g3 and g4 (sent, settled
in October) = 20,000 MAD, 2 lines (g2 settled on 09-30 itself is not in flight).

October: sent 3 (B2, cash_out; B3 was never sent, B4 not before November); paid 2 (g3 10-03,
g5 10-20); failed 1 (g4, returned); settled g3, g4, g5: rate 1/3 (bank_transfer 1/2, cash_out
0/1); days: g3 10-03 - 09-22 = 11, g5 10-20 - 10-12 = 8, median 9.5; in flight on 10-31: g6
(failed only on 11-02) and g7 = 25,000 MAD (04: 10,000, 06: 15,000), 2 lines; B4's line was
pending. Beside it, disbursed 20,000 MAD (g3, g5).

November: sent 1 (B4); paid 1 (g8, 11-10 - 10-28 = 13 days); failed 1 (g6); rate 1/2; in flight
on 11-30: g7 = 15,000 MAD. October, frozen before the November facts, keeps its figures.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from empower.reports import Scope, build_monthly_report, write_report
from empower.reports.period import Month
from empower.reports.snapshots import diff_snapshot, freeze, load_snapshot

import empower
from empower.models import Grant, PaymentInstruction
from empower.schemas import BatchCreate, ReturnLine
from tests.factories import ACTOR, make_payable, make_program, make_user
from tests.reports.test_e2e import _check_naive

BUILDER, APPROVER = "user:karima", "user:nadia"
SEP, OCT, NOV = Month(2026, 9), Month(2026, 10), Month(2026, 11)
PAYMENT_KEYS = ("instructions_sent", "instructions_paid", "instructions_failed",
                "payment_failure_rate", "median_days_approval_to_payment", "in_flight_amount")


def _batch(uow, program, channel, planned, approved=None, sent=None):
    built = empower.build_batch(uow, BatchCreate(program_id=program.id, channel=channel,
                                                 planned_on=planned), actor=BUILDER)
    assert built.batch is not None, built.left_out
    if approved:
        empower.approve_batch(uow, built.batch.id, on=approved, actor=APPROVER)
    if sent:
        empower.send_batch(uow, built.batch.id, on=sent, actor=BUILDER)
    return built.batch


def _reconcile(uow, batch_id, on, outcomes):
    """``outcomes``: grant id -> (status, paid_on)."""
    refs = {i.grant_id: i.reference for i in uow.session.query(PaymentInstruction)
            .filter(PaymentInstruction.batch_id == batch_id)}
    lines = [ReturnLine(line=n, reference=refs[gid], status=status, paid_on=paid_on)
             for n, (gid, (status, paid_on)) in enumerate(outcomes.items(), start=2)]
    empower.reconcile_batch(uow, batch_id, lines, actor=BUILDER, on=on)


@pytest.fixture
def payments(db):
    """The scenario up to the end of October (the docstring's facts but November's)."""
    with db.unit_of_work() as uow:
        make_user(uow, "karima", "officer")
        make_user(uow, "nadia", "admin")
        awal = make_program(uow)
        tahf = make_program(uow, code="TAHF", name="Tahfiz")
        approved = date(2026, 8, 1)
        g = {}
        for n in (1, 2, 3, 4):
            g[n] = make_payable(uow, awal, amount="10000", approved_on=approved).id
        b1 = _batch(uow, awal, "bank_transfer", date(2026, 9, 20), date(2026, 9, 22),
                    date(2026, 9, 25))
        _reconcile(uow, b1.id, date(2026, 9, 30), {g[1]: ("paid", date(2026, 9, 28)),
                                                   g[2]: ("failed", None)})
        _reconcile(uow, b1.id, date(2026, 10, 5), {g[3]: ("paid", date(2026, 10, 3)),
                                                   g[4]: ("returned", None)})
        g[5] = make_payable(uow, tahf, amount="10000", approved_on=approved).id
        g[6] = make_payable(uow, tahf, amount="10000", approved_on=approved).id
        g[7] = make_payable(uow, tahf, amount="15000", approved_on=approved,
                            province_code="06.141", milieu="urban").id
        b2 = _batch(uow, tahf, "cash_out", date(2026, 10, 10), date(2026, 10, 12),
                    date(2026, 10, 14))
        _reconcile(uow, b2.id, date(2026, 10, 21), {g[5]: ("paid", date(2026, 10, 20))})
        g[8] = make_payable(uow, tahf, amount="10000", approved_on=approved).id
        b3 = _batch(uow, tahf, "mobile_money", date(2026, 10, 25))
        empower.cancel_batch(uow, b3.id, on=date(2026, 10, 26), actor=BUILDER)
        b4 = _batch(uow, tahf, "mobile_money", date(2026, 10, 27), date(2026, 10, 28))
        db.ids = {"grants": g, "b2": b2.id, "b4": b4.id}  # type: ignore[attr-defined]
        uow.commit()
    return db


def _november(db):
    g = db.ids["grants"]
    with db.unit_of_work() as uow:
        _reconcile(uow, db.ids["b2"], date(2026, 11, 2), {g[6]: ("failed", None)})
        empower.send_batch(uow, db.ids["b4"], on=date(2026, 11, 3), actor=BUILDER)
        _reconcile(uow, db.ids["b4"], date(2026, 11, 12), {g[8]: ("paid", date(2026, 11, 10))})
        uow.commit()


def _rate(fig):
    return (fig["numerator"], fig["denominator"])


def test_payments_match_hand_worked_values(payments):
    _november(payments)
    k = {m: build_monthly_report(payments, m, threshold=1).figures for m in (SEP, OCT, NOV)}
    aug = build_monthly_report(payments, "2026-08", threshold=1).figures
    assert [aug[key]["value"] for key in PAYMENT_KEYS] == [0, 0, 0, None, None, "0.00"]
    assert aug["payment_failure_rate"]["denominator"] == 0
    assert aug["in_flight_amount"]["count"] == 0

    sep = k[SEP]
    assert (sep["instructions_sent"]["value"], sep["instructions_paid"]["value"],
            sep["instructions_failed"]["value"]) == (4, 1, 1)
    assert sep["instructions_sent"]["by_channel"] == {"bank_transfer": 4, "cash_out": 0,
                                                      "mobile_money": 0}
    assert sep["instructions_failed"]["by_outcome"] == {"failed": 1, "returned": 0}
    assert _rate(sep["payment_failure_rate"]) == (1, 2)
    assert sep["median_days_approval_to_payment"]["value"] == 6
    assert (sep["in_flight_amount"]["value"], sep["in_flight_amount"]["count"]) == ("20000.00", 2)

    octo = k[OCT]
    assert (octo["instructions_sent"]["value"], octo["instructions_paid"]["value"],
            octo["instructions_failed"]["value"]) == (3, 2, 1)
    assert octo["instructions_sent"]["by_channel"]["cash_out"] == 3
    assert octo["instructions_failed"]["by_outcome"] == {"failed": 0, "returned": 1}
    rate = octo["payment_failure_rate"]
    assert (_rate(rate), rate["value"]) == ((1, 3), 0.3333)
    assert _rate(rate["by_channel"]["bank_transfer"]) == (1, 2)
    assert _rate(rate["by_channel"]["cash_out"]) == (0, 1)
    assert rate["by_channel"]["mobile_money"]["value"] is None
    days = octo["median_days_approval_to_payment"]
    assert (days["value"], days["count"]) == (9.5, 2)
    assert days["by_channel"]["bank_transfer"]["value"] == 11
    flying = octo["in_flight_amount"]
    assert (flying["value"], flying["count"]) == ("25000.00", 2)
    assert {r: v for r, v in flying["by_region"].items() if v != "0.00"} == {
        "04": "10000.00", "06": "15000.00"}
    assert flying["by_milieu"] == {"urban": "15000.00", "rural": "10000.00"}
    assert flying["by_channel"]["cash_out"] == "25000.00"
    assert octo["disbursed_amount"]["value"] == "20000.00"

    nov = k[NOV]
    assert (nov["instructions_sent"]["value"], nov["instructions_paid"]["value"],
            nov["instructions_failed"]["value"]) == (1, 1, 1)
    assert nov["instructions_sent"]["by_channel"]["mobile_money"] == 1
    assert _rate(nov["payment_failure_rate"]) == (1, 2)
    assert nov["median_days_approval_to_payment"]["value"] == 13
    assert (nov["in_flight_amount"]["value"], nov["in_flight_amount"]["count"]) == ("15000.00", 1)
    # the figure at the current month's end is what the grants hold in flight now (B4 is paid)
    with payments.unit_of_work(readonly=True) as uow:
        held = sum(g.in_flight_centimes for g in uow.session.query(Grant))
    assert Decimal(nov["in_flight_amount"]["value"]) * 100 == held


def test_payments_agree_with_naive_reading(payments):
    for month in ("2026-08", "2026-09", "2026-10"):
        _check_naive(payments, build_monthly_report(payments, month))
    _november(payments)
    for month in ("2026-09", "2026-10", "2026-11", "2026-12"):
        _check_naive(payments, build_monthly_report(payments, month))


def test_payments_by_program_and_region(payments):
    whole = build_monthly_report(payments, OCT, threshold=1, by_program=True).figures
    assert whole["instructions_sent"]["by_program"] == {"AWAL": 0, "TAHF": 3}
    assert whole["instructions_paid"]["by_program"] == {"AWAL": 1, "TAHF": 1}
    assert whole["in_flight_amount"]["by_program"] == {"AWAL": "0.00", "TAHF": "25000.00"}
    assert _rate(whole["payment_failure_rate"]["by_program"]["AWAL"]) == (1, 2)
    rabat = build_monthly_report(payments, OCT, scope=Scope(region="06"), threshold=1).figures
    assert rabat["in_flight_amount"]["value"] == whole["in_flight_amount"]["by_region"]["06"]
    assert rabat["instructions_sent"]["value"] == whole["instructions_sent"]["by_region"]["06"] == 1


def test_october_frozen_keeps_its_figures_when_november_arrives(payments):
    before = build_monthly_report(payments, OCT)
    freeze(payments, before, actor=ACTOR)
    _november(payments)
    after = build_monthly_report(payments, OCT)
    assert {k: after.figures[k] for k in PAYMENT_KEYS} == {k: before.figures[k]
                                                          for k in PAYMENT_KEYS}
    result = diff_snapshot(payments, load_snapshot(payments, "2026-10"), after)
    assert result.unchanged, result.changes
    assert result.added == []
    assert result.writes_since[("payment_batch", "send")] == 1


def test_a_snapshot_frozen_before_the_payments_kpis_still_diffs(payments, tmp_path):
    """A month frozen by an earlier version has no payments figures: they are listed as new,
    not as changes, and the report of that month renders."""
    report = build_monthly_report(payments, OCT)
    snapshot = freeze(payments, report, actor=ACTOR)
    with payments.unit_of_work() as uow:
        stored = uow.session.get(type(snapshot), snapshot.id)
        figures = dict(stored.figures)
        figures["kpis"] = {k: v for k, v in figures["kpis"].items() if k not in PAYMENT_KEYS}
        stored.figures = figures
        uow.commit()
    result = diff_snapshot(payments, load_snapshot(payments, "2026-10"), report)
    assert result.unchanged
    assert sorted(result.added) == sorted(PAYMENT_KEYS)
    # the frozen figures themselves render, without a payments section
    from empower.reports.render.html import render_html
    from empower.reports.report import MonthlyReport

    stored = load_snapshot(payments, "2026-10")
    old = MonthlyReport(month=OCT, scope=Scope(), threshold=5, figures=stored.figures["kpis"],
                        checksum=stored.checksum, generated_at=stored.frozen_at)
    assert 'id="payments"' not in render_html(old)
    write_report(old, "xlsx", tmp_path / "old.xlsx")
    assert "Paiements" not in openpyxl.load_workbook(tmp_path / "old.xlsx").sheetnames


def test_payments_in_every_format(payments, tmp_path):
    report = build_monthly_report(payments, OCT, trend=True, threshold=1)
    for fmt in ("xlsx", "html", "pdf"):
        write_report(report, fmt, tmp_path / f"r.{fmt}")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="payments"' in html and "chec des paiements" in html
    assert "Retrait en espèces" in html and "Montant en cours de paiement" in html
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Paiements"]
    header = [c.value for c in ws[1]]
    assert header[2] == "Ordres de paiement envoyés"
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows[("Total", "Total")][2] == 3
    assert rows[("Canal de paiement", "Retrait en espèces")][2] == 3
    grants = openpyxl.load_workbook(tmp_path / "r.xlsx")["Subventions"]
    titles = [c.value for c in grants[1]]
    # the amount in flight is the column after the amount disbursed
    assert titles.index("Montant en cours de paiement (fin de mois)") == titles.index(
        "Montant décaissé") + 1
    published = build_monthly_report(payments, OCT)  # threshold 5: every payments cell is small
    write_report(published, "html", tmp_path / "p.html")
    text = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert 'id="payments"' in text
    assert not re.search(r"25[\s\u202f\u00a0.,]000", text)  # the 25,000 MAD in flight is hidden
    assert re.search(r"25[\s\u202f\u00a0.,]000", html)  # shown at threshold 1
    for lang in ("ar", "en"):
        write_report(report, "html", tmp_path / f"r.{lang}.html", lang=lang)
    assert "Payment failure rate" in (tmp_path / "r.en.html").read_text(encoding="utf-8")


def test_months_before_any_batch_render(db, tmp_path):
    report = build_monthly_report(db, "2020-01", trend=True)
    k = report.figures
    assert k["instructions_sent"]["value"] == 0
    assert k["in_flight_amount"]["value"] == "0.00"
    assert k["payment_failure_rate"]["value"] is None
    assert k["median_days_approval_to_payment"]["value"] is None
    for fmt in ("xlsx", "html", "pdf"):
        write_report(report, fmt, tmp_path / f"empty.{fmt}")
