"""Beneficiaries: the women a program registers, corrects, archives and restores."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.queryset import QuerySet

import empower
from empower import vocab
from empower.errors import InvalidInput
from empower.models import utcnow
from empower.panel_trainings import woman_completions
from empower.predicates import AGE_BANDS, ARCHIVED, age_band_birth_dates, cin_search_prefix
from empower.rules import RulesConfig, normalize_cin, normalize_phone
from empower.schemas import BeneficiaryCreate, BeneficiaryUpdate, parse_input
from empower.search import name_ids_subquery, phone_prefix, prefix_bounds

from .. import models as m
from ..compat import gettext
from ..detail import RelatedTables
from ..forms import DATE_ON, DATE_REASON, Action, EditForm, Field, FormSpec, date_value, form_data
from ..scope import Principal, check_person, check_province, filter_periods, lookup
from .base import N_, Column, Filter, Resource
from .filters import by_province, by_region, equals, province_options, region_options, vocab_options, yes_no

__all__ = ["age_band_filter", "filter_age_band", "resource", "search_beneficiaries",
           "search_beneficiaries_masked"]

_C = Column

# -- search ------------------------------------------------------------------------------------
_PHONE_RE = re.compile(r"^\+?[\d\s.\-]{6,}$")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def search_beneficiaries(qs: QuerySet[Any], text: str, rules: RulesConfig) -> QuerySet[Any]:
    """Name words in Latin or Arabic script (each word must begin a word of her names), a CIN,
    or a phone number, each answered by an index.

    A text is a CIN (or the start of one) when it matches the configured CIN pattern
    (``EMPOWER_CIN_PATTERN``, :func:`empower.predicates.cin_search_prefix`): a range on the
    unique CIN index. A phone number, whole or its first digits, is a range on the phone index
    (:func:`empower.search.phone_prefix`). Names go through the full-text index of
    ``search_key`` (:func:`empower.search.name_ids_subquery`, folded as
    :func:`empower.search.fold_word` folds: case, accents, Arabic letter forms).
    """
    return _search(qs, text, rules, whole=False)[0]


def search_beneficiaries_masked(qs: QuerySet[Any], text: str,
                                rules: RulesConfig) -> tuple[QuerySet[Any], bool]:
    """The search of users who see CIN and phone masked: ``(rows, probed)``.

    Names are searched as for everyone; a CIN finds only the woman whose whole CIN it is (folded
    as :func:`empower.rules.normalize_cin` folds it), a phone number only the women whose whole
    number it is (normalised by :func:`empower.rules.normalize_phone`; a number that is not valid
    finds no one). A prefix or a part finds no one: ``S6***74`` must not be completed one digit
    at a time. ``probed``: the text was looked up as a CIN or a phone number.
    """
    return _search(qs, text, rules, whole=True)


def _dialect(qs: QuerySet[Any]) -> str:
    return str(qs._db.capabilities.dialect)


def _search(qs: QuerySet[Any], text: str, rules: RulesConfig, *,
            whole: bool) -> tuple[QuerySet[Any], bool]:
    text = text.strip()[:100]
    if not text:
        return qs, False
    cin = cin_search_prefix(text, rules)
    if cin is not None:
        if not whole:
            low, high = prefix_bounds(cin)
            return qs.filter(cin__gte=low, cin__lt=high), True
        try:
            return qs.filter(cin=normalize_cin(text, rules)), True
        except InvalidInput:
            return qs.filter(id=-1), True
    if _PHONE_RE.match(text):
        if whole:
            try:
                phone = normalize_phone(text, rules)
            except InvalidInput:
                phone = None
            return (qs.filter(phone=phone) if phone else qs.filter(id=-1)), True
        start = phone_prefix(text)
        if start is None:
            return qs.filter(id=-1), True
        low, high = prefix_bounds(start)
        return qs.filter(phone__gte=low, phone__lt=high), True
    ids = name_ids_subquery(text, _dialect(qs))
    if ids is None:
        return qs.filter(id=-1), False
    # "id IN (subquery)": the database reads the full-text index first (an annotation
    # compared with true would be evaluated row by row instead).
    return qs.filter(id__in=RawSQL(ids)), False


# -- filters -----------------------------------------------------------------------------------
def age_band_filter(label: str, today: date) -> Q | None:
    """Tortoise twin of :func:`empower.predicates.in_age_band_sql`; ``None``: no such band."""
    try:
        earliest, latest = age_band_birth_dates(label, today)
    except KeyError:
        return None
    parts = [lookup(f"birth_date__{op}", bound)
             for op, bound in (("gte", earliest), ("lte", latest)) if bound is not None]
    return Q(*parts, join_type="AND")


def filter_age_band(qs: QuerySet[Any], label: str, today: date) -> QuerySet[Any]:
    """``qs`` narrowed to the band (:func:`age_band_filter`); unchanged for no such band.

    On SQLite the birth dates are compared as ``+birth_date``, which keeps the comparison off
    the birth-date index: without statistics of value ranges SQLite takes a band of ten years
    for a narrow one, reads it through the index and sorts it all for the page (0.25 s at a
    million women), where reading newest first stops after a page (a band is a fifth of the
    women). PostgreSQL's statistics choose well by themselves.
    """
    try:
        earliest, latest = age_band_birth_dates(label, today)
    except KeyError:
        return qs
    if _dialect(qs) != "sqlite":
        cond = age_band_filter(label, today)
        return qs.filter(cond) if cond is not None else qs
    qs = qs.annotate(_birth_date=RawSQL('+"birth_date"'))
    if earliest is not None:
        qs = qs.filter(_birth_date__gte=earliest.isoformat())
    if latest is not None:
        qs = qs.filter(_birth_date__lte=latest.isoformat())
    return qs


def _by_age_band(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    return filter_age_band(qs, value, utcnow().date())


def _by_enrollment(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    """The page's form on SQLite: each woman read newest first is checked through the
    enrolments' ``(status, beneficiary_id)`` index, so a page stops after 25 (SQLite reads an
    ``id IN`` list whole first: every enrolment of the status, 80 ms at a million women for
    ``enrolled``). PostgreSQL plans ``id IN`` as a semi-join and stops by itself."""
    if value in {v.value for v in vocab.EnrollmentStatus} and _dialect(qs) == "sqlite":
        # The status is one of the vocabulary's values (checked above), so it is written in.
        has = RawSQL("(EXISTS (SELECT 1 FROM enrollments WHERE enrollments.beneficiary_id = "  # noqa: S608
                     '"beneficiaries"."id" AND enrollments.status = '
                     f"'{vocab.EnrollmentStatus(value).value}'))")
        return qs.annotate(_has_status=has).filter(_has_status=True)
    return _count_by_enrollment(qs, value, _p)


def _count_by_enrollment(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    """The count's form, the same women: the list of the status's women read from the
    ``(status, beneficiary_id)`` index, which a rare status keeps short (checking each woman
    as the page does would read the whole table to count 2,500 waitlisted women: 0.3 s)."""
    if value == "none":
        # Checked row by row through the enrolments' beneficiary index: ``NOT IN`` would build
        # the list of every enrolment on each request (most of the table at a million women).
        never = RawSQL('(NOT EXISTS (SELECT 1 FROM enrollments WHERE '
                       'enrollments.beneficiary_id = "beneficiaries"."id"))')
        return qs.annotate(_never_applied=never).filter(_never_applied=True)
    if value not in {v.value for v in vocab.EnrollmentStatus}:
        return qs
    return qs.filter(id__in=Subquery(m.Enrollment.filter(status=value).values("beneficiary_id")))


def _by_archived(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    """"yes": archived as of today (:data:`empower.predicates.ARCHIVED`); "no": not; "all"."""
    if value == "all":
        return qs
    return filter_periods(qs, ARCHIVED, utcnow().date(), holds=value == "yes")


# -- forms and actions -------------------------------------------------------------------------
FIELDS = [
    Field("cin", N_("CIN"), required=True),
    Field("first_name", N_("First name")), Field("last_name", N_("Last name")),
    Field("first_name_ar", N_("First name (Arabic)"), dir="rtl"),
    Field("last_name_ar", N_("Last name (Arabic)"), dir="rtl"),
    Field("birth_date", N_("Birth date"), "date", required=True),
    Field("phone", N_("Phone")),
    # Her bank account for transfers; the core checks its key (empower.rules.check_rib).
    Field("rib", N_("RIB (24 digits)")),
    Field("province_code", N_("Province"), "select", "provinces", required=True),
    Field("commune", N_("Commune")),
    Field("milieu", N_("Milieu"), "select", vocab.Milieu),
    Field("education_level", N_("Education"), "select", vocab.EducationLevel),
    Field("marital_status", N_("Marital status"), "select", vocab.MaritalStatus),
    Field("household_size", N_("Household size"), "number"),
    Field("disability", N_("Disability"), "bool"),
    Field("consent_date", N_("Consent date"), "date", required=True),
    Field("registered_on", N_("Registered on"), "date"),
]


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(BeneficiaryCreate, form_data(FIELDS, values))
    check_province(uow, p, data.province_code)
    person = empower.register_beneficiary(uow, data, actor=p.actor)
    return f"/beneficiaries/{person.id}"


def edit(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_person(uow, p, record_id)
    data = form_data(FIELDS, values)
    # Fields left empty on the edit form are cleared, except the required ones.
    for f in FIELDS:
        if f.name not in data and not f.required and f.kind != "bool":
            data[f.name] = None
    update = parse_input(BeneficiaryUpdate, data)
    check_province(uow, p, update.province_code)
    empower.update_beneficiary(uow, record_id, update, actor=p.actor)
    return f"/beneficiaries/{record_id}"


def archive(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_person(uow, p, record_id)
    empower.archive_beneficiary(uow, record_id, actor=p.actor, on=date_value(values, "on"),
                                reason=(values.get("reason") or None))
    return f"/beneficiaries/{record_id}"


def restore(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    check_person(uow, p, record_id)
    empower.restore_beneficiary(uow, record_id, actor=p.actor, on=date_value(values, "on"))
    return f"/beneficiaries/{record_id}"


# -- her page ----------------------------------------------------------------------------------
async def related(row: dict[str, Any], p: Principal,
                  tables: RelatedTables) -> list[dict[str, Any]]:
    rid = row["id"]
    return [
        await tables.table("enrollments", p.within(
            m.Enrollment.filter(beneficiary_id=rid)), "Enrolments"),
        await tables.table("memberships", p.within(
            m.Membership.filter(beneficiary_id=rid)), "Memberships"),
        await tables.table("grants", p.within(m.Grant.filter(beneficiary_id=rid)),
                           "Grants"),
        await tables.table("disbursements", p.within(m.Disbursement.filter(
            grant_id__in=Subquery(m.Grant.filter(beneficiary_id=rid).values("id")))),
            "Tranches"),
        await tables.table("surveys", p.within(
            m.SurveyRecord.filter(beneficiary_id=rid)), "Surveys"),
    ]


async def trainings_page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """Her activities and her completion of each, as of today (the core's ``completions``)."""
    today = utcnow().date()

    def read() -> list[dict[str, Any]]:
        with panel.db.unit_of_work(readonly=True) as uow:
            return woman_completions(uow, row["id"], today)

    return {"completions": await run_in_threadpool(read), "as_of": today}


resource = Resource(
    "beneficiaries", N_("Beneficiaries"), m.Beneficiary,
    [_C("id", "#"), _C("cin", N_("CIN"), "cin"), _C("first_name", N_("First name")),
     _C("last_name", N_("Last name")), _C("first_name_ar", N_("First name (Arabic)")),
     _C("last_name_ar", N_("Last name (Arabic)")), _C("birth_date", N_("Birth date"), "date"),
     _C("phone", N_("Phone"), "phone", False), _C("province_code", N_("Province"), "province"),
     _C("milieu", N_("Milieu"), "label"), _C("registered_on", N_("Registered on"), "date"),
     _C("archived_on", N_("Archived on"), "date")],
    lambda p: p.within, search_beneficiaries,
    N_("Name (Latin or Arabic), CIN or phone"),
    [Filter("region", N_("Region"), region_options, by_region("province_code")),
     Filter("province", N_("Province"), province_options, by_province("province_code")),
     Filter("milieu", N_("Milieu"), vocab_options(vocab.Milieu),
            equals("milieu", vocab.Milieu)),
     Filter("age", N_("Age band"), lambda _p: [(b.label, b.label) for b in AGE_BANDS],
            _by_age_band),
     Filter("enrolment", N_("Enrolment status"),
            lambda _p: [*((v.value, gettext(v.value)) for v in vocab.EnrollmentStatus),
                        ("none", gettext("never applied"))], _by_enrollment,
            count_apply=_count_by_enrollment),
     Filter("archived", N_("Archived"), yes_no, _by_archived, default="no")],
    extra=[_C("rib", N_("RIB"), "rib", False), _C("commune", N_("Commune")),
           _C("education_level", N_("Education"), "label"),
           _C("marital_status", N_("Marital status"), "label"),
           _C("household_size", N_("Household size")), _C("disability", N_("Disability"), "bool"),
           _C("vulnerability_score", N_("Vulnerability score")),
           _C("consent_date", N_("Consent date"), "date"),
           _C("consent_version", N_("Consent version")), _C("erased_on", N_("Erased on"), "date")],
    create=FormSpec(FIELDS, create, N_("Register a beneficiary")),
    edit=EditForm(FIELDS, edit),
    actions=[
        Action("archive", N_("Archive"), DATE_REASON, archive,
               lambda r: r.get("archived_on") is None and r.get("erased_on") is None, "warning"),
        Action("restore", N_("Restore"), DATE_ON, restore,
               lambda r: r.get("archived_on") is not None and r.get("erased_on") is None),
    ],
    bulk=("archive",),
    related=related,
    audit_entity="beneficiary",
    page=trainings_page, page_template="_completions.html",
    masked_search=search_beneficiaries_masked,
    masked_search_hint=N_("Name (Latin or Arabic), whole CIN or whole phone number"),
)
