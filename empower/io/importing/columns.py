"""The file contract: each kind's columns, their French header equivalents and their parsers.

The same columns are read by the importer, written by :mod:`empower.io.exporting` (so an export
imports back as is) and listed by the templates and ``docs/import.md`` (a test checks the doc).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from empower.errors import InvalidInput
from empower.io.importing.cells import (
    a_date,
    a_list,
    amount,
    choice,
    json_list,
    number,
    province,
    region,
    separated,
    text,
    whole_number,
    yes_no,
)
from empower.io.importing.headers import header_key
from empower.targeting import FIELDS, OPERATORS, check_rules, check_weights
from empower.vocab import (
    ActivityKind,
    AttendanceStatus,
    Channel,
    CooperativeRole,
    DataRequestKind,
    EducationLevel,
    ExitReason,
    GrievanceCategory,
    GrievanceChannel,
    MaritalStatus,
    Milieu,
    Sector,
    Sensitivity,
    SessionStatus,
    SurveyRound,
    VisitKind,
)

__all__ = ["KINDS", "Column", "Kind", "kind_spec"]

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
RIB_HELP = ("bank account (RIB): 24 digits, spaces allowed, whose last two (the key) pass the "
            "mod-97 check")

_CIN = Column("cin", text, "national identity card number (CIN), e.g. AB123456",
              ("cnie", "n cin", "no cin", "numero cin", "numero de cin", "numéro de la cin",
               "carte nationale", "رقم البطاقة الوطنية"), required=True)
_PROGRAM_CODE = Column("program_code", text, "code of an existing program",
                       ("programme", "code programme", "code du programme", "program"),
                       required=True)
_COOP_REF = Column("cooperative_reference", text, "reference of an existing cooperative",
                   ("cooperative", "coopérative", "référence coopérative",
                    "référence de la coopérative", "ref cooperative"))

PROGRAMS = Kind("programs", (
    Column("code", text, "unique program code (the key)", ("code programme", "code du programme"),
           required=True),
    Column("name", text, "program name", ("nom", "intitulé", "nom du programme"), required=True),
    Column("funder", text, "funder", ("bailleur", "bailleur de fonds", "financeur")),
    Column("start_date", a_date, DATE_HELP, ("date de début", "début", "date debut"), required=True),
    Column("end_date", a_date, DATE_HELP + "; empty when open-ended", ("date de fin", "fin")),
    Column("budget", amount, AMOUNT_HELP, ("budget total", "montant du budget"), required=True),
    Column("grant_cap", amount, AMOUNT_HELP + "; cap per grant, empty for none",
           ("plafond", "plafond par subvention", "plafond subvention")),
    Column("region_code", region, "HCP region code 01 to 12 or region name; empty: national",
           ("région", "code région", "region")),
    Column("four_eyes", yes_no, BOOL_HELP + "; four eyes on money (who submits a grant does "
           "not approve it, who approves it does not pay it); empty: yes for a new program, "
           "unchanged for one recorded", ("quatre yeux", "double validation",
                                          "contrôle à quatre yeux")),
    Column("tranche_shares", a_list, "tranche plan: shares of the approved amount in percent, "
           "separated by / (40/40/20), summing to 100; empty: one tranche of what is left",
           ("tranches", "plan de tranches", "répartition des tranches")),
    Column("tranche_conditions", a_list, "conditions before each tranche after the first, "
           "separated by /: training_completed, visit_since_last_tranche",
           ("conditions de tranche", "conditions des tranches")),
    Column("panel_payments", yes_no, BOOL_HELP + "; whether an admin may still record a "
           "one-off tranche in the panel, outside a payment batch; empty: no",
           ("paiement au guichet", "paiement dans le panneau")),
), key=("code",))

BENEFICIARIES = Kind("beneficiaries", (
    _CIN,
    Column("first_name", text, "first name in Latin script", ("prénom", "prenom")),
    Column("last_name", text, "last name in Latin script", ("nom", "nom de famille")),
    Column("first_name_ar", text, "first name in Arabic script",
           ("prénom arabe", "prénom (arabe)", "prénom en arabe", "الاسم الشخصي", "الاسم")),
    Column("last_name_ar", text, "last name in Arabic script",
           ("nom arabe", "nom (arabe)", "nom en arabe", "الاسم العائلي", "النسب")),
    Column("birth_date", a_date, DATE_HELP + "; she must be 18 or older",
           ("date de naissance", "né le", "née le", "naissance", "تاريخ الازدياد"), required=True),
    Column("phone", text, "phone number (06..., +212...); empty if none",
           ("téléphone", "telephone", "tel", "tél", "gsm", "portable", "numéro de téléphone",
            "الهاتف")),
    Column("rib", text, RIB_HELP + "; empty if none (personal, like the CIN)",
           ("relevé d'identité bancaire", "n° rib", "numéro rib", "rib bancaire",
            "compte de virement", "رقم الحساب البنكي")),
    Column("province_code", province, PROVINCE_HELP,
           ("province", "code province", "préfecture", "province ou préfecture",
            "préfecture province", "province_name", "الإقليم"), required=True),
    Column("commune", text, "commune", ("commune", "الجماعة")),
    Column("milieu", choice(Milieu), "urban or rural (urbain/rural)",
           ("milieu", "milieu de résidence"), allowed=_vocab(Milieu)),
    Column("education_level", choice(EducationLevel), "education level (French labels accepted)",
           ("niveau d'instruction", "niveau scolaire", "instruction", "éducation",
            "niveau d'études"),
           allowed=_vocab(EducationLevel)),
    Column("marital_status", choice(MaritalStatus), "marital status (French labels accepted)",
           ("situation familiale", "état civil", "situation matrimoniale"),
           allowed=_vocab(MaritalStatus)),
    Column("household_size", whole_number, "people in the household, 1 to 50",
           ("taille du ménage", "taille ménage", "nombre de personnes", "ménage")),
    Column("disability", yes_no, BOOL_HELP,
           ("handicap", "situation de handicap", "en situation de handicap")),
    Column("vulnerability_score", number, "RSU vulnerability score, 0 to 100",
           ("score de vulnérabilité", "score rsu", "rsu", "vulnérabilité")),
    Column("consent_date", a_date, DATE_HELP + "; on or before registration",
           ("date du consentement", "date de consentement", "consentement"), required=True),
    Column("consent_version", text, "version of the consent form (default v1)",
           ("version du consentement", "version consentement")),
    Column("registered_on", a_date, DATE_HELP + "; empty: the day of import",
           ("date d'inscription", "date d'enregistrement", "inscrite le", "enregistrée le")),
), key=("cin",), one_of=(("first_name", "last_name", "first_name_ar", "last_name_ar"),))

COOPERATIVES = Kind("cooperatives", (
    Column("reference", text, "unique cooperative reference (the key)",
           ("référence", "ref", "référence coopérative"), required=True),
    Column("name", text, "name in Latin script",
           ("nom", "raison sociale", "nom de la coopérative")),
    Column("name_ar", text, "name in Arabic script", ("nom arabe", "nom (arabe)", "nom en arabe")),
    Column("odco_registration", text, "ODCo registration number",
           ("numéro odco", "immatriculation odco", "odco", "n odco")),
    Column("rib", text, RIB_HELP + "; the cooperative's account, for transfers; empty if none",
           ("relevé d'identité bancaire", "n° rib", "numéro rib", "rib bancaire",
            "compte de virement", "رقم الحساب البنكي")),
    Column("sector", choice(Sector), "sector (French labels accepted, e.g. artisanat)",
           ("secteur", "secteur d'activité", "activité"), required=True, allowed=_vocab(Sector)),
    Column("province_code", province, PROVINCE_HELP, ("province", "code province", "préfecture"),
           required=True),
    Column("commune", text, "commune", ("commune",)),
    Column("founded_on", a_date, DATE_HELP, ("date de création", "date de constitution", "créée le"),
           required=True),
    Column("dissolved_on", a_date, DATE_HELP + "; empty while active", ("date de dissolution",)),
    Column("women_led", yes_no, BOOL_HELP, ("dirigée par une femme", "présidée par une femme",
                                           "féminine", "coopérative féminine")),
), key=("reference",), one_of=(("name", "name_ar"),))

MEMBERSHIPS = Kind("memberships", (
    Column(_COOP_REF.name, _COOP_REF.parse, _COOP_REF.help, _COOP_REF.aliases, required=True),
    _CIN,
    Column("role", choice(CooperativeRole), "role (French labels accepted, e.g. présidente)",
           ("rôle", "fonction", "poste"), allowed=_vocab(CooperativeRole)),
    Column("joined_on", a_date, DATE_HELP, ("date d'adhésion", "adhésion", "date d'entrée"),
           required=True),
    Column("left_on", a_date, DATE_HELP + "; empty while a member",
           ("date de départ", "date de sortie")),
), key=("cooperative_reference", "cin"))

ENROLLMENTS = Kind("enrollments", (
    _CIN,
    _PROGRAM_CODE,
    Column("applied_on", a_date, DATE_HELP,
           ("date de candidature", "date de demande", "candidature"), required=True),
    Column("enrolled_on", a_date, DATE_HELP + "; empty while only applied",
           ("date d'inscription", "date d'admission", "inscrite le")),
    Column("rejected_on", a_date, DATE_HELP + "; when the application was turned down",
           ("date de rejet", "rejetée le")),
    Column("exited_on", a_date, DATE_HELP + "; with exit_reason", ("date de sortie", "sortie le")),
    Column("exit_reason", choice(ExitReason), "why she left (French labels, e.g. abandon)",
           ("motif de sortie", "raison de sortie", "motif"), allowed=_vocab(ExitReason)),
    Column("intake_code", text, "code of an open intake (call for applications) of the "
           "program: the application is judged by its rules; empty: no intake",
           ("appel", "code appel", "code de l'appel", "appel à candidatures",
            "appel a candidatures")),
), key=("cin", "program_code"))

GRANTS = Kind("grants", (
    Column("reference", text, "unique grant reference (the key)", ("référence", "ref"),
           required=True),
    _PROGRAM_CODE,
    Column("cin", text, "CIN of the beneficiary (or give cooperative_reference)",
           _CIN.aliases + ("bénéficiaire",)),
    _COOP_REF,
    Column("purpose", text, "what the grant pays for",
           ("objet", "objet de la subvention", "projet")),
    Column("amount_requested", amount, AMOUNT_HELP, ("montant demandé", "montant sollicité"),
           required=True),
    Column("amount_approved", amount, AMOUNT_HELP + "; default: the amount requested",
           ("montant approuvé", "montant accordé")),
    Column("submitted_on", a_date, DATE_HELP, ("date de dépôt", "date de soumission", "déposée le"),
           required=True),
    Column("approved_on", a_date, DATE_HELP + "; empty while pending", ("date d'approbation",
                                                                        "approuvée le")),
    Column("rejected_on", a_date, DATE_HELP + "; when the request was turned down",
           ("date de rejet", "rejetée le")),
    Column("cancelled_on", a_date, DATE_HELP + "; when an approved grant was cancelled",
           ("date d'annulation", "annulée le")),
), key=("reference",), one_of=(("cin", "cooperative_reference"),))

DISBURSEMENTS = Kind("disbursements", (
    Column("reference", text, "unique tranche reference (the key)", ("référence", "ref"),
           required=True),
    Column("grant_reference", text, "reference of an approved grant",
           ("subvention", "référence subvention", "référence de la subvention"), required=True),
    Column("amount", amount, AMOUNT_HELP, ("montant", "montant versé", "tranche"), required=True),
    Column("paid_on", a_date, DATE_HELP, ("date de paiement", "payée le", "date de versement"),
           required=True),
    Column("channel", choice(Channel), "how it was paid (virement, espèces, mobile, chèque)",
           ("canal", "mode de paiement", "moyen de paiement"), required=True,
           allowed=_vocab(Channel)),
), key=("reference",))

SURVEYS = Kind("surveys", (
    _CIN,
    _PROGRAM_CODE,
    Column("round", choice(SurveyRound), "survey round", ("vague", "passage", "tour", "round"),
           required=True, allowed=_vocab(SurveyRound)),
    Column("surveyed_on", a_date, DATE_HELP, ("date de l'enquête", "date d'enquête", "date enquête"),
           required=True),
    Column("monthly_income", amount, AMOUNT_HELP, ("revenu mensuel", "revenu")),
    Column("has_savings", yes_no, BOOL_HELP, ("épargne", "a une épargne", "a des économies")),
    Column("has_account", yes_no, BOOL_HELP, ("compte bancaire", "a un compte", "compte")),
    Column("borrowed_formal", yes_no, BOOL_HELP, ("crédit formel", "emprunt formel", "microcrédit")),
    Column("business_operating", yes_no, BOOL_HELP,
           ("activité en cours", "activité en fonctionnement", "agr active")),
    Column("jobs_created", whole_number, "number of jobs created", ("emplois créés", "emplois")),
), key=("cin", "program_code", "round"))

# --- trainings: activities, their sessions, attendance rosters, coaching visits -------------

ACTIVITIES = Kind("activities", (
    _PROGRAM_CODE,
    Column("code", text, "unique activity code (the key)",
           ("code activité", "code de l'activité", "activité"), required=True),
    Column("kind", choice(ActivityKind),
           "kind of activity (formation, accompagnement, mentorat, foire, visite d'échange)",
           ("type", "type d'activité", "nature"), required=True, allowed=_vocab(ActivityKind)),
    Column("title", text, "title", ("intitulé", "titre", "libellé"), required=True),
    Column("partner", text, "name of the facilitating partner (an existing partner); empty "
           "if none", ("partenaire", "association", "partenaire facilitateur", "opérateur")),
    Column("province_code", province, PROVINCE_HELP + "; empty: program-wide",
           ("province", "code province", "préfecture")),
    Column("starts_on", a_date, DATE_HELP + "; within the program's dates",
           ("date de début", "début", "date debut"), required=True),
    Column("ends_on", a_date, DATE_HELP + "; within the program's dates",
           ("date de fin", "fin"), required=True),
    Column("planned_sessions", whole_number, "number of sessions planned, 1 to 500",
           ("nombre de séances", "séances prévues", "nombre de séances prévues"),
           required=True),
    Column("completion_share", number, "share of the planned sessions a woman must attend to "
           "complete it, over 0 and up to 1 (default 0.8)",
           ("taux d'achèvement", "seuil d'assiduité", "taux de présence requis")),
), key=("code",))
_SESSION_REF = ("séance", "référence séance", "référence de la séance", "ref séance",
                "session", "session_ref", "code séance")

SESSIONS = Kind("sessions", (
    Column("activity_code", text, "code of an existing activity",
           ("activité", "code activité", "code de l'activité"), required=True),
    Column("reference", text, "unique session reference (the key)",
           ("référence", "ref", *_SESSION_REF), required=True),
    Column("scheduled_on", a_date, DATE_HELP + "; within the activity's dates",
           ("date", "date de la séance", "date séance"), required=True),
    Column("commune", text, "commune where it takes place", ("commune", "lieu", "الجماعة")),
    Column("facilitator", text, "facilitator's name", ("animatrice", "animateur",
                                                        "formatrice", "formateur")),
    Column("status", choice(SessionStatus), "planned, held or cancelled (prévue, tenue, "
           "annulée); empty: planned. A held session must be dated no later than today",
           ("statut", "état", "statut de la séance"), allowed=_vocab(SessionStatus)),
), key=("reference",))

ATTENDANCE = Kind("attendance", (
    Column("session_reference", text, "reference of a held session", _SESSION_REF,
           required=True),
    _CIN,
    Column("status", choice(AttendanceStatus), "present, absent or excused (présente, absente, "
           "excusée, حاضرة, غائبة, غياب مبرر)",
           ("présence", "presence", "statut", "statut de présence", "حضور", "الحضور"),
           required=True, allowed=_vocab(AttendanceStatus)),
), key=("session_reference", "cin"))

VISITS = Kind("visits", (
    Column("reference", text, "unique visit reference (the key)", ("référence", "ref",
                                                                    "référence visite"),
           required=True),
    _PROGRAM_CODE,
    Column("cin", text, "CIN of the woman visited (or give cooperative_reference)",
           _CIN.aliases + ("bénéficiaire",)),
    _COOP_REF,
    Column("visited_on", a_date, DATE_HELP, ("date", "date de visite", "date de la visite"),
           required=True),
    Column("kind", choice(VisitKind), "on site, phone or group (sur site, téléphone, groupe)",
           ("type", "type de visite", "nature"), required=True, allowed=_vocab(VisitKind)),
    Column("next_visit_due", a_date, DATE_HELP + "; empty if none planned",
           ("prochaine visite", "date de la prochaine visite")),
    Column("note", text, "the coach's note (personal: never in a pseudonymised export)",
           ("observation", "observations", "remarque", "commentaire")),
), key=("reference",), one_of=(("cin", "cooperative_reference"),))

# --- targeting: calls for applications ----------------------------------------------------


def _checked(check: Any) -> Callable[[Any, str], list[dict[str, Any]]]:
    """A JSON cell of rules or weights, checked as the services check them (the row error
    names the rule: ``rules: rule 2: unknown field 'salaire'``)."""
    def parse(raw: Any, col: str) -> list[dict[str, Any]]:
        items = json_list(raw, col)
        try:
            return [item.as_json() for item in check(items)]
        except InvalidInput as exc:
            raise InvalidInput(f"{col}: {exc.message}", code=exc.code, params=exc.params,
                               field=col, value=raw) from None

    return parse


INTAKES = Kind("intakes", (
    _PROGRAM_CODE,
    Column("code", text, "unique intake code (the key)", ("code appel", "code de l'appel",
                                                         "appel"), required=True),
    Column("name", text, "name of the call", ("nom", "intitulé", "nom de l'appel"),
           required=True),
    Column("opens_on", a_date, DATE_HELP + "; within the program's dates",
           ("date d'ouverture", "ouverture", "ouvert le"), required=True),
    Column("closes_on", a_date, DATE_HELP + "; within the program's dates; ages are taken "
           "on this day", ("date de clôture", "clôture", "date limite", "clôturé le"),
           required=True),
    Column("places", whole_number, "number of places", ("nombre de places", "places",
                                                        "places disponibles"), required=True),
    Column("province_codes", separated(province), "provinces covered, separated by commas "
           "(HCP codes or names); empty with region_codes empty: the program's whole area",
           ("provinces", "provinces couvertes", "codes provinces")),
    Column("region_codes", separated(region), "regions covered, separated by commas (01 to 12 "
           "or names)", ("régions", "régions couvertes", "codes régions")),
    Column("rules", _checked(check_rules), "eligibility conditions as a JSON list: "
           '[{"field": "age", "op": "between", "value": [18, 45]}, {"field": "milieu", "op": '
           '"=", "value": "rural"}]; fields: ' + ", ".join(FIELDS) + "; operators: "
           + ", ".join(OPERATORS) + "; a missing value is not a pass",
           ("règles", "critères", "critères d'éligibilité", "conditions")),
    Column("weights", _checked(check_weights), "score weights as a JSON list: "
           '[{"field": "household_size", "weight": 2}, {"field": "marital_status", "weight": '
           '10, "equals": "widowed"}]', ("pondérations", "poids", "barème")),
    Column("promote_until", a_date, DATE_HELP + "; until this day a freed place goes to the "
           "waiting list; empty: never", ("repêchage jusqu'au", "date limite de repêchage",
                                          "liste d'attente jusqu'au")),
), key=("code",))

# --- grievances: a hotline's or a desk's spreadsheet of complaints (issue 14) ---------------

GRIEVANCES = Kind("grievances", (
    Column("reference", text, "unique reference of the complaint (the hotline's ticket; the "
           "key)", ("référence", "ref", "n° de plainte", "numéro de plainte", "ticket"),
           required=True),
    Column("received_on", a_date, DATE_HELP, ("date", "date de réception", "reçue le",
                                              "date de la plainte"), required=True),
    Column("channel", choice(GrievanceChannel), "how it came: phone, in_person, association, "
           "letter, whatsapp, email, other (téléphone, en personne, courrier...)",
           ("canal", "moyen", "mode de réception", "source"), required=True,
           allowed=", ".join(m.value for m in GrievanceChannel)),
    Column("category", choice(GrievanceCategory), "what it is about: selection, payment, "
           "training, conduct, sexual_exploitation_abuse, data_protection, other",
           ("catégorie", "type", "objet", "motif"), required=True,
           allowed=", ".join(m.value for m in GrievanceCategory)),
    Column("request_kind", choice(DataRequestKind), "for a data-protection request only: "
           "access, correction, objection, erasure (accès, rectification, opposition, "
           "effacement)", ("type de demande", "droit exercé", "demande"),
           allowed=", ".join(m.value for m in DataRequestKind)),
    Column("sensitivity", choice(Sensitivity), "standard or confidential; conduct and sexual "
           "exploitation and abuse cases are confidential whatever it says",
           ("sensibilité", "confidentialité"), allowed=", ".join(m.value for m in Sensitivity)),
    Column("cin", text, "CIN of the woman who complains; empty for an anonymous complaint",
           _CIN.aliases + ("plaignante",)),
    Column("province_code", province, PROVINCE_HELP + "; required when no CIN is given",
           ("province", "code province", "préfecture")),
    Column("program_code", text, "code of the program concerned, if any",
           _PROGRAM_CODE.aliases),
    Column("grant_reference", text, "reference of the grant concerned, if any",
           ("subvention", "référence subvention", "référence de la subvention")),
    Column("description", text, "what she said (personal: redacted in the audit log, never "
           "exported)", ("description", "plainte", "objet de la plainte", "résumé", "détails")),
), key=("reference",))

KINDS: dict[str, Kind] = {k.name: k for k in (
    PROGRAMS, BENEFICIARIES, COOPERATIVES, MEMBERSHIPS, ENROLLMENTS, GRANTS, DISBURSEMENTS,
    SURVEYS, ACTIVITIES, SESSIONS, ATTENDANCE, VISITS, INTAKES, GRIEVANCES)}


def kind_spec(name: str) -> Kind:
    """The spec of a kind, or :class:`InvalidInput` listing the kinds."""
    spec = KINDS.get(str(name).strip().lower())
    if spec is None:
        raise InvalidInput(f"kind: '{name}' is not one of {', '.join(KINDS)}",
                           code="import.kind_invalid", params={"value": str(name),
                                                               "kinds": tuple(KINDS)},
                           field="kind", value=name)
    return spec
