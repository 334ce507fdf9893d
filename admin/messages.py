"""The core's one-line error messages, said again in the user's language.

The core speaks English on purpose (scripts, logs, import reports). The panel recognises the
messages an officer meets most and shows them in French or Arabic with the same figures; any
other message keeps the core's wording under a translated headline.
"""

from __future__ import annotations

import re

from .compat import current_locale, gettext

__all__ = ["translate_error"]

# (pattern on the core's message, French, Arabic); named groups are reused in the translation.
_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [(re.compile(p), fr, ar) for p, fr, ar in [
    (r"^birth_date: she is (?P<age>\d+) on (?P<on>\S+); beneficiaries must be (?P<min>\d+)",
     "Elle a {age} ans le {on} ; les bénéficiaires doivent avoir au moins {min} ans.",
     "عمرها {age} سنة بتاريخ {on}؛ يجب ألا يقل عمر المستفيدات عن {min} سنة."),
    (r"^cin: '(?P<v>.*)' is not a valid CIN",
     "CIN « {v} » invalide : des lettres puis des chiffres, par exemple AB123456.",
     "رقم البطاقة «{v}» غير صالح: حروف ثم أرقام، مثلا AB123456."),
    (r"^cin: (?P<v>\S+) is already registered \(beneficiary #(?P<id>\d+)\)",
     "La CIN {v} est déjà enregistrée (bénéficiaire n° {id}).",
     "رقم البطاقة {v} مسجل مسبقا (المستفيدة رقم {id})."),
    (r"^phone: '(?P<v>.*)' is not a (valid )?phone number",
     "« {v} » n'est pas un numéro de téléphone valide.",
     "«{v}» ليس رقم هاتف صالحا."),
    (r"^consent_date: consent dated (?P<c>\S+) comes after registration on (?P<r>\S+)",
     "Le consentement ({c}) doit précéder l'enregistrement ({r}).",
     "يجب أن تسبق الموافقة ({c}) تاريخ التسجيل ({r})."),
    (r"^(?P<f>\w+): a value is required", "Ce champ est obligatoire.", "هذا الحقل إجباري."),
    (r"^(?P<f>\w+): '(?P<v>.*)' is not a date", "« {v} » n'est pas une date (AAAA-MM-JJ).",
     "«{v}» ليس تاريخا (سنة-شهر-يوم)."),
    (r"^amount_approved: (?P<a>[\d.]+) MAD is above program (?P<p>\S+)'s cap of (?P<c>[\d.]+)",
     "{a} MAD dépasse le plafond du programme {p} ({c} MAD par subvention).",
     "{a} درهم يتجاوز سقف البرنامج {p} ({c} درهم لكل منحة)."),
    (r"^amount_approved: (?P<a>[\d.]+) MAD is above the (?P<r>[\d.]+) MAD requested",
     "{a} MAD dépasse le montant demandé ({r} MAD).",
     "{a} درهم يتجاوز المبلغ المطلوب ({r} درهم)."),
    (r"^amount_approved: (?P<a>[\d.]+) MAD is above what is left of program (?P<p>\S+)'s "
     r"budget \((?P<l>[\d.]+) MAD\)",
     "{a} MAD dépasse le reste du budget du programme {p} ({l} MAD).",
     "{a} درهم يتجاوز ما تبقى من ميزانية البرنامج {p} ({l} درهم)."),
    (r"^amount: (?P<a>[\d.]+) MAD would take grant (?P<g>\S+) above its approved "
     r"(?P<ap>[\d.]+) MAD \((?P<l>[\d.]+) MAD left to pay\)",
     "{a} MAD dépasserait le montant approuvé de la subvention {g} ({ap} MAD ; reste {l} MAD).",
     "{a} درهم يتجاوز المبلغ الموافق عليه للمنحة {g} ({ap} درهم؛ الباقي {l} درهم)."),
    (r"^beneficiary #(?P<id>\d+) is not enrolled in program (?P<p>\S+) on (?P<on>\S+)",
     "La bénéficiaire n° {id} n'est pas inscrite au programme {p} le {on}.",
     "المستفيدة رقم {id} غير مسجلة في البرنامج {p} بتاريخ {on}."),
    (r"^(?P<what>.+): cannot (?P<a>\w+) an? (?P<s>\w+) record",
     "{what} : action impossible dans l'état actuel ({s}).",
     "{what}: هذا الإجراء غير ممكن في الوضعية الحالية ({s})."),
    (r"^(?P<what>\w+) #(?P<id>\d+) does not exist",
     "Fiche n° {id} introuvable (ou hors de vos régions).",
     "السجل رقم {id} غير موجود (أو خارج جهاتك)."),
    (r"^province_code: '(?P<v>.*)' is outside your regions",
     "La province {v} est hors de vos régions.", "الإقليم {v} خارج جهاتك."),
    (r"^password: at least (?P<n>\d+) characters",
     "Au moins {n} caractères (une phrase de passe de plusieurs mots est idéale).",
     "{n} حرفا على الأقل (ويفضل جملة من عدة كلمات)."),
    (r"^password: this password is too common",
     "Ce mot de passe est trop courant ; choisissez-en un autre.",
     "كلمة المرور هذه شائعة جدا؛ اختاري غيرها."),
]]


def translate_error(message: str) -> str:
    """The message in the current language when it is a known one, else unchanged."""
    locale = current_locale()
    if locale == "en":
        return message
    for pattern, fr, ar in _PATTERNS:
        found = pattern.search(message)
        if found:
            # A state name ("cancelled") is a vocabulary value: say it in the language too.
            groups = {k: gettext(v) if k == "s" else v for k, v in found.groupdict().items()}
            return (ar if locale == "ar" else fr).format(**groups)
    return message
