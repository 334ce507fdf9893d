"""The file contract: each kind's columns, their French header equivalents, and cell parsers.

A cell arrives as text (CSV) or as whatever openpyxl read (``str``, ``int``, ``float``,
``datetime``, ``bool``). Each parser returns the Python value the core services take, or raises
:class:`~empower.errors.InvalidInput` with a plain-language reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Any

from empower.errors import InvalidInput
from empower.reference import provinces, regions
from empower.rules import centimes, mad
from empower.vocab import (
    Channel,
    CooperativeRole,
    EducationLevel,
    ExitReason,
    MaritalStatus,
    Milieu,
    Sector,
    SurveyRound,
    fold,
    parse_choice,
)

__all__ = ["KINDS", "Column", "Kind", "header_key", "kind_spec"]

# Spreadsheet-safe exports prefix risky cells with an apostrophe; reading strips it again.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


def header_key(text: str) -> str:
    """Comparison key of a header: accents, case, spacing and punctuation ignored."""
    return re.sub(r"[\W_]+", "_", fold(str(text))).strip("_")


def clean(raw: Any) -> Any:
    """Trim text, undo export neutralisation, and turn blanks into ``None``."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if text[0] == "'":
            text = _NEUTRALISED.sub("", text)
        return text
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return int(raw)
    return raw


# ----------------------------------------------------------------------------- cell parsers


def _text(raw: Any, col: str) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


_EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?$")
_SERIAL = re.compile(r"^\d{1,7}(?:\.\d+)?$")


def _date(raw: Any, col: str) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise InvalidInput(f"{col}: '{raw}' is not a date", field=col, value=raw)
    if isinstance(raw, int | float):
        return _serial(raw, col, raw)
    text = str(raw)
    try:
        m = _ISO.match(text)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(text)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError as exc:
        raise InvalidInput(f"{col}: '{raw}' is not a real date", field=col, value=raw) from exc
    if _SERIAL.match(text):
        return _serial(float(text), col, raw)
    raise InvalidInput(f"{col}: '{raw}' is not a date (use YYYY-MM-DD or dd/mm/yyyy)",
                       field=col, value=raw)


def _serial(number: float, col: str, raw: Any) -> date:
    # Excel serials: day 1 is 1900-01-01; beyond 9999-12-31 nothing is a date.
    if not 1 <= number <= 2958465:
        raise InvalidInput(f"{col}: '{raw}' is not a date", field=col, value=raw)
    return _EXCEL_EPOCH + timedelta(days=int(number))


def _amount(raw: Any, col: str) -> Decimal:
    if isinstance(raw, bool):
        raise InvalidInput(f"{col}: '{raw}' is not an amount", field=col, value=raw)
    if isinstance(raw, float):
        raw = repr(raw)
    value = mad(centimes(raw, field=col))
    assert value is not None
    return value


_TRUE = frozenset({"yes", "y", "oui", "o", "true", "vrai", "1", "نعم", "x"})
_FALSE = frozenset({"no", "n", "non", "false", "faux", "0", "لا"})


def _bool(raw: Any, col: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    key = fold(str(raw))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidInput(f"{col}: '{raw}' is not yes/no (oui/non, true/false, 1/0, نعم/لا)",
                       field=col, value=raw)


def _int(raw: Any, col: str) -> int:
    if isinstance(raw, bool):
        raise InvalidInput(f"{col}: '{raw}' is not a whole number", field=col, value=raw)
    if isinstance(raw, int):
        return raw
    try:
        dec = Decimal(str(raw).replace(",", ".").replace(" ", ""))
        if dec.is_finite() and dec == dec.to_integral_value() and abs(dec) < 10**12:
            return int(dec)
    except InvalidOperation:
        pass
    raise InvalidInput(f"{col}: '{raw}' is not a whole number", field=col, value=raw)


def _float(raw: Any, col: str) -> float:
    if isinstance(raw, bool):
        raise InvalidInput(f"{col}: '{raw}' is not a number", field=col, value=raw)
    if isinstance(raw, int | float):
        return float(raw)
    try:
        value = float(str(raw).replace(",", ".").replace(" ", ""))
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"{col}: '{raw}' is not a number", field=col, value=raw)
    return value


@lru_cache(maxsize=1)
def _province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in provinces():
        index[row["code"]] = row["code"]
        index[header_key(row["name_fr"])] = row["code"]
        index[header_key(row["name_ar"])] = row["code"]
        index[unicodedata.normalize("NFC", row["name_ar"]).strip()] = row["code"]
    return index


def _province(raw: Any, col: str) -> str:
    index = _province_index()
    if isinstance(raw, float):
        # Excel turns "04.441" into the number 4.441.
        whole, frac = f"{raw:.3f}".split(".")
        raw = f"{int(whole):02d}.{frac}"
    text = str(raw).strip()
    code = index.get(text) or index.get(header_key(text))
    if code is None:
        raise InvalidInput(
            f"{col}: '{raw}' is not a province (an HCP code such as 04.441, or its French or "
            f"Arabic name)", field=col, value=raw)
    return code


@lru_cache(maxsize=1)
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in regions():
        index[row["code"]] = row["code"]
        index[str(int(row["code"]))] = row["code"]
        index[header_key(row["name_fr"])] = row["code"]
        index[header_key(row["name_ar"])] = row["code"]
    return index


def _region(raw: Any, col: str) -> str:
    text = str(raw).strip()
    code = _region_index().get(text) or _region_index().get(header_key(text))
    if code is None:
        raise InvalidInput(f"{col}: '{raw}' is not a region (an HCP code 01 to 12, or its name)",
                           field=col, value=raw)
    return code


def _choice(enum: type[StrEnum]) -> Callable[[Any, str], StrEnum]:
    def parse(raw: Any, col: str) -> StrEnum:
        return parse_choice(enum, _text(raw, col), field=col)

    return parse


# ----------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class Column:
    """One canonical column: its parser, French header equivalents and a note for templates."""

    name: str
    parse: Callable[[Any, str], Any]
    help: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    allowed: str = ""


@dataclass(frozen=True)
class Kind:
    """One importable kind: its columns, the columns forming its key, and extra requirements."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # One column of each group must be in the header (e.g. a name in either script).
    one_of: tuple[tuple[str, ...], ...] = ()
    by_name: dict[str, Column] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_name.update({c.name: c for c in self.columns})

    def header_index(self) -> dict[str, str]:
        """Header key -> canonical column name, for canonical names and French equivalents."""
        index = {}
        for col in self.columns:
            index[header_key(col.name)] = col.name
            for alias in col.aliases:
                index[header_key(alias)] = col.name
        return index


def _vocab(enum: type[StrEnum]) -> str:
    return ", ".join(m.value for m in enum)


DATE_HELP = "date: YYYY-MM-DD, dd/mm/yyyy or an Excel date"
AMOUNT_HELP = "amount in MAD: 12500.50, 12 500,50 or 12500 MAD"
BOOL_HELP = "yes/no, oui/non, true/false, 1/0, نعم/لا"
PROVINCE_HELP = "HCP province code (e.g. 04.441) or the province's French or Arabic name"

_CIN = Column("cin", _text, "national identity card number (CIN), e.g. AB123456",
              ("cnie", "n cin", "no cin", "numero cin", "numero de cin", "numéro de la cin",
               "carte nationale", "رقم البطاقة الوطنية"), required=True)
_PROGRAM_CODE = Column("program_code", _text, "code of an existing program",
                       ("programme", "code programme", "code du programme", "program"),
                       required=True)
_COOP_REF = Column("cooperative_reference", _text, "reference of an existing cooperative",
                   ("cooperative", "coopérative", "référence coopérative",
                    "référence de la coopérative", "ref cooperative"))

PROGRAMS = Kind("programs", (
    Column("code", _text, "unique program code (the key)", ("code programme", "code du programme"),
           required=True),
    Column("name", _text, "program name", ("nom", "intitulé", "nom du programme"), required=True),
    Column("funder", _text, "funder", ("bailleur", "bailleur de fonds", "financeur")),
    Column("start_date", _date, DATE_HELP, ("date de début", "début", "date debut"), required=True),
    Column("end_date", _date, DATE_HELP + "; empty when open-ended", ("date de fin", "fin")),
    Column("budget", _amount, AMOUNT_HELP, ("budget total", "montant du budget"), required=True),
    Column("grant_cap", _amount, AMOUNT_HELP + "; cap per grant, empty for none",
           ("plafond", "plafond par subvention", "plafond subvention")),
    Column("region_code", _region, "HCP region code 01 to 12 or region name; empty: national",
           ("région", "code région", "region")),
), key=("code",))

BENEFICIARIES = Kind("beneficiaries", (
    _CIN,
    Column("first_name", _text, "first name in Latin script", ("prénom", "prenom")),
    Column("last_name", _text, "last name in Latin script", ("nom", "nom de famille")),
    Column("first_name_ar", _text, "first name in Arabic script",
           ("prénom arabe", "prénom (arabe)", "prénom en arabe", "الاسم الشخصي", "الاسم")),
    Column("last_name_ar", _text, "last name in Arabic script",
           ("nom arabe", "nom (arabe)", "nom en arabe", "الاسم العائلي", "النسب")),
    Column("birth_date", _date, DATE_HELP + "; she must be 18 or older",
           ("date de naissance", "né le", "née le", "naissance", "تاريخ الازدياد"), required=True),
    Column("phone", _text, "phone number (06..., +212...); empty if none",
           ("téléphone", "telephone", "tel", "tél", "gsm", "portable", "numéro de téléphone",
            "الهاتف")),
    Column("province_code", _province, PROVINCE_HELP,
           ("province", "code province", "préfecture", "province ou préfecture",
            "préfecture province", "province_name", "الإقليم"), required=True),
    Column("commune", _text, "commune", ("commune", "الجماعة")),
    Column("milieu", _choice(Milieu), "urban or rural (urbain/rural)",
           ("milieu", "milieu de résidence"), allowed=_vocab(Milieu)),
    Column("education_level", _choice(EducationLevel), "education level (French labels accepted)",
           ("niveau d'instruction", "niveau scolaire", "instruction", "éducation",
            "niveau d'études"),
           allowed=_vocab(EducationLevel)),
    Column("marital_status", _choice(MaritalStatus), "marital status (French labels accepted)",
           ("situation familiale", "état civil", "situation matrimoniale"),
           allowed=_vocab(MaritalStatus)),
    Column("household_size", _int, "people in the household, 1 to 50",
           ("taille du ménage", "taille ménage", "nombre de personnes", "ménage")),
    Column("disability", _bool, BOOL_HELP,
           ("handicap", "situation de handicap", "en situation de handicap")),
    Column("vulnerability_score", _float, "RSU vulnerability score, 0 to 100",
           ("score de vulnérabilité", "score rsu", "rsu", "vulnérabilité")),
    Column("consent_date", _date, DATE_HELP + "; on or before registration",
           ("date du consentement", "date de consentement", "consentement"), required=True),
    Column("consent_version", _text, "version of the consent form (default v1)",
           ("version du consentement", "version consentement")),
    Column("registered_on", _date, DATE_HELP + "; empty: the day of import",
           ("date d'inscription", "date d'enregistrement", "inscrite le", "enregistrée le")),
), key=("cin",), one_of=(("first_name", "last_name", "first_name_ar", "last_name_ar"),))

COOPERATIVES = Kind("cooperatives", (
    Column("reference", _text, "unique cooperative reference (the key)",
           ("référence", "ref", "référence coopérative"), required=True),
    Column("name", _text, "name in Latin script",
           ("nom", "raison sociale", "nom de la coopérative")),
    Column("name_ar", _text, "name in Arabic script", ("nom arabe", "nom (arabe)", "nom en arabe")),
    Column("odco_registration", _text, "ODCo registration number",
           ("numéro odco", "immatriculation odco", "odco", "n odco")),
    Column("sector", _choice(Sector), "sector (French labels accepted, e.g. artisanat)",
           ("secteur", "secteur d'activité", "activité"), required=True, allowed=_vocab(Sector)),
    Column("province_code", _province, PROVINCE_HELP, ("province", "code province", "préfecture"),
           required=True),
    Column("commune", _text, "commune", ("commune",)),
    Column("founded_on", _date, DATE_HELP, ("date de création", "date de constitution", "créée le"),
           required=True),
    Column("dissolved_on", _date, DATE_HELP + "; empty while active", ("date de dissolution",)),
    Column("women_led", _bool, BOOL_HELP, ("dirigée par une femme", "présidée par une femme",
                                           "féminine", "coopérative féminine")),
), key=("reference",), one_of=(("name", "name_ar"),))

MEMBERSHIPS = Kind("memberships", (
    Column(_COOP_REF.name, _COOP_REF.parse, _COOP_REF.help, _COOP_REF.aliases, required=True),
    _CIN,
    Column("role", _choice(CooperativeRole), "role (French labels accepted, e.g. présidente)",
           ("rôle", "fonction", "poste"), allowed=_vocab(CooperativeRole)),
    Column("joined_on", _date, DATE_HELP, ("date d'adhésion", "adhésion", "date d'entrée"),
           required=True),
    Column("left_on", _date, DATE_HELP + "; empty while a member",
           ("date de départ", "date de sortie")),
), key=("cooperative_reference", "cin"))

ENROLLMENTS = Kind("enrollments", (
    _CIN,
    _PROGRAM_CODE,
    Column("applied_on", _date, DATE_HELP,
           ("date de candidature", "date de demande", "candidature"), required=True),
    Column("enrolled_on", _date, DATE_HELP + "; empty while only applied",
           ("date d'inscription", "date d'admission", "inscrite le")),
    Column("rejected_on", _date, DATE_HELP + "; when the application was turned down",
           ("date de rejet", "rejetée le")),
    Column("exited_on", _date, DATE_HELP + "; with exit_reason", ("date de sortie", "sortie le")),
    Column("exit_reason", _choice(ExitReason), "why she left (French labels, e.g. abandon)",
           ("motif de sortie", "raison de sortie", "motif"), allowed=_vocab(ExitReason)),
), key=("cin", "program_code"))

GRANTS = Kind("grants", (
    Column("reference", _text, "unique grant reference (the key)", ("référence", "ref"),
           required=True),
    _PROGRAM_CODE,
    Column("cin", _text, "CIN of the beneficiary (or give cooperative_reference)",
           _CIN.aliases + ("bénéficiaire",)),
    _COOP_REF,
    Column("purpose", _text, "what the grant pays for",
           ("objet", "objet de la subvention", "projet")),
    Column("amount_requested", _amount, AMOUNT_HELP, ("montant demandé", "montant sollicité"),
           required=True),
    Column("amount_approved", _amount, AMOUNT_HELP + "; default: the amount requested",
           ("montant approuvé", "montant accordé")),
    Column("submitted_on", _date, DATE_HELP, ("date de dépôt", "date de soumission", "déposée le"),
           required=True),
    Column("approved_on", _date, DATE_HELP + "; empty while pending", ("date d'approbation",
                                                                        "approuvée le")),
    Column("rejected_on", _date, DATE_HELP + "; when the request was turned down",
           ("date de rejet", "rejetée le")),
    Column("cancelled_on", _date, DATE_HELP + "; when an approved grant was cancelled",
           ("date d'annulation", "annulée le")),
), key=("reference",), one_of=(("cin", "cooperative_reference"),))

DISBURSEMENTS = Kind("disbursements", (
    Column("reference", _text, "unique tranche reference (the key)", ("référence", "ref"),
           required=True),
    Column("grant_reference", _text, "reference of an approved grant",
           ("subvention", "référence subvention", "référence de la subvention"), required=True),
    Column("amount", _amount, AMOUNT_HELP, ("montant", "montant versé", "tranche"), required=True),
    Column("paid_on", _date, DATE_HELP, ("date de paiement", "payée le", "date de versement"),
           required=True),
    Column("channel", _choice(Channel), "how it was paid (virement, espèces, mobile, chèque)",
           ("canal", "mode de paiement", "moyen de paiement"), required=True,
           allowed=_vocab(Channel)),
), key=("reference",))

SURVEYS = Kind("surveys", (
    _CIN,
    _PROGRAM_CODE,
    Column("round", _choice(SurveyRound), "survey round", ("vague", "passage", "tour", "round"),
           required=True, allowed=_vocab(SurveyRound)),
    Column("surveyed_on", _date, DATE_HELP, ("date de l'enquête", "date d'enquête", "date enquête"),
           required=True),
    Column("monthly_income", _amount, AMOUNT_HELP, ("revenu mensuel", "revenu")),
    Column("has_savings", _bool, BOOL_HELP, ("épargne", "a une épargne", "a des économies")),
    Column("has_account", _bool, BOOL_HELP, ("compte bancaire", "a un compte", "compte")),
    Column("borrowed_formal", _bool, BOOL_HELP, ("crédit formel", "emprunt formel", "microcrédit")),
    Column("business_operating", _bool, BOOL_HELP,
           ("activité en cours", "activité en fonctionnement", "agr active")),
    Column("jobs_created", _int, "number of jobs created", ("emplois créés", "emplois")),
), key=("cin", "program_code", "round"))

KINDS: dict[str, Kind] = {k.name: k for k in (
    PROGRAMS, BENEFICIARIES, COOPERATIVES, MEMBERSHIPS, ENROLLMENTS, GRANTS, DISBURSEMENTS,
    SURVEYS)}


def kind_spec(name: str) -> Kind:
    """The spec of a kind, or :class:`InvalidInput` listing the kinds."""
    spec = KINDS.get(str(name).strip().lower())
    if spec is None:
        raise InvalidInput(f"kind: '{name}' is not one of {', '.join(KINDS)}", field="kind",
                           value=name)
    return spec
