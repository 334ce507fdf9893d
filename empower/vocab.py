"""Controlled vocabularies: the stored values and the French labels people type.

Stored values are the English snake_case strings below. Imports and the panel also accept the
French labels (and a few common spellings), matched case- and accent-insensitively by
:func:`parse_choice`.
"""

from __future__ import annotations

import functools
import unicodedata
from enum import StrEnum
from typing import TypeVar

from empower.errors import InvalidInput

__all__ = [
    "ActivityKind",
    "AgreementStatus",
    "AttendanceStatus",
    "BatchStatus",
    "Channel",
    "CooperativeRole",
    "DuplicateRule",
    "DuplicateStatus",
    "EducationLevel",
    "DataRequestKind",
    "EnrollmentStatus",
    "ExitReason",
    "FOCAL_POINT",
    "GrievanceCategory",
    "GrievanceChannel",
    "GrievanceStatus",
    "GrievanceStepKind",
    "GrantStatus",
    "InstructionStatus",
    "IntakeStatus",
    "MaritalStatus",
    "Milieu",
    "PartnerKind",
    "PaymentChannel",
    "Role",
    "Sector",
    "SessionStatus",
    "Sensitivity",
    "SurveyRound",
    "TrancheCondition",
    "VisitKind",
    "fold",
    "parse_choice",
]


class Milieu(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


class EducationLevel(StrEnum):
    NONE = "none"
    LITERACY_PROGRAM = "literacy_program"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    HIGHER = "higher"


class MaritalStatus(StrEnum):
    SINGLE = "single"
    MARRIED = "married"
    DIVORCED = "divorced"
    WIDOWED = "widowed"


class ExitReason(StrEnum):
    COMPLETED = "completed"
    GRADUATED = "graduated"
    DROPPED_OUT = "dropped_out"
    MOVED = "moved"
    DECEASED = "deceased"
    DUPLICATE = "duplicate"
    OTHER = "other"


class Sector(StrEnum):
    AGRICULTURE = "agriculture"
    ARGAN = "argan"
    AROMATIC_MEDICINAL_PLANTS = "aromatic_medicinal_plants"
    CRAFTS = "crafts"
    FOOD_PROCESSING = "food_processing"
    TEXTILES = "textiles"
    FISHING = "fishing"
    FORESTRY = "forestry"
    LIVESTOCK = "livestock"
    SERVICES = "services"
    TOURISM = "tourism"
    HOUSING = "housing"
    OTHER = "other"


class CooperativeRole(StrEnum):
    MEMBER = "member"
    PRESIDENT = "president"
    VICE_PRESIDENT = "vice_president"
    TREASURER = "treasurer"
    SECRETARY = "secretary"


class Channel(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    MOBILE_MONEY = "mobile_money"
    CHEQUE = "cheque"


class SurveyRound(StrEnum):
    BASELINE = "baseline"
    M6 = "m6"
    M12 = "m12"
    M24 = "m24"


class EnrollmentStatus(StrEnum):
    APPLIED = "applied"
    ENROLLED = "enrolled"
    EXITED = "exited"
    REJECTED = "rejected"
    # Eligible for an intake but beyond its places: promoted if a selected woman withdraws.
    WAITLISTED = "waitlisted"


class IntakeStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    SELECTED = "selected"


class GrantStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class PartnerKind(StrEnum):
    ASSOCIATION = "association"
    PUBLIC_AGENCY = "public_agency"
    UNIVERSITY = "university"
    PRIVATE_FIRM = "private_firm"
    INTERNATIONAL = "international"
    COOPERATIVE = "cooperative"


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class DuplicateRule(StrEnum):
    SAME_NAME_BIRTH_DATE = "same_name_birth_date"
    SAME_PHONE = "same_phone"


class DuplicateStatus(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    DISMISSED = "dismissed"


class ActivityKind(StrEnum):
    TRAINING = "training"
    COACHING = "coaching"
    MENTORING = "mentoring"
    FAIR = "fair"
    EXCHANGE_VISIT = "exchange_visit"


class SessionStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


class VisitKind(StrEnum):
    ON_SITE = "on_site"
    PHONE = "phone"
    GROUP = "group"


class PaymentChannel(StrEnum):
    """How a payment batch reaches the women: the paying institution's kind of file."""

    BANK_TRANSFER = "bank_transfer"
    CASH_OUT = "cash_out"
    MOBILE_MONEY = "mobile_money"


class BatchStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    SENT = "sent"
    RECONCILED = "reconciled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class InstructionStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    PAID = "paid"
    FAILED = "failed"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class TrancheCondition(StrEnum):
    """What must hold before a grant's next tranche (after the first) goes into a batch."""

    TRAINING_COMPLETED = "training_completed"
    VISIT_SINCE_LAST_TRANCHE = "visit_since_last_tranche"


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    VIEWER = "viewer"


# The confidential channel's role, held on top of an account's role (``users.focal_point``): an
# admin, an officer or a viewer designated as the program's focal point for conduct and sexual
# exploitation, abuse and harassment cases.
FOCAL_POINT = "focal_point"


class GrievanceChannel(StrEnum):
    """How a complaint reached the program."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    ASSOCIATION = "association"
    LETTER = "letter"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    OTHER = "other"


class GrievanceCategory(StrEnum):
    SELECTION = "selection"
    PAYMENT = "payment"
    TRAINING = "training"
    CONDUCT = "conduct"
    SEXUAL_EXPLOITATION_ABUSE = "sexual_exploitation_abuse"
    DATA_PROTECTION = "data_protection"
    OTHER = "other"


class DataRequestKind(StrEnum):
    """A data-protection request's right (law 09-08)."""

    ACCESS = "access"
    CORRECTION = "correction"
    OBJECTION = "objection"
    ERASURE = "erasure"


class Sensitivity(StrEnum):
    STANDARD = "standard"
    CONFIDENTIAL = "confidential"


class GrievanceStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    UNDER_REVIEW = "under_review"
    RESOLVED = "resolved"
    UNFOUNDED = "unfounded"
    APPEALED = "appealed"
    CLOSED = "closed"


class GrievanceStepKind(StrEnum):
    """A line of a grievance's log: each action of its state machine, an assignment, a note."""

    RECEIVE = "receive"
    ACKNOWLEDGE = "acknowledge"
    ASSIGN = "assign"
    NOTE = "note"
    REVIEW = "review"
    RESOLVE = "resolve"
    UNFOUNDED = "unfounded"
    TELL = "tell"
    APPEAL = "appeal"
    CLOSE = "close"
    FULFIL = "fulfil"


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive key: ``" Présidente "`` -> ``"presidente"``.

    Cached: a file's cells repeat the same few labels thousands of times."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(stripped.replace("-", " ").replace("'", " ").split())


# French labels (and common variants) people type in spreadsheets and forms.
_LABELS: dict[type[StrEnum], dict[str, str]] = {
    Milieu: {"urbain": "urban", "urbaine": "urban", "rurale": "rural", "حضري": "urban", "قروي": "rural"},
    EducationLevel: {
        "aucun": "none", "aucune": "none", "sans": "none", "neant": "none",
        "alphabetisation": "literacy_program", "programme_d_alphabetisation": "literacy_program",
        "primaire": "primary", "college": "lower_secondary", "secondaire_collegial": "lower_secondary",
        "lycee": "upper_secondary", "secondaire_qualifiant": "upper_secondary",
        "superieur": "higher", "universitaire": "higher",
    },
    MaritalStatus: {
        "celibataire": "single", "mariee": "married", "marie": "married",
        "divorcee": "divorced", "divorce": "divorced", "veuve": "widowed", "veuf": "widowed",
    },
    ExitReason: {
        "acheve": "completed", "termine": "completed", "terminee": "completed",
        "diplomee": "graduated", "abandon": "dropped_out", "demenagement": "moved",
        "demenagee": "moved", "decedee": "deceased", "deces": "deceased", "doublon": "duplicate",
        "autre": "other",
    },
    Sector: {
        "agriculture": "agriculture", "argan": "argan", "arganier": "argan",
        "plantes_aromatiques_et_medicinales": "aromatic_medicinal_plants", "pam": "aromatic_medicinal_plants",
        "artisanat": "crafts", "agroalimentaire": "food_processing",
        "transformation_alimentaire": "food_processing",
        "textile": "textiles", "couture": "textiles", "peche": "fishing", "foret": "forestry",
        "foresterie": "forestry", "elevage": "livestock", "services": "services", "tourisme": "tourism",
        "habitat": "housing", "logement": "housing", "autre": "other",
    },
    CooperativeRole: {
        "membre": "member", "adherente": "member", "presidente": "president", "president": "president",
        "vice_presidente": "vice_president", "tresoriere": "treasurer", "tresorier": "treasurer",
        "secretaire": "secretary",
    },
    Channel: {
        "virement": "bank_transfer", "virement_bancaire": "bank_transfer", "especes": "cash",
        "espece": "cash", "mobile": "mobile_money", "paiement_mobile": "mobile_money",
        "cheque": "cheque",
    },
    ActivityKind: {
        "formation": "training", "accompagnement": "coaching", "coaching": "coaching",
        "mentorat": "mentoring", "parrainage": "mentoring", "foire": "fair", "salon": "fair",
        "exposition": "fair", "visite_d_echange": "exchange_visit", "voyage_d_echange": "exchange_visit",
        "تكوين": "training", "مواكبة": "coaching", "معرض": "fair",
    },
    SessionStatus: {
        "prevue": "planned", "planifiee": "planned", "programmee": "planned", "tenue": "held",
        "realisee": "held", "annulee": "cancelled",
    },
    # KoboToolbox rosters export the select-one label, in French or Arabic.
    AttendanceStatus: {
        "presente": "present", "present": "present", "p": "present", "absente": "absent",
        "absent": "absent", "a": "absent", "excusee": "excused", "excuse": "excused",
        "absence_justifiee": "excused", "absente_excusee": "excused", "justifiee": "excused",
        "e": "excused", "حاضرة": "present", "حاضر": "present", "غائبة": "absent", "غائب": "absent",
        "غياب_مبرر": "excused", "معذورة": "excused", "غائبة_بعذر": "excused",
    },
    VisitKind: {
        "sur_site": "on_site", "sur_place": "on_site", "visite_sur_site": "on_site",
        "telephone": "phone", "telephonique": "phone", "appel": "phone", "groupe": "group",
        "collective": "group", "ميدانية": "on_site", "هاتفية": "phone", "جماعية": "group",
    },
    PaymentChannel: {
        "virement": "bank_transfer", "virement_bancaire": "bank_transfer",
        "retrait_especes": "cash_out", "mise_a_disposition": "cash_out", "cash": "cash_out",
        "especes": "cash_out", "paiement_mobile": "mobile_money", "mobile": "mobile_money",
        "wallet": "mobile_money",
    },
    # Return files: the provider's words for what happened to each line.
    InstructionStatus: {
        "payee": "paid", "paye": "paid", "payé": "paid", "servi": "paid", "servie": "paid",
        "retire": "paid", "retiree": "paid", "execute": "paid", "executee": "paid", "ok": "paid",
        "en_attente": "pending", "envoyee": "sent", "envoye": "sent",
        "echec": "failed", "echoue": "failed", "echouee": "failed", "rejete": "failed",
        "rejetee": "failed", "ko": "failed", "retourne": "returned", "retournee": "returned",
        "non_retire": "returned", "non_retiree": "returned", "non_servi": "returned",
        "expire": "returned", "annule": "cancelled", "annulee": "cancelled",
        "مدفوع": "paid", "تم_الأداء": "paid", "فشل": "failed", "مرفوض": "failed",
        "مرتجع": "returned", "لم_يسحب": "returned",
    },
    TrancheCondition: {
        "formation_achevee": "training_completed", "formation_terminee": "training_completed",
        "visite_depuis_la_derniere_tranche": "visit_since_last_tranche",
    },
    GrievanceChannel: {
        "telephone": "phone", "ligne_verte": "phone", "appel": "phone", "hotline": "phone",
        "en_personne": "in_person", "sur_place": "in_person", "guichet": "in_person",
        "visite": "in_person", "association_partenaire": "association", "courrier": "letter",
        "lettre": "letter", "whatsapp": "whatsapp", "courriel": "email", "e_mail": "email",
        "mail": "email", "autre": "other", "هاتف": "phone", "حضوريا": "in_person",
        "جمعية": "association", "رسالة": "letter", "واتساب": "whatsapp",
    },
    GrievanceCategory: {
        "selection": "selection", "ciblage": "selection", "paiement": "payment",
        "tranche": "payment", "formation": "training", "comportement": "conduct",
        "conduite": "conduct", "exploitation_et_abus_sexuels": "sexual_exploitation_abuse",
        "eas": "sexual_exploitation_abuse", "eas_hs": "sexual_exploitation_abuse",
        "harcelement_sexuel": "sexual_exploitation_abuse", "donnees_personnelles": "data_protection",
        "protection_des_donnees": "data_protection", "loi_09_08": "data_protection",
        "autre": "other",
    },
    DataRequestKind: {
        "acces": "access", "rectification": "correction", "correction": "correction",
        "opposition": "objection", "effacement": "erasure", "suppression": "erasure",
    },
    Sensitivity: {"normale": "standard", "normal": "standard", "standard": "standard",
                  "confidentielle": "confidential", "confidentiel": "confidential"},
    SurveyRound: {"ligne_de_base": "baseline", "base": "baseline", "6m": "m6", "12m": "m12", "24m": "m24"},
}

# Labels are looked up by their folded form: folding decomposes an Arabic letter with a hamza
# (ئ, أ, ؤ) and drops the hamza, so a label written with one would otherwise never match.
_LABELS = {enum: {fold(k): v for k, v in labels.items()} for enum, labels in _LABELS.items()}

E = TypeVar("E", bound=StrEnum)


@functools.lru_cache(maxsize=4096)
def _choice(enum: type[E], key: str) -> E | None:
    for member in enum:
        if key == member.value:
            return member
    mapped = _LABELS.get(enum, {}).get(key)
    return enum(mapped) if mapped is not None else None


def parse_choice(enum: type[E], raw: str, *, field: str) -> E:
    """Read a vocabulary value from its stored form or a French label; refuse anything else."""
    found = _choice(enum, fold(raw))
    if found is not None:
        return found
    allowed = ", ".join(m.value for m in enum)
    raise InvalidInput(f"{field}: '{raw}' is not one of {allowed}", code="choice.invalid",
                       params={"value": str(raw), "allowed": [m.value for m in enum]},
                       field=field, value=raw)
