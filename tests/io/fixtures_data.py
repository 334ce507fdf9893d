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

ALL = {"programs": PROGRAMS, "beneficiaries": BENEFICIARIES, "cooperatives": COOPERATIVES,
       "memberships": MEMBERSHIPS, "enrollments": ENROLLMENTS, "grants": GRANTS,
       "disbursements": DISBURSEMENTS, "surveys": SURVEYS}
