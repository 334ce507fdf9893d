"""The demo generator: deterministic, and every program rule holds on what it writes."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select, text

import empower
from empower.demo import generate
from empower.errors import InvalidInput, RuleViolation
from empower.models import Beneficiary
from empower.rules import age_on, check_rib


def check_rib_or_none(raw: str) -> str | None:
    try:
        return check_rib(raw)
    except InvalidInput:
        return None

AS_OF = date(2026, 10, 31)

# Each query returns the rows that break one rule; all must come back empty.
VIOLATIONS = {
    "consent after registration": "SELECT id FROM beneficiaries WHERE consent_date > registered_on",
    "grant approved without an enrolment active that day": """
        SELECT g.id FROM grants g
        WHERE g.beneficiary_id IS NOT NULL AND g.approved_on IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM enrollments e WHERE e.beneficiary_id = g.beneficiary_id
              AND e.program_id = g.program_id AND e.enrolled_on <= g.approved_on
              AND (e.exited_on IS NULL OR e.exited_on > g.approved_on))""",
    "grant approved for an inactive cooperative": """
        SELECT g.id FROM grants g JOIN cooperatives c ON c.id = g.cooperative_id
        WHERE g.approved_on IS NOT NULL AND (c.founded_on > g.approved_on
              OR (c.dissolved_on IS NOT NULL AND c.dissolved_on <= g.approved_on))""",
    "approved above cap or request": """
        SELECT g.id FROM grants g JOIN programs p ON p.id = g.program_id
        WHERE g.amount_approved_centimes > g.amount_requested_centimes
           OR g.amount_approved_centimes > p.grant_cap_centimes""",
    "tranches above the approved amount or not matching disbursed": """
        SELECT g.id FROM grants g LEFT JOIN disbursements d ON d.grant_id = g.id
        GROUP BY g.id, g.amount_approved_centimes, g.disbursed_centimes
        HAVING COALESCE(SUM(d.amount_centimes), 0) > COALESCE(g.amount_approved_centimes, 0)
            OR COALESCE(SUM(d.amount_centimes), 0) <> g.disbursed_centimes""",
    "tranche before approval": """
        SELECT d.id FROM disbursements d JOIN grants g ON g.id = d.grant_id
        WHERE g.approved_on IS NULL OR d.paid_on < g.approved_on""",
    "committed budget not matching grants": """
        SELECT p.id FROM programs p WHERE p.committed_centimes <> (
            SELECT COALESCE(SUM(CASE WHEN g.status IN ('cancelled', 'closed') THEN g.disbursed_centimes
                                     ELSE g.amount_approved_centimes END), 0)
            FROM grants g WHERE g.program_id = p.id AND g.approved_on IS NOT NULL)
           OR p.committed_centimes > p.budget_centimes""",
    "member joined an inactive cooperative": """
        SELECT m.id FROM memberships m JOIN cooperatives c ON c.id = m.cooperative_id
        WHERE c.founded_on > m.joined_on OR (c.dissolved_on IS NOT NULL AND c.dissolved_on <= m.joined_on)""",
    "enrolled outside the program's dates": """
        SELECT e.id FROM enrollments e JOIN programs p ON p.id = e.program_id
        WHERE e.enrolled_on < p.start_date OR (p.end_date IS NOT NULL AND e.enrolled_on > p.end_date)""",
    "activity after archive": """
        SELECT b.id FROM beneficiaries b WHERE b.archived_on IS NOT NULL AND (
            EXISTS (SELECT 1 FROM enrollments e WHERE e.beneficiary_id = b.id AND e.applied_on >= b.archived_on)
         OR EXISTS (SELECT 1 FROM memberships m WHERE m.beneficiary_id = b.id AND m.joined_on >= b.archived_on))""",
    "survey without enrolment": """
        SELECT s.id FROM survey_records s WHERE NOT EXISTS (
            SELECT 1 FROM enrollments e WHERE e.beneficiary_id = s.beneficiary_id AND e.program_id = s.program_id)""",
    "birth before 1900, consent before birth": """
        SELECT id FROM beneficiaries WHERE birth_date < '1900-01-01' OR consent_date < birth_date""",
    "cooperative founded before 1900": "SELECT id FROM cooperatives WHERE founded_on < '1900-01-01'",
    "application before her registration or the program's start": """
        SELECT e.id FROM enrollments e JOIN beneficiaries b ON b.id = e.beneficiary_id
        JOIN programs p ON p.id = e.program_id
        WHERE e.applied_on < b.registered_on OR e.applied_on < p.start_date""",
    "grant requested before the program, her registration or the founding": """
        SELECT g.id FROM grants g JOIN programs p ON p.id = g.program_id
        LEFT JOIN beneficiaries b ON b.id = g.beneficiary_id
        LEFT JOIN cooperatives c ON c.id = g.cooperative_id
        WHERE g.submitted_on < p.start_date OR g.submitted_on < b.registered_on
           OR g.submitted_on < c.founded_on OR g.amount_requested_centimes <= 0""",
    "survey before her registration or the program's start": """
        SELECT s.id FROM survey_records s JOIN beneficiaries b ON b.id = s.beneficiary_id
        JOIN programs p ON p.id = s.program_id
        WHERE s.surveyed_on < b.registered_on OR s.surveyed_on < p.start_date""",
    "fact dated after as_of": """
        SELECT id FROM disbursements WHERE paid_on > :as_of
        UNION ALL SELECT id FROM survey_records WHERE surveyed_on > :as_of
        UNION ALL SELECT id FROM beneficiaries WHERE registered_on > :as_of
        UNION ALL SELECT id FROM enrollments WHERE applied_on > :as_of OR enrolled_on > :as_of
            OR exited_on > :as_of OR rejected_on > :as_of
        UNION ALL SELECT id FROM grants WHERE submitted_on > :as_of OR approved_on > :as_of
            OR cancelled_on > :as_of OR closed_on > :as_of OR rejected_on > :as_of
        UNION ALL SELECT id FROM cooperatives WHERE founded_on > :as_of OR dissolved_on > :as_of
        UNION ALL SELECT id FROM memberships WHERE joined_on > :as_of OR left_on > :as_of
        UNION ALL SELECT id FROM activity_sessions WHERE status <> 'planned' AND scheduled_on > :as_of
        UNION ALL SELECT id FROM coaching_visits WHERE visited_on > :as_of
        UNION ALL SELECT id FROM payment_batches WHERE planned_on > :as_of OR approved_on > :as_of
            OR sent_on > :as_of OR reconciled_on > :as_of OR closed_on > :as_of
        UNION ALL SELECT id FROM payment_instructions WHERE paid_on > :as_of
            OR settled_on > :as_of""",
    "RIB not 24 digits": "SELECT id FROM beneficiaries WHERE rib IS NOT NULL AND length(rib) <> 24",
    "in flight not what the open instructions hold, or above what is left": """
        SELECT g.id FROM grants g WHERE g.in_flight_centimes <> (
            SELECT COALESCE(SUM(i.amount_centimes), 0) FROM payment_instructions i
            WHERE i.grant_id = g.id AND i.status IN ('pending', 'sent'))
           OR g.disbursed_centimes + g.in_flight_centimes > COALESCE(g.amount_approved_centimes, 0)""",
    "a grant in two open instructions": """
        SELECT grant_id FROM payment_instructions WHERE status IN ('pending', 'sent')
        GROUP BY grant_id HAVING COUNT(*) > 1""",
    "paid instruction without its tranche": """
        SELECT i.id FROM payment_instructions i LEFT JOIN disbursements d ON d.id = i.disbursement_id
        WHERE (i.status = 'paid') <> (d.id IS NOT NULL) OR d.amount_centimes <> i.amount_centimes
           OR d.grant_id <> i.grant_id OR d.paid_on <> i.paid_on""",
    "batch approved by its builder or by no active admin": """
        SELECT b.id FROM payment_batches b LEFT JOIN users u ON 'user:' || u.username = b.approved_by
        WHERE b.approved_by IS NOT NULL AND (b.approved_by = b.created_by OR u.id IS NULL
              OR u.role <> 'admin' OR NOT u.is_active)""",
    "batch sent before approval, paid before it was sent, or open instructions in a settled batch": """
        SELECT b.id FROM payment_batches b WHERE b.sent_on < b.approved_on
           OR (b.status = 'draft') <> (b.approved_on IS NULL)
           OR EXISTS (SELECT 1 FROM payment_instructions i WHERE i.batch_id = b.id AND (
                i.paid_on < b.sent_on OR (b.status IN ('reconciled', 'closed') AND i.status IN ('pending', 'sent'))
                OR (b.status = 'draft' AND i.status <> 'pending')
                OR (b.status = 'sent' AND i.status NOT IN ('sent', 'paid', 'failed', 'returned'))))""",
    "attendance on a session not held": """
        SELECT a.id FROM attendances a JOIN activity_sessions s ON s.id = a.session_id
        WHERE s.status <> 'held'""",
    "attendance without an enrolment active on the session's day": """
        SELECT a.id FROM attendances a JOIN activity_sessions s ON s.id = a.session_id
        JOIN activities t ON t.id = s.activity_id
        WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.beneficiary_id = a.beneficiary_id
              AND e.program_id = t.program_id AND e.enrolled_on <= s.scheduled_on
              AND (e.exited_on IS NULL OR e.exited_on > s.scheduled_on))""",
    "session outside its activity's or its program's dates": """
        SELECT s.id FROM activity_sessions s JOIN activities t ON t.id = s.activity_id
        JOIN programs p ON p.id = t.program_id
        WHERE s.scheduled_on < t.starts_on OR s.scheduled_on > t.ends_on
           OR t.starts_on < p.start_date OR (p.end_date IS NOT NULL AND t.ends_on > p.end_date)""",
    "visit before the program, to a cooperative not active or a woman archived": """
        SELECT v.id FROM coaching_visits v JOIN programs p ON p.id = v.program_id
        LEFT JOIN cooperatives c ON c.id = v.cooperative_id
        LEFT JOIN beneficiaries b ON b.id = v.beneficiary_id
        WHERE v.visited_on < p.start_date OR c.founded_on > v.visited_on
           OR c.dissolved_on <= v.visited_on OR b.archived_on <= v.visited_on
           OR b.registered_on > v.visited_on""",
    "more enrolled by a selection than its places": """
        SELECT i.id FROM intakes i WHERE i.places < (
            SELECT COUNT(*) FROM enrollments e WHERE e.intake_id = i.id AND e.rank IS NOT NULL
               AND e.waitlisted_on IS NULL AND e.enrolled_on = i.selected_on)""",
    "an application enrolled or waitlisted that was not eligible": """
        SELECT e.id FROM enrollments e WHERE e.intake_id IS NOT NULL
           AND (e.enrolled_on IS NOT NULL OR e.waitlisted_on IS NOT NULL)
           AND e.eligible IS NOT TRUE""",
    "an eligible application that failed a rule without an override": """
        SELECT e.id FROM enrollments e WHERE e.intake_id IS NOT NULL AND e.eligible
           AND e.override_reason IS NULL AND (CAST(e.rule_results AS TEXT) LIKE '%"failed"%'
                OR CAST(e.rule_results AS TEXT) LIKE '%"missing"%')""",
    "an application outside its intake's dates, or the intake's outside its program's": """
        SELECT e.id FROM enrollments e JOIN intakes i ON i.id = e.intake_id
        JOIN programs p ON p.id = i.program_id
        WHERE e.applied_on < i.opens_on OR e.applied_on > i.closes_on
           OR i.opens_on < p.start_date OR (p.end_date IS NOT NULL AND i.closes_on > p.end_date)
           OR i.selected_on > :as_of OR e.waitlisted_on > :as_of""",
    "a selected woman holding a grant elsewhere on her application day": """
        SELECT e.id FROM enrollments e JOIN intakes i ON i.id = e.intake_id
        JOIN grants g ON g.beneficiary_id = e.beneficiary_id AND g.program_id <> e.program_id
        WHERE e.enrolled_on IS NOT NULL AND e.override_reason IS NULL
          AND CAST(i.rules AS TEXT) LIKE '%grant_elsewhere%' AND g.approved_on <= e.applied_on
          AND (g.cancelled_on IS NULL OR g.cancelled_on > e.applied_on)""",
}


@pytest.fixture
def demo_db(db):
    generate(db, beneficiaries=600, seed=11, as_of=AS_OF)
    return db


def test_every_rule_holds_on_demo_data(demo_db):
    broken = {}
    with demo_db.engine.connect() as conn:
        minors = [bid for bid, born, registered in conn.execute(
            select(Beneficiary.id, Beneficiary.birth_date, Beneficiary.registered_on))
            if age_on(born, registered) < 18]
        if minors:
            broken["under 18 at registration"] = minors[:5]
        bad_keys = [bid for bid, rib in conn.execute(select(Beneficiary.id, Beneficiary.rib))
                    if rib is not None and check_rib_or_none(rib) is None]
        if bad_keys:
            broken["RIB key failing the mod-97 check"] = bad_keys[:5]
        for rule, sql in VIOLATIONS.items():
            rows = conn.execute(text(sql), {"as_of": AS_OF}).fetchall()
            if rows:
                broken[rule] = [r[0] for r in rows[:5]]
    assert broken == {}


def test_demo_covers_the_story(demo_db):
    counts_sql = {
        "exited": "SELECT COUNT(*) FROM enrollments WHERE status = 'exited'",
        "rejected": "SELECT COUNT(*) FROM enrollments WHERE status = 'rejected'",
        "closed grants": "SELECT COUNT(*) FROM grants WHERE status = 'closed'",
        "cooperative grants": "SELECT COUNT(*) FROM grants WHERE cooperative_id IS NOT NULL",
        "arabic-only names": "SELECT COUNT(*) FROM beneficiaries WHERE first_name IS NULL",
        "m12 surveys": "SELECT COUNT(*) FROM survey_records WHERE round = 'm12'",
        "archived": "SELECT COUNT(*) FROM beneficiaries WHERE archived_on IS NOT NULL",
        "duplicate candidates": "SELECT COUNT(*) FROM duplicate_candidates",
        "audit events": "SELECT COUNT(*) FROM audit_events WHERE actor = 'demo'",
        "sessions held": "SELECT COUNT(*) FROM activity_sessions WHERE status = 'held'",
        "sessions cancelled": "SELECT COUNT(*) FROM activity_sessions WHERE status = 'cancelled'",
        "sessions planned ahead": "SELECT COUNT(*) FROM activity_sessions WHERE status = 'planned'",
        "absences": "SELECT COUNT(*) FROM attendances WHERE status = 'absent'",
        "excused absences": "SELECT COUNT(*) FROM attendances WHERE status = 'excused'",
        "visits to cooperatives": "SELECT COUNT(*) FROM coaching_visits WHERE cooperative_id IS NOT NULL",
        "overdue visits": """SELECT COUNT(*) FROM coaching_visits v WHERE v.next_visit_due < '2026-10-31'
            AND NOT EXISTS (SELECT 1 FROM coaching_visits w WHERE w.visited_on > v.visited_on
                AND (w.beneficiary_id = v.beneficiary_id OR w.cooperative_id = v.cooperative_id))""",
        "gated program": "SELECT COUNT(*) FROM programs WHERE min_completion_share IS NOT NULL",
        "selected intake": "SELECT COUNT(*) FROM intakes WHERE status = 'selected'",
        "open intake": "SELECT COUNT(*) FROM intakes WHERE status = 'open'",
        "refused by a rule": """SELECT COUNT(*) FROM enrollments WHERE intake_id IS NOT NULL
            AND NOT eligible""",
        "refusal overridden": "SELECT COUNT(*) FROM enrollments WHERE override_reason IS NOT NULL",
        "still waiting": "SELECT COUNT(*) FROM enrollments WHERE status = 'waitlisted'",
        "promoted from the waiting list": """SELECT COUNT(*) FROM enrollments
            WHERE waitlisted_on IS NOT NULL AND enrolled_on IS NOT NULL""",
        "tranche plan": "SELECT COUNT(*) FROM programs WHERE tranche_shares IS NOT NULL",
        "women without a RIB": "SELECT COUNT(*) FROM beneficiaries WHERE rib IS NULL",
        "women with a RIB": "SELECT COUNT(*) FROM beneficiaries WHERE rib IS NOT NULL",
        "batch awaiting approval": "SELECT COUNT(*) FROM payment_batches WHERE status = 'draft'",
        "batch sent, not reconciled": "SELECT COUNT(*) FROM payment_batches WHERE status = 'sent'",
        "amount in flight": "SELECT SUM(in_flight_centimes) FROM grants",
        "reconciled batches": "SELECT COUNT(*) FROM payment_batches WHERE status IN ('reconciled', 'closed')",
        "cash-out batches": "SELECT COUNT(*) FROM payment_batches WHERE channel = 'cash_out'",
        "failed transfers": """SELECT COUNT(*) FROM payment_instructions
            WHERE status = 'failed' AND failure_reason IN ('compte clôturé', 'RIB erroné')""",
        "returned cash-outs": "SELECT COUNT(*) FROM payment_instructions WHERE status = 'returned'",
        "tranches paid by a batch": "SELECT COUNT(*) FROM payment_instructions WHERE disbursement_id IS NOT NULL",
    }
    with demo_db.engine.connect() as conn:
        counts = {k: conn.execute(text(v)).scalar() for k, v in counts_sql.items()}
    assert all(n > 0 for n in counts.values()), counts


def test_gated_program_pays_only_women_who_completed(demo_db):
    """Every approval and tranche of a program with a minimum completion share passes the gate
    the services apply (check_training_completed), as of its date."""
    from empower.models import Disbursement, Grant, Program
    from empower.services.activities import check_training_completed

    checked = 0
    with demo_db.unit_of_work(readonly=True) as uow:
        for program in uow.session.scalars(
                select(Program).where(Program.min_completion_share.is_not(None))):
            for grant in uow.session.scalars(select(Grant).where(
                    Grant.program_id == program.id, Grant.approved_on.is_not(None))):
                check_training_completed(uow, program, grant.beneficiary_id, grant.approved_on)
                for paid_on in uow.session.scalars(select(Disbursement.paid_on).where(
                        Disbursement.grant_id == grant.id)):
                    check_training_completed(uow, program, grant.beneficiary_id, paid_on)
                checked += 1
    assert checked > 0


FINGERPRINT = {
    "beneficiaries": "cin, first_name, last_name_ar, birth_date, phone, province_code, registered_on, archived_on",
    "enrollments": "beneficiary_id, program_id, status, applied_on, enrolled_on, exited_on, exit_reason, "
                   "intake_id, eligible, score, rank, waitlisted_on, override_reason",
    "intakes": "code, program_id, places, opens_on, closes_on, region_codes, status, selected_on",
    "grants": "reference, beneficiary_id, cooperative_id, status, amount_approved_centimes, approved_on",
    "disbursements": "reference, grant_id, amount_centimes, paid_on, channel",
    "survey_records": "beneficiary_id, round, surveyed_on, monthly_income_centimes, has_account",
    "memberships": "cooperative_id, beneficiary_id, role, joined_on, left_on",
    "activities": "code, program_id, province_code, starts_on, ends_on, planned_sessions",
    "activity_sessions": "reference, activity_id, scheduled_on, status",
    "attendances": "session_id, beneficiary_id, status",
    "coaching_visits": "reference, beneficiary_id, cooperative_id, visited_on, next_visit_due",
    "payment_batches": "reference, channel, status, planned_on, approved_by, sent_on",
    "payment_instructions": "reference, grant_id, amount_centimes, payee_rib, status, paid_on",
}


def _fingerprint(db: empower.Database) -> str:
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        for table, cols in FINGERPRINT.items():
            for row in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY id")):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_same_seed_same_data(tmp_path):
    prints = []
    for run in range(2):
        db = empower.connect(f"sqlite:///{tmp_path}/demo{run}.db")
        db.upgrade()
        generate(db, beneficiaries=300, seed=5, as_of=AS_OF)
        prints.append(_fingerprint(db))
        db.dispose()
    assert prints[0] == prints[1]


def test_refuses_a_database_with_people(demo_db):
    with pytest.raises(RuleViolation, match="already holds 600 beneficiaries"):
        generate(demo_db, beneficiaries=10, seed=1, as_of=AS_OF)
