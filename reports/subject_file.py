"""Her subject file as a PDF (law 09-08, right of access), in French, Arabic or English.

The content is the core's (:func:`empower.subject_file.subject_file`); this module only lays
it out as a page and prints it with WeasyPrint, as the monthly report is printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from empower.reports.render.html import _env

__all__ = ["render_subject_html", "write_subject_pdf"]

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")

_TEXT = {
    "title": {
        "fr": "Dossier de la personne concernée (loi 09-08)",
        "ar": "ملف الشخص المعني (القانون 09-08)",
        "en": "Subject file (law 09-08)",
    },
    "intro": {
        "fr": "Toutes les données que le programme détient à son sujet.",
        "ar": "جميع المعطيات التي يتوفر عليها البرنامج بشأنها.",
        "en": "Everything the program holds about her.",
    },
    "produced": {"fr": "Établi le", "ar": "حرر بتاريخ", "en": "Produced on"},
    "none": {"fr": "Aucune donnée.", "ar": "لا توجد معطيات.", "en": "Nothing held."},
}
_SECTIONS = {
    "registration": ("Inscription au registre", "التسجيل في السجل", "Registration"),
    "archive_periods": ("Périodes d'archivage", "فترات الأرشفة", "Archive periods"),
    "enrollments": ("Inscriptions aux programmes", "التسجيل في البرامج", "Enrolments"),
    "memberships": ("Adhésions aux coopératives", "العضوية في التعاونيات", "Memberships"),
    "attendances": ("Présences aux formations", "الحضور في التكوينات", "Attendance"),
    "coaching_visits": ("Visites d'accompagnement", "زيارات المواكبة", "Coaching visits"),
    "grants": ("Subventions", "المنح", "Grants"),
    "disbursements": ("Tranches versées", "الدفعات المؤداة", "Tranches paid"),
    "payment_instructions": ("Ordres de paiement", "أوامر الأداء", "Payment instructions"),
    "surveys": ("Enquêtes", "الاستمارات", "Surveys"),
    "duplicate_candidates": ("Doublons potentiels", "التكرارات المحتملة", "Duplicate candidates"),
    "grievances": ("Plaintes et demandes déposées", "الشكايات والطلبات المودعة", "Grievances she filed"),
    "grievance_steps": ("Étapes de ses plaintes", "مراحل شكاياتها", "Steps of her grievances"),
    "audit_history": ("Historique de sa fiche", "تاريخ سجلها", "History of her record"),
}


class _Labels:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in ("fr", "ar", "en") else "fr"
        for key, text in _TEXT.items():
            setattr(self, key, text[self.lang])

    def section(self, name: str) -> str:
        fr, ar, en = _SECTIONS.get(name, (name, name, name))
        return {"fr": fr, "ar": ar, "en": en}[self.lang]


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _direction(value: Any) -> str:
    # A phone (+212...), a date or a code has no letter to set its direction: in an Arabic
    # page it would be laid out right to left ("212...+"), so only Arabic text runs that way.
    return "rtl" if isinstance(value, str) and _ARABIC.search(value) else "ltr"


def render_subject_html(content: dict[str, Any], *, lang: str = "fr") -> str:
    """The subject file as one HTML page (right to left in Arabic)."""
    labels = _Labels(lang)
    sections = [
        (name, [[(k, _cell(v), _direction(v)) for k, v in row.items()] for row in rows])
        for name, rows in content["sections"].items()
    ]
    return (
        _env()
        .get_template("subject_file.html.j2")
        .render(L=labels, lang=labels.lang, sections=sections, produced_at=content["produced_at"])
    )


def write_subject_pdf(content: dict[str, Any], path: Path, *, lang: str = "fr") -> None:
    """Write the subject file to ``path`` as PDF."""
    from weasyprint import HTML

    HTML(string=render_subject_html(content, lang=lang)).write_pdf(path)
