"""Every refusal a user can meet, said in French, Arabic or English from its message code.

An :class:`~empower.errors.EmpowerError` carries a stable dotted ``code`` and the ``params`` its
sentence is built from; :func:`describe` looks the code up in :data:`CATALOG` and fills the
template of the requested language. The English ``message`` of the error stays what scripts and
logs read; the catalog's English template is the same sentence without the leading field name
(a form or an error file already says which field).

Templates use ``str.format`` placeholders. Values are formatted for the language without Babel
(the core does not depend on it): dates in ISO (``2025-03-12``, as typed in the forms and the
spreadsheets), amounts (``Decimal``) as ``12 500,00`` in French, ``12.500,00`` in Arabic (as
written in Morocco, Latin digits) and ``12,500.00`` in English, ids and counts (``int``) as they
are. ``{state:label}`` says a vocabulary value (a status, an action, a kind of record) in the
language; a list or tuple is joined with commas.

Other helpers add their codes here (one entry per refusal, all three languages);
``tests/unit/test_messages.py`` fails on a code raised anywhere without an entry.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from empower.errors import EmpowerError

__all__ = ["CATALOG", "LANGUAGES", "LABELS", "describe", "format_amount", "placeholders",
           "render"]

Lang = Literal["fr", "ar", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "ar", "en")

# Vocabulary values and record kinds named in refusals, in each language (the panel's own
# catalogs say the same words; the core cannot read them).
LABELS: dict[str, dict[str, str]] = {
    # enrolment states and actions
    "applied": {"fr": "candidate", "ar": "مترشحة"},
    "enrolled": {"fr": "inscrite", "ar": "مسجلة"},
    "exited": {"fr": "sortie", "ar": "خرجت"},
    "rejected": {"fr": "rejetée", "ar": "مرفوضة"},
    "enroll": {"fr": "inscrire", "ar": "تسجيل"},
    "reject": {"fr": "rejeter", "ar": "رفض"},
    "exit": {"fr": "faire sortir", "ar": "إخراج"},
    # grant states and actions
    "submitted": {"fr": "déposée", "ar": "مودعة"},
    "approved": {"fr": "approuvée", "ar": "موافق عليها"},
    "cancelled": {"fr": "annulée", "ar": "ملغاة"},
    "closed": {"fr": "clôturée", "ar": "مغلقة"},
    "approve": {"fr": "approuver", "ar": "موافقة"},
    "cancel": {"fr": "annuler", "ar": "إلغاء"},
    "close": {"fr": "clôturer", "ar": "إغلاق"},
    # duplicate candidates
    "open": {"fr": "à traiter", "ar": "قيد المعالجة"},
    "merged": {"fr": "fusionné", "ar": "مدمج"},
    "dismissed": {"fr": "écarté", "ar": "مرفوض"},
    "merge": {"fr": "fusionner", "ar": "دمج"},
    "dismiss": {"fr": "écarter", "ar": "رفض"},
    # record kinds
    "beneficiary": {"fr": "bénéficiaire", "ar": "مستفيدة"},
    "cooperative": {"fr": "coopérative", "ar": "تعاونية"},
    "duplicate candidate": {"fr": "doublon potentiel", "ar": "تكرار محتمل"},
    "enrollment": {"fr": "inscription", "ar": "تسجيل"},
    "enrolment": {"fr": "inscription", "ar": "تسجيل"},
    "grant": {"fr": "subvention", "ar": "منحة"},
    "membership": {"fr": "adhésion", "ar": "عضوية"},
    "partner": {"fr": "partenaire", "ar": "شريك"},
    "program": {"fr": "programme", "ar": "برنامج"},
    "survey": {"fr": "enquête", "ar": "استمارة"},
    "disbursement": {"fr": "tranche", "ar": "دفعة"},
    "tranche": {"fr": "tranche", "ar": "دفعة"},
    "user": {"fr": "utilisateur", "ar": "مستخدم"},
    "agreement": {"fr": "convention", "ar": "اتفاقية"},
}


def _t(fr: str, ar: str, en: str) -> dict[str, str]:
    return {"fr": fr, "ar": ar, "en": en}


# code -> template per language. Keep codes stable: the panel, the importer and plugins key on
# them. Group by the module that raises them.
CATALOG: dict[str, dict[str, str]] = {
    # -- empower/rules.py ------------------------------------------------------------------------
    "cin.required": _t(
        "Une CIN est obligatoire.",
        "رقم البطاقة الوطنية إجباري.",
        "a CIN is required"),
    "cin.invalid": _t(
        "CIN « {value} » invalide : des lettres puis des chiffres, par exemple AB123456.",
        "رقم البطاقة «{value}» غير صالح: حروف ثم أرقام، مثلا AB123456.",
        "'{value}' is not a valid CIN (expected letters then digits, e.g. AB123456)"),
    "phone.invalid": _t(
        "« {value} » n'est pas un numéro de téléphone valide.",
        "«{value}» ليس رقم هاتف صالحا.",
        "'{value}' is not a valid phone number"),
    "phone.unreadable": _t(
        "« {value} » n'est pas un numéro de téléphone.",
        "«{value}» ليس رقم هاتف.",
        "'{value}' is not a phone number"),
    "birth_date.after_registration": _t(
        "La date de naissance {birth_date} est postérieure à la date d'enregistrement {on}.",
        "تاريخ الازدياد {birth_date} لاحق لتاريخ التسجيل {on}.",
        "{birth_date} is after the registration date {on}"),
    "beneficiary.too_young": _t(
        "Elle a {age} ans le {on} ; les bénéficiaires doivent avoir au moins {min_age} ans.",
        "عمرها {age} سنة بتاريخ {on}؛ يجب ألا يقل عمر المستفيدات عن {min_age} سنة.",
        "she is {age} on {on}; beneficiaries must be {min_age} or older"),
    "name.too_long": _t(
        "Un nom compte au plus 100 caractères.",
        "لا يتجاوز الاسم 100 حرف.",
        "a name is at most 100 characters"),
    "name.wrong_script_latin": _t(
        "« {value} » doit être écrit en caractères latins (caractère « {char} »).",
        "«{value}» يجب أن يكتب بالحروف اللاتينية (الحرف «{char}»).",
        "'{value}' must be written in Latin script (found '{char}')"),
    "name.wrong_script_arabic": _t(
        "« {value} » doit être écrit en caractères arabes (caractère « {char} »).",
        "«{value}» يجب أن يكتب بالحروف العربية (الحرف «{char}»).",
        "'{value}' must be written in Arabic script (found '{char}')"),
    "name.no_letters": _t(
        "« {value} » ne contient aucune lettre.",
        "«{value}» لا يحتوي على أي حرف.",
        "'{value}' has no letters"),
    "amount.invalid": _t(
        "« {value} » n'est pas un montant.",
        "«{value}» ليس مبلغا.",
        "'{value}' is not an amount"),
    "amount.negative": _t(
        "Le montant « {value} » est négatif.",
        "المبلغ «{value}» سالب.",
        "'{value}' is negative"),
    "amount.too_large": _t(
        "Le montant « {value} » est trop élevé (au plus {max} MAD).",
        "المبلغ «{value}» كبير جدا (على الأكثر {max} درهم).",
        "'{value}' is too large (at most {max} MAD)"),
    "amount.too_many_decimals": _t(
        "Le montant « {value} » a plus de deux décimales.",
        "المبلغ «{value}» يتضمن أكثر من رقمين بعد الفاصلة.",
        "'{value}' has more than two decimals"),
    # -- empower/db.py ---------------------------------------------------------------------------
    "database.busy": _t(
        "Une autre écriture est en cours sur la base de données (un import ?) ; réessayez quand "
        "elle sera terminée.",
        "عملية كتابة أخرى جارية على قاعدة البيانات (استيراد؟)؛ أعيدي المحاولة عند انتهائها.",
        "another write is running (an import?); try again when it has finished"),
    "audit.append_only": _t(
        "Le journal d'audit ne fait que s'allonger : ses événements ne peuvent être ni modifiés "
        "ni supprimés.",
        "سجل التدقيق لا يقبل إلا الإضافة: لا يمكن تعديل أحداثه أو حذفها.",
        "the audit log is append-only: its events cannot be changed or deleted"),
    # -- empower/io/exporting.py -----------------------------------------------------------------
    "export.pseudonym_key_too_short": _t(
        "La clé de pseudonymisation (EMPOWER_PSEUDONYM_KEY) compte {length} caractères ; il en "
        "faut au moins {min_length}, tirés au hasard.",
        "مفتاح الترميز (EMPOWER_PSEUDONYM_KEY) يتكون من {length} حرفا؛ يلزم {min_length} حرفا "
        "عشوائيا على الأقل.",
        "EMPOWER_PSEUDONYM_KEY has {length} characters; it needs at least {min_length} "
        "(a random secret)"),
}


class _Formatter(string.Formatter):
    """``str.format`` that writes dates, amounts, lists and vocabulary values for a language."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "label":
            return ", ".join(_label(v, self.lang) for v in value) \
                if isinstance(value, list | tuple) else _label(value, self.lang)
        return _plain(value, self.lang)


def _label(value: Any, lang: Lang) -> str:
    text = str(getattr(value, "value", value))
    return LABELS.get(text, {}).get(lang, text)


def _plain(value: Any, lang: Lang) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return format_amount(value, lang)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_plain(v, lang) for v in value)
    return str(getattr(value, "value", value))  # an enum member says its stored value


# Group and decimal marks per language: French as Babel's fr_MA (narrow no-break space), Arabic
# as ar_MA (Latin digits, dot groups), English as en_GB.
_MARKS: dict[str, tuple[str, str]] = {"fr": ("\u202f", ","), "ar": (".", ","), "en": (",", ".")}


def format_amount(value: Decimal | int, lang: Lang) -> str:
    """An amount in MAD with two decimals in the language: ``12 500,00`` / ``12.500,00`` /
    ``12,500.00`` (no currency: the template says ``MAD`` or ``درهم``)."""
    group, point = _MARKS.get(lang, _MARKS["en"])
    text = f"{Decimal(value):,.2f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", group)


def placeholders(template: str) -> set[str]:
    """The parameter names a template reads (``{amount}``, ``{state:label}`` -> ``state``)."""
    return {name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(template) if name}


def render(code: str, params: Mapping[str, Any], lang: str, *, default: str) -> str:
    """The sentence of ``code`` in ``lang`` built from ``params``; ``default`` when the code has
    no entry (or, which a test forbids, its template reads a parameter that was not given)."""
    entry = CATALOG.get(code)
    if entry is None:
        return default
    language: Lang = lang if lang in LANGUAGES else "en"
    try:
        return _Formatter(language).vformat(entry[language], (), dict(params))
    except (KeyError, IndexError, ValueError):
        return default


def describe(exc: EmpowerError, lang: str) -> str:
    """The refusal ``exc`` in ``lang`` (``"fr"``, ``"ar"``, ``"en"``) from its code and params.

    An error whose code has no catalog entry keeps its English message.
    """
    return render(exc.code, exc.params, lang, default=exc.message)
