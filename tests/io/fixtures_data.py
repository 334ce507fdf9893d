"""One small, consistent program as import files of every kind (canonical headers)."""

from __future__ import annotations

PROGRAMS = [
    ["code", "name", "funder", "start_date", "end_date", "budget", "grant_cap", "region_code"],
    ["AWAL", "Awal", "INDH", "2024-01-01", "", "1 000 000,00", "50000 MAD", "01"],
    ["TIRSAL", "Tirsal", "", "01/06/2024", "31/12/2026", "200000", "", ""],
]
BENEFICIARIES = [
    ["cin", "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "phone",
     "province_code", "commune", "milieu", "education_level", "marital_status",
     "household_size", "disability", "vulnerability_score", "consent_date", "registered_on"],
    ["AB100001", "Fatima", "Benali", "فاطمة", "بنعلي", "1990-03-04", "0612345678", "04.441",
     "Oujda", "rural", "primaire", "mariée", "5", "non", "42,5", "2024-01-10", "2024-01-10"],
    ["AB100002", "Khadija", "Alaoui", "", "", "06/05/1985", "+212 661-234567", "Tétouan",
     "", "urbain", "", "", "", "oui", "", "10/01/2024", "10/01/2024"],
    ["AB100003", "", "", "مريم", "الإدريسي", "1979-12-31", "", "تطوان", "", "", "", "", "",
     "", "", "2024-01-11", "2024-01-11"],
]
COOPERATIVES = [
    ["reference", "name", "name_ar", "odco_registration", "sector", "province_code", "commune",
     "founded_on", "dissolved_on", "women_led"],
    ["COOP-1", "Tifawin", "تيفاوين", "ODCO-77", "artisanat", "04.441", "Oujda", "2020-05-01",
     "", "oui"],
    ["COOP-2", "Argan Nour", "", "", "argan", "Tétouan", "", "2019-01-01", "2024-06-30", "non"],
]
MEMBERSHIPS = [
    ["cooperative_reference", "cin", "role", "joined_on", "left_on"],
    ["COOP-1", "AB100001", "présidente", "2021-01-01", ""],
    ["COOP-2", "AB100002", "membre", "2020-01-01", "2023-12-31"],
]
ENROLLMENTS = [
    ["cin", "program_code", "applied_on", "enrolled_on", "rejected_on", "exited_on",
     "exit_reason"],
    ["AB100001", "AWAL", "2024-01-15", "2024-02-01", "", "", ""],
    ["AB100002", "AWAL", "2024-01-15", "2024-02-01", "", "2024-09-30", "abandon"],
    ["AB100003", "AWAL", "2024-01-20", "", "2024-01-25", "", ""],
    ["AB100001", "TIRSAL", "2024-06-02", "", "", "", ""],
]
GRANTS = [
    ["reference", "program_code", "cin", "cooperative_reference", "purpose", "amount_requested",
     "amount_approved", "submitted_on", "approved_on", "rejected_on", "cancelled_on"],
    ["G-1", "AWAL", "AB100001", "", "Métier à tisser", "20000", "15000", "2024-03-01",
     "2024-03-10", "", ""],
    ["G-2", "AWAL", "", "COOP-1", "Local", "40 000,00", "", "2024-03-01", "2024-03-15", "", ""],
    ["G-3", "AWAL", "AB100001", "", "", "1000", "", "2024-04-01", "", "2024-04-02", ""],
    ["G-4", "AWAL", "", "COOP-1", "Stock", "5000", "", "2024-04-01", "", "", ""],
]
DISBURSEMENTS = [
    ["reference", "grant_reference", "amount", "paid_on", "channel"],
    ["T-1", "G-1", "5000", "2024-03-20", "virement"],
    ["T-2", "G-1", "10 000,00", "2024-04-20", "espèces"],
    ["T-3", "G-2", "10000", "2024-04-01", "bank_transfer"],
]
SURVEYS = [
    ["cin", "program_code", "round", "surveyed_on", "monthly_income", "has_savings",
     "has_account", "borrowed_formal", "business_operating", "jobs_created"],
    ["AB100001", "AWAL", "baseline", "2024-02-01", "800", "non", "non", "non", "oui", "0"],
    ["AB100001", "AWAL", "m6", "2024-08-01", "1 500,00", "oui", "نعم", "لا", "yes", "2"],
    ["AB100002", "AWAL", "baseline", "2024-02-02", "", "", "", "", "", ""],
]

ACTIVITIES = [
    ["program_code", "code", "kind", "title", "partner", "province_code", "starts_on", "ends_on",
     "planned_sessions", "completion_share"],
    ["AWAL", "AWAL-GET", "formation", "GET Ahead", "", "04.441", "2024-02-01", "2024-06-30",
     "4", "0,75"],
    ["AWAL", "AWAL-FOIRE", "foire", "Foire régionale", "", "", "01/10/2024", "31/10/2024", "1",
     ""],
]
SESSIONS = [
    ["activity_code", "reference", "scheduled_on", "commune", "facilitator", "status"],
    ["AWAL-GET", "S-1", "2024-02-10", "Oujda", "Amina Tazi", "tenue"],
    ["AWAL-GET", "S-2", "10/03/2024", "", "", "held"],
    ["AWAL-GET", "S-3", "2024-04-10", "", "", "annulée"],
    ["AWAL-GET", "S-4", "2024-05-10", "Oujda", "", ""],
]
ATTENDANCE = [
    ["session_reference", "cin", "status"],
    ["S-1", "AB100001", "présente"],
    ["S-1", "AB100002", "absente"],
    ["S-2", "AB100001", "حاضرة"],
    ["S-2", "AB100002", "excusée"],
]
VISITS = [
    ["reference", "program_code", "cin", "cooperative_reference", "visited_on", "kind",
     "next_visit_due", "note"],
    ["V-1", "AWAL", "AB100001", "", "2024-04-01", "sur site", "2024-07-01",
     "Métier installé chez elle"],
    ["V-2", "AWAL", "", "COOP-1", "2024-05-01", "téléphone", "", ""],
]

ALL = {"programs": PROGRAMS, "beneficiaries": BENEFICIARIES, "cooperatives": COOPERATIVES,
       "memberships": MEMBERSHIPS, "enrollments": ENROLLMENTS, "grants": GRANTS,
       "disbursements": DISBURSEMENTS, "surveys": SURVEYS, "activities": ACTIVITIES,
       "sessions": SESSIONS, "attendance": ATTENDANCE, "visits": VISITS}
