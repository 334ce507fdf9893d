"""Exporting each kind to CSV or XLSX in the import columns, so an export imports back as is.

Text a spreadsheet would run as a formula is neutralised by :func:`empower.io.safety.neutralise`
(numbers and E.164 phones are written as they are); the importer strips the prefix again. With a
pseudonym key, CIN and phone become keyed pseudonyms (HMAC-SHA256: stable for one key, not
reversible without it), the women's names, RIBs, communes and grant purposes are left out (a
cooperative's RIB too), and the
birth date becomes the birth year (quasi-identifiers: exact birth date and province alone single
out almost every woman).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from empower.db import Database
from empower.errors import InvalidInput
from empower.io.importing.columns import kind_spec
from empower.io.safety import neutralise
from empower.models import (
    Activity,
    ActivitySession,
    Attendance,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    Enrollment,
    Grant,
    Intake,
    Membership,
    Partner,
    Program,
    SurveyRecord,
)
from empower.rules import mad

__all__ = ["EXPORT_COLUMNS", "export_kind", "pseudonym"]

_NAMES = ("first_name", "last_name", "first_name_ar", "last_name_ar")
_IDENTIFYING = ("cin", "phone")
# Left out of a pseudonymised export, per kind: direct identifiers, the commune (a
# quasi-identifier), and free text that may name her.
# A RIB is personal (it names her account) and is no use to analysis: never pseudonymised, left
# out (a cooperative's too, which its president's name is often on).
_LEFT_OUT = {"beneficiaries": (*_NAMES, "commune", "rib"), "cooperatives": ("rib",),
             "grants": ("purpose",),
             # The coach's note is personal (about her project and household).
             "visits": ("note",)}
# A short key can be found by trying keys; then every pseudonym can be reversed by hashing CINs.
MIN_PSEUDONYM_KEY_LENGTH = 32


def pseudonym(value: str | None, key: str, *, prefix: str) -> str | None:
    """A keyed pseudonym of an identifier: ``prefix-`` and 16 hex digits of HMAC-SHA256."""
    if value is None:
        return None
    digest = hmac.new(key.encode(), f"{prefix}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:16]}"


def _queries() -> dict[str, Select[Any]]:
    b, c, p = Beneficiary, Cooperative, Program
    gb, gc = aliased(Beneficiary), aliased(Cooperative)
    return {
        "programs": select(p.code, p.name, p.funder, p.start_date, p.end_date,
                           p.budget_centimes, p.grant_cap_centimes, p.region_code,
                           p.four_eyes, p.tranche_shares, p.tranche_conditions,
                           p.panel_payments).order_by(p.id),
        "beneficiaries": select(b.cin, b.first_name, b.last_name, b.first_name_ar, b.last_name_ar,
                                b.birth_date, b.phone, b.rib, b.province_code, b.commune,
                                b.milieu,
                                b.education_level, b.marital_status, b.household_size,
                                b.disability, b.vulnerability_score, b.consent_date,
                                b.consent_version, b.registered_on)
        .where(b.cin.is_not(None)).order_by(b.id),
        "cooperatives": select(c.reference, c.name, c.name_ar, c.odco_registration, c.rib,
                               c.sector,
                               c.province_code, c.commune, c.founded_on, c.dissolved_on,
                               c.women_led).order_by(c.id),
        "memberships": select(c.reference, b.cin, Membership.role, Membership.joined_on,
                              Membership.left_on)
        .join(c, Membership.cooperative_id == c.id).join(b, Membership.beneficiary_id == b.id)
        .where(b.cin.is_not(None)).order_by(Membership.id),
        "enrollments": select(b.cin, p.code, Enrollment.applied_on, Enrollment.enrolled_on,
                              Enrollment.rejected_on, Enrollment.exited_on, Enrollment.exit_reason)
        .join(b, Enrollment.beneficiary_id == b.id).join(p, Enrollment.program_id == p.id)
        .where(b.cin.is_not(None)).order_by(Enrollment.id),
        "grants": select(Grant.reference, p.code, gb.cin, gc.reference, Grant.purpose,
                         Grant.amount_requested_centimes, Grant.amount_approved_centimes,
                         Grant.submitted_on, Grant.approved_on, Grant.rejected_on,
                         Grant.cancelled_on)
        .join(p, Grant.program_id == p.id)
        .outerjoin(gb, Grant.beneficiary_id == gb.id).outerjoin(gc, Grant.cooperative_id == gc.id)
        .where((Grant.beneficiary_id.is_(None)) | gb.cin.is_not(None)).order_by(Grant.id),
        # Tranches of an erased woman's grants are left out with her grants, so every
        # tranche exported names a grant that is exported too.
        "disbursements": select(Disbursement.reference, Grant.reference,
                                Disbursement.amount_centimes, Disbursement.paid_on,
                                Disbursement.channel)
        .join(Grant, Disbursement.grant_id == Grant.id)
        .outerjoin(gb, Grant.beneficiary_id == gb.id)
        .where((Grant.beneficiary_id.is_(None)) | gb.cin.is_not(None)).order_by(Disbursement.id),
        "surveys": select(b.cin, p.code, SurveyRecord.round, SurveyRecord.surveyed_on,
                          SurveyRecord.monthly_income_centimes, SurveyRecord.has_savings,
                          SurveyRecord.has_account, SurveyRecord.borrowed_formal,
                          SurveyRecord.business_operating, SurveyRecord.jobs_created)
        .join(b, SurveyRecord.beneficiary_id == b.id).join(p, SurveyRecord.program_id == p.id)
        .where(b.cin.is_not(None)).order_by(SurveyRecord.id),
        "activities": select(p.code, Activity.code, Activity.kind, Activity.title, Partner.name,
                             Activity.province_code, Activity.starts_on, Activity.ends_on,
                             Activity.planned_sessions, Activity.completion_share)
        .join(p, Activity.program_id == p.id).outerjoin(Partner, Activity.partner_id == Partner.id)
        .order_by(Activity.id),
        "sessions": select(Activity.code, ActivitySession.reference, ActivitySession.scheduled_on,
                           ActivitySession.commune, ActivitySession.facilitator,
                           ActivitySession.status)
        .join(Activity, ActivitySession.activity_id == Activity.id).order_by(ActivitySession.id),
        "attendance": select(ActivitySession.reference, b.cin, Attendance.status)
        .join(ActivitySession, Attendance.session_id == ActivitySession.id)
        .join(b, Attendance.beneficiary_id == b.id)
        .where(b.cin.is_not(None)).order_by(Attendance.id),
        # An erased woman's visits are left out with her (a cooperative's stay).
        "visits": select(CoachingVisit.reference, p.code, gb.cin, gc.reference,
                         CoachingVisit.visited_on, CoachingVisit.kind,
                         CoachingVisit.next_visit_due, CoachingVisit.note)
        .join(p, CoachingVisit.program_id == p.id)
        .outerjoin(gb, CoachingVisit.beneficiary_id == gb.id)
        .outerjoin(gc, CoachingVisit.cooperative_id == gc.id)
        .where((CoachingVisit.beneficiary_id.is_(None)) | gb.cin.is_not(None))
        .order_by(CoachingVisit.id),
        # Calls for applications: their rules, not any woman's results (her score and
        # eligibility are personal and are never exported).
        "intakes": select(p.code, Intake.code, Intake.name, Intake.opens_on, Intake.closes_on,
                          Intake.places, Intake.province_codes, Intake.region_codes,
                          Intake.rules, Intake.weights, Intake.promote_until)
        .join(p, Intake.program_id == p.id).order_by(Intake.id),
    }


EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "programs": ("code", "name", "funder", "start_date", "end_date", "budget", "grant_cap",
                 "region_code", "four_eyes", "tranche_shares", "tranche_conditions",
                 "panel_payments"),
    "beneficiaries": ("cin", "first_name", "last_name", "first_name_ar", "last_name_ar",
                      "birth_date", "phone", "rib", "province_code", "commune", "milieu",
                      "education_level", "marital_status", "household_size", "disability",
                      "vulnerability_score", "consent_date", "consent_version", "registered_on"),
    "cooperatives": ("reference", "name", "name_ar", "odco_registration", "rib", "sector",
                     "province_code", "commune", "founded_on", "dissolved_on", "women_led"),
    "memberships": ("cooperative_reference", "cin", "role", "joined_on", "left_on"),
    "enrollments": ("cin", "program_code", "applied_on", "enrolled_on", "rejected_on",
                    "exited_on", "exit_reason"),
    "grants": ("reference", "program_code", "cin", "cooperative_reference", "purpose",
               "amount_requested", "amount_approved", "submitted_on", "approved_on",
               "rejected_on", "cancelled_on"),
    "disbursements": ("reference", "grant_reference", "amount", "paid_on", "channel"),
    "surveys": ("cin", "program_code", "round", "surveyed_on", "monthly_income", "has_savings",
                "has_account", "borrowed_formal", "business_operating", "jobs_created"),
    "activities": ("program_code", "code", "kind", "title", "partner", "province_code",
                   "starts_on", "ends_on", "planned_sessions", "completion_share"),
    "sessions": ("activity_code", "reference", "scheduled_on", "commune", "facilitator",
                 "status"),
    "attendance": ("session_reference", "cin", "status"),
    "visits": ("reference", "program_code", "cin", "cooperative_reference", "visited_on", "kind",
               "next_visit_due", "note"),
    "intakes": ("program_code", "code", "name", "opens_on", "closes_on", "places",
                "province_codes", "region_codes", "rules", "weights", "promote_until"),
}
_JSON = frozenset({"rules", "weights"})
_CODES = frozenset({"province_codes", "region_codes"})
_MONEY = frozenset({"budget", "grant_cap", "amount_requested", "amount_approved", "amount",
                    "monthly_income"})


def _headers(kind: str, key: str | None) -> list[str]:
    """The columns written: all of them, or without what a pseudonymised file leaves out."""
    if not key:
        return list(EXPORT_COLUMNS[kind])
    return ["birth_year" if n == "birth_date" else n for n in EXPORT_COLUMNS[kind]
            if n not in _LEFT_OUT.get(kind, ())]


def _rows(db: Database, kind: str, key: str | None) -> Iterator[list[Any]]:
    names = EXPORT_COLUMNS[kind]
    keep = [i for i, n in enumerate(names) if not (key and n in _LEFT_OUT.get(kind, ()))]
    with db.unit_of_work(readonly=True) as uow:
        result = uow.session.execute(_queries()[kind].execution_options(yield_per=2000))
        for row in result:
            out: list[Any] = []
            for i in keep:
                name, value = names[i], row[i]
                if value is None:
                    out.append(None)
                    continue
                if name in _MONEY:
                    value = mad(value)
                elif isinstance(value, Enum):
                    value = value.value
                elif isinstance(value, bool):
                    value = "yes" if value else "no"
                elif name in _JSON:  # rules and weights, as their JSON cells read them
                    value = json.dumps(value, ensure_ascii=False)
                elif name in _CODES:
                    value = ", ".join(str(v) for v in value)
                elif isinstance(value, list):  # a tranche plan, as its import column reads it
                    value = "/".join(str(v) for v in value)
                if key and name in _IDENTIFYING:
                    value = pseudonym(value, key, prefix="P" if name == "cin" else "T")
                elif key and name == "birth_date":
                    value = value.year
                out.append(value)
            yield out


def export_kind(db: Database, kind: str, path: str | Path, *,
                pseudonym_key: str | None = None, pseudonymize: bool = False) -> int:
    """Write every record of ``kind`` to ``path`` (.csv or .xlsx); returns the number of rows.

    With ``pseudonymize``, identifiers become keyed pseudonyms and quasi-identifiers are
    coarsened (see the module docstring). Raises ``InvalidInput`` for another file type, or a
    missing pseudonym key or one shorter than 32 characters.
    """
    spec = kind_spec(kind)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(f"file: '{path.name}' must end in .csv or .xlsx",
                           code="export.file_suffix", params={"name": path.name}, field="file",
                           value=str(path))
    if pseudonymize and not pseudonym_key:
        raise InvalidInput("pseudonym_key: --pseudonymize needs a secret key "
                           "(set EMPOWER_PSEUDONYM_KEY)", code="export.pseudonym_key_missing",
                           field="pseudonym_key")
    key = pseudonym_key if pseudonymize else None
    if key is not None and len(key) < MIN_PSEUDONYM_KEY_LENGTH:
        raise InvalidInput(
            f"pseudonym_key: EMPOWER_PSEUDONYM_KEY has {len(key)} characters; it needs at least "
            f"{MIN_PSEUDONYM_KEY_LENGTH} (a random secret, e.g. from "
            "'python -c \"import secrets; print(secrets.token_hex(32))\"')",
            code="export.pseudonym_key_too_short",
            params={"length": len(key), "min_length": MIN_PSEUDONYM_KEY_LENGTH},
            field="pseudonym_key")
    headers = _headers(spec.name, key)
    count = 0
    if suffix == ".csv":
        # UTF-8 with a BOM so that Excel shows Arabic names correctly when opening the file.
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for row in _rows(db, spec.name, key):
                writer.writerow(["" if v is None else neutralise(_text(v)) for v in row])
                count += 1
        return count
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.name)
    ws.append(headers)
    for row in _rows(db, spec.name, key):
        ws.append([neutralise(v) for v in row])
        count += 1
    wb.save(path)
    return count


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
