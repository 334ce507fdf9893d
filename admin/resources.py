"""The panel's resources: what each list shows, how it is searched, filtered and scoped.

Each resource is registered on the fastapi-admin application (for its menu) and described here by
a :class:`ResourceSpec`: columns, a search, filters and the scope function of :class:`Principal`
that narrows every query (list, filter options, export, detail by id).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi_admin.resources import Model as AdminModel
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from empower import vocab
from empower.models import utcnow

from . import models as m
from .compat import current_locale, gettext
from .scope import Principal

__all__ = ["RESOURCES", "Column", "Filter", "ResourceSpec", "age_band_range"]

N_ = str  # marks a string for the catalog; translated when rendered


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | date | datetime | mad | label | bool | cin | phone | link | json
    sortable: bool = True


@dataclass
class Filter:
    name: str
    label: str
    options: Callable[[Principal], Any]
    apply: Callable[[QuerySet, str, Principal], QuerySet]
    default: str = ""


@dataclass
class ResourceSpec:
    slug: str
    label: str
    model: Any
    columns: list[Column]
    scope: Callable[[Principal], Callable[[QuerySet], QuerySet]]
    search: Callable[[QuerySet, str], QuerySet] | None = None
    search_hint: str = ""
    filters: list[Filter] = field(default_factory=list)
    admin_only: bool = False
    has_detail: bool = True
    create_roles: tuple[str, ...] = ("admin", "officer")
    creatable: bool = False
    icon: str = ""
    # Shown on the record's page and in exports, not in the list.
    extra: list[Column] = field(default_factory=list)

    def query(self, principal: Principal) -> QuerySet:
        """Every row she may see."""
        return self.scope(principal)(self.model.all())

    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def all_columns(self) -> list[Column]:
        return self.columns + self.extra


# -- searches ----------------------------------------------------------------------------------
_CIN_RE = re.compile(r"^[A-Za-z]{1,2}\d{1,6}$")
_PHONE_RE = re.compile(r"^\+?[\d\s.\-]{6,}$")


_ARABIC = re.compile(r"[\u0600-\u06ff]")


def search_beneficiaries(qs: QuerySet, text: str) -> QuerySet:
    """Name words in Latin or Arabic script (each word must match), a CIN, or a phone number.

    Latin words are matched against ``match_key``, the folded (lower-case, accentless) name the
    core keeps for duplicate detection: one column, case-insensitive on every backend, and no
    ``UPPER()`` per row. Arabic words are matched against the Arabic name columns as typed.
    """
    text = text.strip()[:100]
    if not text:
        return qs
    if _CIN_RE.match(text):
        return qs.filter(cin__startswith=text.upper())
    if _PHONE_RE.match(text):
        digits = re.sub(r"\D", "", text)
        # National 06.. / 07.. numbers are stored as +2126... / +2127...
        tail = digits[1:] if digits.startswith("0") else digits
        return qs.filter(phone__contains=tail[-9:])
    for word in text.split()[:4]:
        key = vocab.fold(word).replace("_", " ")
        if _ARABIC.search(word):
            qs = qs.filter(Q(first_name_ar__contains=word) | Q(last_name_ar__contains=word)
                           | Q(match_key__contains=key))
        elif key:
            qs = qs.filter(match_key__contains=key)
    return qs


def _search_fields(*names: str) -> Callable[[QuerySet, str], QuerySet]:
    def search(qs: QuerySet, text: str) -> QuerySet:
        text = text.strip()[:100]
        if not text:
            return qs
        cond = Q()
        for i, name in enumerate(names):
            q = Q(**{f"{name}__icontains": text})
            cond = q if i == 0 else cond | q
        return qs.filter(cond)

    return search


def _search_id_or(*names: str) -> Callable[[QuerySet, str], QuerySet]:
    by_fields = _search_fields(*names)

    def search(qs: QuerySet, text: str) -> QuerySet:
        if text.strip().lstrip("#").isdigit():
            return qs.filter(id=int(text.strip().lstrip("#")))
        return by_fields(qs, text)

    return search


# -- filter helpers ----------------------------------------------------------------------------
def _vocab_options(enum: Any) -> Callable[[Principal], list[tuple[str, str]]]:
    return lambda _p: [(v.value, gettext(v.value)) for v in enum]


def _equals(column: str, enum: Any = None) -> Callable[[QuerySet, str, Principal], QuerySet]:
    def apply(qs: QuerySet, value: str, _p: Principal) -> QuerySet:
        if enum is not None and value not in {v.value for v in enum}:
            return qs  # a malformed filter value is ignored, never a 500
        return qs.filter(**{column: value})

    return apply


# Regions and provinces are reference data loaded by ``empower db upgrade``: read once.
_REFERENCE: dict[str, list[dict[str, Any]]] = {}


async def _reference(kind: str) -> list[dict[str, Any]]:
    if kind not in _REFERENCE:
        model = m.Region if kind == "regions" else m.Province
        _REFERENCE[kind] = await model.all().order_by("code").values("code", "name_fr",
                                                                      "name_ar")
    return _REFERENCE[kind]


async def region_options(p: Principal) -> list[tuple[str, str]]:
    name = "name_ar" if current_locale() == "ar" else "name_fr"
    return [(r["code"], f"{r['code']} {r[name]}") for r in await _reference("regions")
            if p.is_admin or r["code"] in p.regions]


async def province_options(p: Principal) -> list[tuple[str, str]]:
    name = "name_ar" if current_locale() == "ar" else "name_fr"
    return [(r["code"], f"{r['code']} {r[name]}") for r in await _reference("provinces")
            if p.is_admin or r["code"] in p.provinces]


def _by_region(column: str) -> Callable[[QuerySet, str, Principal], QuerySet]:
    def apply(qs: QuerySet, value: str, p: Principal) -> QuerySet:
        if not re.fullmatch(r"\d{2}", value) or (not p.is_admin and value not in p.regions):
            return qs.filter(id=-1) if value else qs
        return qs.filter(**{f"{column}__in": Subquery(
            m.Province.filter(region_code=value).values("code"))})

    return apply


def _by_province(column: str) -> Callable[[QuerySet, str, Principal], QuerySet]:
    def apply(qs: QuerySet, value: str, p: Principal) -> QuerySet:
        if not p.is_admin and value not in p.provinces:
            return qs.filter(id=-1)
        return qs.filter(**{column: value[:6]})

    return apply


AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")


def age_band_range(band: str, today: date) -> tuple[date, date] | None:
    """Birth dates (inclusive) of women whose age today is in ``band``."""
    if band not in AGE_BANDS:
        return None
    if band.endswith("+"):
        low, high = int(band[:-1]), 150
    else:
        low, high = (int(x) for x in band.split("-"))

    def years_ago(n: int) -> date:
        try:
            return today.replace(year=today.year - n)
        except ValueError:  # 29 February
            return today.replace(year=today.year - n, day=28)

    return years_ago(high + 1) + timedelta(days=1), years_ago(low)


def _by_age_band(qs: QuerySet, value: str, _p: Principal) -> QuerySet:
    rng = age_band_range(value, utcnow().date())
    return qs.filter(birth_date__range=rng) if rng else qs


def _by_enrolment(qs: QuerySet, value: str, _p: Principal) -> QuerySet:
    if value == "none":
        return qs.filter(id__not_in=Subquery(m.Enrollment.all().values("beneficiary_id")))
    if value not in {v.value for v in vocab.EnrollmentStatus}:
        return qs
    return qs.filter(id__in=Subquery(m.Enrollment.filter(status=value).values("beneficiary_id")))


def _by_archived(qs: QuerySet, value: str, _p: Principal) -> QuerySet:
    if value == "yes":
        return qs.filter(archived_on__isnull=False)
    if value == "all":
        return qs
    return qs.filter(archived_on__isnull=True)


async def program_options(p: Principal) -> list[tuple[str, str]]:
    rows = await p.scope_programs(m.Program.all()).order_by("code").values("id", "code")
    return [(str(r["id"]), r["code"]) for r in rows]


def _by_int(column: str) -> Callable[[QuerySet, str, Principal], QuerySet]:
    def apply(qs: QuerySet, value: str, _p: Principal) -> QuerySet:
        return qs.filter(**{column: int(value)}) if value.isdigit() else qs

    return apply


def _yes_no(_p: Principal) -> list[tuple[str, str]]:
    return [("no", gettext("no")), ("yes", gettext("yes")), ("all", gettext("all"))]


# -- the resources -----------------------------------------------------------------------------
def _C(key: str, label: str, kind: str = "text", sortable: bool = True) -> Column:
    return Column(key, label, kind, sortable)


RESOURCES: dict[str, ResourceSpec] = {}


def _add(spec: ResourceSpec) -> None:
    RESOURCES[spec.slug] = spec


_add(ResourceSpec(
    "beneficiaries", N_("Beneficiaries"), m.Beneficiary,
    [_C("id", "#"), _C("cin", N_("CIN"), "cin"), _C("first_name", N_("First name")),
     _C("last_name", N_("Last name")), _C("first_name_ar", N_("First name (Arabic)")),
     _C("last_name_ar", N_("Last name (Arabic)")), _C("birth_date", N_("Birth date"), "date"),
     _C("phone", N_("Phone"), "phone", False), _C("province_code", N_("Province"), "province"),
     _C("milieu", N_("Milieu"), "label"), _C("registered_on", N_("Registered on"), "date"),
     _C("archived_on", N_("Archived on"), "date")],
    lambda p: p.scope_beneficiaries, search_beneficiaries,
    N_("Name (Latin or Arabic), CIN or phone"),
    [Filter("region", N_("Region"), region_options, _by_region("province_code")),
     Filter("province", N_("Province"), province_options, _by_province("province_code")),
     Filter("milieu", N_("Milieu"), _vocab_options(vocab.Milieu),
            _equals("milieu", vocab.Milieu)),
     Filter("age", N_("Age band"), lambda _p: [(b, b) for b in AGE_BANDS], _by_age_band),
     Filter("enrolment", N_("Enrolment status"),
            lambda _p: [*((v.value, gettext(v.value)) for v in vocab.EnrollmentStatus),
                        ("none", gettext("never applied"))], _by_enrolment),
     Filter("archived", N_("Archived"), _yes_no, _by_archived, default="no")],
    creatable=True,
    extra=[_C("commune", N_("Commune")), _C("education_level", N_("Education"), "label"),
           _C("marital_status", N_("Marital status"), "label"),
           _C("household_size", N_("Household size")), _C("disability", N_("Disability"), "bool"),
           _C("vulnerability_score", N_("Vulnerability score")),
           _C("consent_date", N_("Consent date"), "date"),
           _C("consent_version", N_("Consent version")), _C("erased_on", N_("Erased on"), "date")]))

_add(ResourceSpec(
    "cooperatives", N_("Cooperatives"), m.Cooperative,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("name", N_("Name")),
     _C("name_ar", N_("Name (Arabic)")), _C("sector", N_("Sector"), "label"),
     _C("province_code", N_("Province"), "province"), _C("founded_on", N_("Founded on"), "date"),
     _C("dissolved_on", N_("Dissolved on"), "date"), _C("women_led", N_("Women-led"), "bool")],
    lambda p: p.scope_cooperatives, _search_fields("reference", "name", "name_ar"),
    N_("Reference or name"),
    [Filter("region", N_("Region"), region_options, _by_region("province_code")),
     Filter("province", N_("Province"), province_options, _by_province("province_code")),
     Filter("sector", N_("Sector"), _vocab_options(vocab.Sector), _equals("sector", vocab.Sector))],
    creatable=True,
    extra=[_C("odco_registration", N_("ODCo registration")), _C("commune", N_("Commune"))]))

_add(ResourceSpec(
    "memberships", N_("Members"), m.Membership,
    [_C("id", "#"), _C("cooperative_id", N_("Cooperative"), "link"),
     _C("beneficiary_id", N_("Beneficiary"), "link"), _C("role", N_("Role"), "label"),
     _C("joined_on", N_("Joined on"), "date"), _C("left_on", N_("Left on"), "date")],
    lambda p: p.scope_by_beneficiary, None, "",
    [Filter("role", N_("Role"), _vocab_options(vocab.CooperativeRole),
            _equals("role", vocab.CooperativeRole))], has_detail=False))

_add(ResourceSpec(
    "programs", N_("Programs"), m.Program,
    [_C("id", "#"), _C("code", N_("Code")), _C("name", N_("Name")), _C("funder", N_("Funder")),
     _C("start_date", N_("Start"), "date"), _C("end_date", N_("End"), "date"),
     _C("budget_centimes", N_("Budget"), "mad"), _C("committed_centimes", N_("Committed"), "mad"),
     _C("grant_cap_centimes", N_("Grant cap"), "mad"), _C("region_code", N_("Region"))],
    lambda p: p.scope_programs, _search_fields("code", "name", "funder"), N_("Code or name"),
    [], has_detail=False, creatable=True, create_roles=("admin",)))

_add(ResourceSpec(
    "partners", N_("Partners"), m.Partner,
    [_C("id", "#"), _C("name", N_("Name")), _C("name_ar", N_("Name (Arabic)")),
     _C("kind", N_("Kind"), "label"), _C("province_code", N_("Province"), "province"),
     _C("contact_email", N_("Email"))],
    lambda p: p.scope_all, _search_fields("name", "name_ar"), N_("Name"),
    [Filter("kind", N_("Kind"), _vocab_options(vocab.PartnerKind),
            _equals("kind", vocab.PartnerKind))], has_detail=False, creatable=True))

_add(ResourceSpec(
    "agreements", N_("Agreements"), m.Agreement,
    [_C("id", "#"), _C("program_id", N_("Program"), "link"),
     _C("partner_id", N_("Partner")), _C("signed_on", N_("Signed on"), "date"),
     _C("ends_on", N_("Ends on"), "date"), _C("committed_centimes", N_("Committed"), "mad"),
     _C("status", N_("Status"), "label")],
    lambda p: p.scope_agreements, None, "",
    [Filter("program", N_("Program"), program_options, _by_int("program_id"))],
    has_detail=False, creatable=True))

_add(ResourceSpec(
    "enrollments", N_("Enrolments"), m.Enrollment,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("program_id", N_("Program"), "link"), _C("status", N_("Status"), "label"),
     _C("applied_on", N_("Applied on"), "date"), _C("enrolled_on", N_("Enrolled on"), "date"),
     _C("exited_on", N_("Exited on"), "date"), _C("exit_reason", N_("Exit reason"), "label")],
    lambda p: p.scope_by_beneficiary, None, "",
    [Filter("status", N_("Status"), _vocab_options(vocab.EnrollmentStatus),
            _equals("status", vocab.EnrollmentStatus)),
     Filter("program", N_("Program"), program_options, _by_int("program_id"))],
    creatable=True))

_add(ResourceSpec(
    "grants", N_("Grants"), m.Grant,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("program_id", N_("Program"), "link"),
     _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("cooperative_id", N_("Cooperative"), "link"), _C("status", N_("Status"), "label"),
     _C("amount_requested_centimes", N_("Requested"), "mad"),
     _C("amount_approved_centimes", N_("Approved"), "mad"),
     _C("disbursed_centimes", N_("Paid"), "mad"), _C("submitted_on", N_("Submitted on"), "date"),
     _C("approved_on", N_("Approved on"), "date")],
    lambda p: p.scope_grants, _search_id_or("reference", "purpose"), N_("Reference or purpose"),
    [Filter("status", N_("Status"), _vocab_options(vocab.GrantStatus),
            _equals("status", vocab.GrantStatus)),
     Filter("program", N_("Program"), program_options, _by_int("program_id"))],
    creatable=True,
    extra=[_C("purpose", N_("Purpose")), _C("rejected_on", N_("Rejected on"), "date"),
           _C("cancelled_on", N_("Cancelled on"), "date"),
           _C("closed_on", N_("Closed on"), "date")]))

_add(ResourceSpec(
    "disbursements", N_("Tranches"), m.Disbursement,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("grant_id", N_("Grant"), "link"),
     _C("amount_centimes", N_("Amount"), "mad"), _C("paid_on", N_("Paid on"), "date"),
     _C("channel", N_("Channel"), "label")],
    lambda p: p.scope_disbursements, _search_fields("reference"), N_("Reference"),
    [Filter("channel", N_("Channel"), _vocab_options(vocab.Channel),
            _equals("channel", vocab.Channel))], has_detail=False))

_add(ResourceSpec(
    "surveys", N_("Surveys"), m.SurveyRecord,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("program_id", N_("Program"), "link"), _C("round", N_("Round"), "label"),
     _C("surveyed_on", N_("Surveyed on"), "date"),
     _C("monthly_income_centimes", N_("Monthly income"), "mad"),
     _C("has_savings", N_("Savings"), "bool"), _C("has_account", N_("Account"), "bool"),
     _C("business_operating", N_("Business operating"), "bool"),
     _C("jobs_created", N_("Jobs created"))],
    lambda p: p.scope_by_beneficiary, None, "",
    [Filter("round", N_("Round"), _vocab_options(vocab.SurveyRound),
            _equals("round", vocab.SurveyRound)),
     Filter("program", N_("Program"), program_options, _by_int("program_id"))],
    has_detail=False, creatable=True))

_add(ResourceSpec(
    "duplicates", N_("Duplicate candidates"), m.DuplicateCandidate,
    [_C("id", "#"), _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("other_beneficiary_id", N_("Other beneficiary"), "link"), _C("rule", N_("Rule"), "label"),
     _C("score", N_("Score")), _C("status", N_("Status"), "label"),
     _C("detected_at", N_("Detected at"), "datetime")],
    lambda p: p.scope_duplicates, None, "",
    [Filter("status", N_("Status"), _vocab_options(vocab.DuplicateStatus),
            _equals("status", vocab.DuplicateStatus), default="open")],
    extra=[_C("resolved_at", N_("Resolved at"), "datetime"),
           _C("resolved_by", N_("Resolved by")), _C("note", N_("Note"))]))

_add(ResourceSpec(
    "users", N_("Users"), m.User,
    [_C("id", "#"), _C("username", N_("User name")), _C("role", N_("Role"), "label"),
     _C("language", N_("Language")), _C("is_active", N_("Active"), "bool"),
     _C("locked_until", N_("Locked until"), "datetime"),
     _C("last_login_at", N_("Last login"), "datetime")],
    lambda p: p.scope_all, _search_fields("username"), N_("User name"),
    [Filter("role", N_("Role"), _vocab_options(vocab.Role), _equals("role", vocab.Role))],
    admin_only=True, creatable=True, create_roles=("admin",),
    extra=[_C("failed_logins", N_("Failed logins")),
           _C("password_changed_at", N_("Password changed at"), "datetime"),
           _C("created_at", N_("Created at"), "datetime")]))

_add(ResourceSpec(
    "audit", N_("Audit log"), m.AuditEvent,
    [_C("id", "#"), _C("at", N_("When"), "datetime"), _C("actor", N_("Actor")),
     _C("action", N_("Action")), _C("entity", N_("Entity")), _C("entity_id", N_("Record")),
     _C("changes", N_("Changes"), "json", False)],
    lambda p: p.scope_all, _search_fields("actor", "action", "entity"),
    N_("Actor, action or entity"), [], admin_only=True, has_detail=False))

# Where a link column points.
LINK_TARGETS = {
    "beneficiary_id": "beneficiaries", "other_beneficiary_id": "beneficiaries",
    "cooperative_id": "cooperatives", "grant_id": "grants", "program_id": None,
}


def register_menu(app: Any) -> None:
    """Register every resource on the fastapi-admin application (its menu registry)."""
    for spec in RESOURCES.values():
        attrs = {"label": spec.label, "model": spec.model, "icon": spec.icon,
                 "fields": spec.column_keys(), "page_size": 25}
        app.register(type(f"{spec.model.__name__}Resource", (AdminModel,), attrs))
