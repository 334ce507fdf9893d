"""Labels of the published report in French (default), Arabic and English, and number formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent

from empower.reference import provinces, regions

__all__ = ["LANGS", "Labels", "labels"]

LANGS = ("fr", "ar", "en")
_LOCALES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_GB"}

_TEXT: dict[str, dict[str, str]] = {
    "title": {"fr": "Rapport mensuel des indicateurs", "ar": "التقرير الشهري للمؤشرات",
              "en": "Monthly KPI report"},
    "month": {"fr": "Mois", "ar": "الشهر", "en": "Month"},
    "scope": {"fr": "Périmètre", "ar": "النطاق", "en": "Scope"},
    "all": {"fr": "Tout le pays, tous les programmes", "ar": "كل الجهات وكل البرامج",
            "en": "Whole country, all programs"},
    "region": {"fr": "Région", "ar": "الجهة", "en": "Region"},
    "program": {"fr": "Programme", "ar": "البرنامج", "en": "Program"},
    "province": {"fr": "Province", "ar": "الإقليم", "en": "Province"},
    "age_band": {"fr": "Tranche d'âge", "ar": "الفئة العمرية", "en": "Age band"},
    "milieu": {"fr": "Milieu", "ar": "الوسط", "en": "Milieu"},
    "exit_reason": {"fr": "Motif de sortie", "ar": "سبب الخروج", "en": "Exit reason"},
    "channel": {"fr": "Canal de paiement", "ar": "قناة الأداء", "en": "Payment channel"},
    "outcome": {"fr": "Issue", "ar": "النتيجة", "en": "Outcome"},
    "total": {"fr": "Total", "ar": "المجموع", "en": "Total"},
    "summary": {"fr": "Synthèse", "ar": "ملخص", "en": "Summary"},
    "indicator": {"fr": "Indicateur", "ar": "المؤشر", "en": "Indicator"},
    "breakdown": {"fr": "Ventilation", "ar": "التوزيع", "en": "Breakdown"},
    "category": {"fr": "Catégorie", "ar": "الفئة", "en": "Category"},
    "value": {"fr": "Valeur", "ar": "القيمة", "en": "Value"},
    "numerator": {"fr": "Numérateur", "ar": "البسط", "en": "Numerator"},
    "denominator": {"fr": "Dénominateur", "ar": "المقام", "en": "Denominator"},
    "count": {"fr": "Effectif", "ar": "العدد", "en": "Count"},
    "trend": {"fr": "Évolution sur 12 mois", "ar": "التطور خلال 12 شهرا",
              "en": "12-month trend"},
    "trends": {"fr": "Tendances", "ar": "الاتجاهات", "en": "Trends"},
    "generated": {"fr": "Produit le", "ar": "تاريخ الإنتاج", "en": "Generated"},
    "version": {"fr": "Version", "ar": "الإصدار", "en": "Version"},
    "checksum": {"fr": "Empreinte des données", "ar": "بصمة البيانات", "en": "Data checksum"},
    "suppressed_mark": {"fr": "<{n}", "ar": "<{n}", "en": "<{n}"},
    "footnote": {
        "fr": "Règle de confidentialité : les effectifs inférieurs à {n}, et les parts dont le "
              "dénominateur est inférieur à {n}, sont masqués (« <{n} »). Les montants et médianes "
              "reposant sur moins de {n} dossiers le sont aussi. Aucune donnée nominative n'est "
              "publiée.",
        "ar": "قاعدة السرية: تُحجب الأعداد التي تقل عن {n} والنسب التي يقل مقامها عن {n} "
              "(«<{n}»)، وكذلك المبالغ والوسيطات المبنية على أقل من {n} ملفات. لا تُنشر أي "
              "بيانات شخصية.",
        "en": "Confidentiality rule: counts below {n}, and shares whose denominator is below {n}, "
              "are hidden (\"<{n}\"), as are amounts and medians resting on fewer than {n} "
              "records. No personal data is published.",
    },
    # The path is the one in the empower repository and its source distribution.
    "definitions": {"fr": "Définitions : voir la note des indicateurs, docs/kpis.md (empower).",
                    "ar": "التعاريف: انظر مذكرة المؤشرات، docs/kpis.md (empower).",
                    "en": "Definitions: see the KPI note, docs/kpis.md (empower)."},
    "mad": {"fr": "MAD", "ar": "درهم", "en": "MAD"},
    "days": {"fr": "jours", "ar": "يوما", "en": "days"},
    "no_data": {"fr": "Aucune donnée pour ce mois.", "ar": "لا توجد بيانات لهذا الشهر.",
                "en": "No data for this month."},
    "reach": {"fr": "Portée", "ar": "الاستهداف", "en": "Reach"},
    "cooperatives": {"fr": "Coopératives", "ar": "التعاونيات", "en": "Cooperatives"},
    "grants": {"fr": "Subventions", "ar": "المنح", "en": "Grants"},
    "outcomes": {"fr": "Résultats", "ar": "النتائج", "en": "Outcomes"},
    "trainings": {"fr": "Formations et suivi", "ar": "التكوين والمواكبة",
                  "en": "Trainings and coaching"},
    "payments": {"fr": "Paiements", "ar": "الأداءات", "en": "Payments"},
    "grievances": {"fr": "Plaintes et demandes", "ar": "الشكايات والطلبات", "en": "Grievances"},
    "selection": {"fr": "Sélection", "ar": "الانتقاء", "en": "Selection"},
    "payment": {"fr": "Paiement", "ar": "الأداء", "en": "Payment"},
    "training": {"fr": "Formation", "ar": "التكوين", "en": "Training"},
    "data_protection": {"fr": "Données personnelles (loi 09-08)",
                        "ar": "المعطيات الشخصية (القانون 09-08)",
                        "en": "Data protection (law 09-08)"},
    "confidential": {"fr": "Confidentielles (comportement, EAS)",
                     "ar": "سرية (السلوك، الاستغلال والاعتداء الجنسي)",
                     "en": "Confidential (conduct, SEA)"},
    "bank_transfer": {"fr": "Virement bancaire", "ar": "تحويل بنكي", "en": "Bank transfer"},
    "cash_out": {"fr": "Retrait en espèces", "ar": "سحب نقدي", "en": "Cash-out"},
    "mobile_money": {"fr": "Paiement mobile", "ar": "الأداء عبر الهاتف", "en": "Mobile money"},
    "failed": {"fr": "Échec", "ar": "فشل", "en": "Failed"},
    "returned": {"fr": "Retourné (non retiré)", "ar": "مرتجع (لم يُسحب)",
                 "en": "Returned (not collected)"},
    "urban": {"fr": "Urbain", "ar": "حضري", "en": "Urban"},
    "rural": {"fr": "Rural", "ar": "قروي", "en": "Rural"},
    "unknown": {"fr": "Non renseigné", "ar": "غير محدد", "en": "Not recorded"},
    "cooperative": {"fr": "Coopérative", "ar": "تعاونية", "en": "Cooperative"},
    "completed": {"fr": "Parcours achevé", "ar": "إتمام المسار", "en": "Completed"},
    "graduated": {"fr": "Diplômée", "ar": "متخرجة", "en": "Graduated"},
    "dropped_out": {"fr": "Abandon", "ar": "انقطاع", "en": "Dropped out"},
    "moved": {"fr": "Déménagement", "ar": "تغيير السكن", "en": "Moved"},
    "deceased": {"fr": "Décès", "ar": "وفاة", "en": "Deceased"},
    "duplicate": {"fr": "Doublon", "ar": "تكرار", "en": "Duplicate"},
    "other": {"fr": "Autre", "ar": "أخرى", "en": "Other"},
    # targeting
    "targeting": {"fr": "Ciblage et sélection", "ar": "الاستهداف والانتقاء",
                  "en": "Targeting and selection"},
    "disability": {"fr": "Handicap", "ar": "الإعاقة", "en": "Disability"},
    "disability_yes": {"fr": "En situation de handicap", "ar": "في وضعية إعاقة",
                       "en": "With a disability"},
    "disability_no": {"fr": "Sans handicap", "ar": "بدون إعاقة", "en": "Without a disability"},
    "no_selection": {"fr": "Aucun appel à candidatures n'a fait l'objet d'une sélection ce mois-ci.",
                     "ar": "لم يتم إجراء أي انتقاء لطلبات الترشيح خلال هذا الشهر.",
                     "en": "No call for applications was selected this month."},
    "targeting_note": {
        "fr": "Appels dont la sélection date du mois ; âge à la date de clôture de l'appel. "
              "Nombre d'appels et de places non masqués (publiés par les appels).",
        "ar": "طلبات الترشيح التي تم انتقاؤها خلال الشهر؛ السن في تاريخ اختتام الطلب. "
              "عدد الطلبات والمقاعد غير محجوب (تنشره الطلبات نفسها).",
        "en": "Calls selected in the month; age at the call's closing date. Numbers of calls "
              "and places are not hidden (the calls publish them)."},
}

_KPI: dict[str, dict[str, str]] = {
    "beneficiaries_registered": {"fr": "Bénéficiaires inscrites", "ar": "المستفيدات المسجلات",
                                 "en": "Registered beneficiaries"},
    "new_registrations": {"fr": "Nouvelles inscriptions", "ar": "التسجيلات الجديدة",
                          "en": "New registrations"},
    "active_enrollments": {"fr": "Bénéficiaires en parcours", "ar": "المستفيدات في المسار",
                           "en": "Women actively enrolled"},
    "new_enrollments": {"fr": "Nouvelles admissions", "ar": "الانخراطات الجديدة",
                        "en": "New enrolments"},
    "exits": {"fr": "Sorties", "ar": "حالات الخروج", "en": "Exits"},
    "cooperatives_active": {"fr": "Coopératives actives", "ar": "التعاونيات النشيطة",
                            "en": "Active cooperatives"},
    "cooperatives_women_led_share": {"fr": "Part des coopératives dirigées par des femmes",
                                     "ar": "نسبة التعاونيات التي تسيرها نساء",
                                     "en": "Share of women-led cooperatives"},
    "cooperative_members": {"fr": "Membres de coopératives", "ar": "عضوات التعاونيات",
                            "en": "Cooperative members"},
    "grants_approved_count": {"fr": "Subventions approuvées (nombre)",
                              "ar": "المنح المصادق عليها (عدد)", "en": "Grants approved (number)"},
    "grants_approved_amount": {"fr": "Subventions approuvées (montant)",
                               "ar": "المنح المصادق عليها (مبلغ)",
                               "en": "Grants approved (amount)"},
    "disbursed_amount": {"fr": "Montant décaissé", "ar": "المبلغ المصروف",
                         "en": "Amount disbursed"},
    "cumulative_approved_amount": {"fr": "Montant approuvé cumulé", "ar": "المبلغ المصادق عليه المتراكم",
                                   "en": "Cumulative amount approved"},
    "cumulative_disbursed_amount": {"fr": "Montant décaissé cumulé", "ar": "المبلغ المصروف المتراكم",
                                    "en": "Cumulative amount disbursed"},
    "disbursement_rate": {"fr": "Taux de décaissement", "ar": "نسبة الصرف",
                          "en": "Disbursement rate"},
    "median_days_to_first_payment": {"fr": "Délai médian avant le premier versement (jours)",
                                     "ar": "المدة الوسيطة قبل الدفعة الأولى (أيام)",
                                     "en": "Median days to first payment"},
    "income_increase_share": {"fr": "Part des revenus en hausse", "ar": "نسبة ارتفاع الدخل",
                              "en": "Share with higher income"},
    "median_income_change": {"fr": "Variation médiane du revenu mensuel",
                             "ar": "التغير الوسيط للدخل الشهري",
                             "en": "Median change in monthly income"},
    "business_survival_12m": {"fr": "Survie des activités à 12 mois",
                              "ar": "استمرار النشاط بعد 12 شهرا",
                              "en": "Business survival at 12 months"},
    "business_survival_12m_response_rate": {"fr": "Taux de réponse à l'enquête M12",
                                            "ar": "نسبة الاستجابة لمسح 12 شهرا",
                                            "en": "M12 survey response rate"},
    "jobs_created": {"fr": "Emplois créés", "ar": "مناصب الشغل المحدثة", "en": "Jobs created"},
    "access_to_finance_share": {"fr": "Part avec un compte", "ar": "نسبة الولوج إلى حساب",
                                "en": "Share with an account"},
    "sessions_held": {"fr": "Séances tenues", "ar": "الحصص المنجزة", "en": "Sessions held"},
    "attendance_rate": {"fr": "Taux de présence", "ar": "نسبة الحضور", "en": "Attendance rate"},
    "trainings_completed": {"fr": "Femmes ayant achevé une formation (cumul)",
                            "ar": "النساء اللواتي أتممن تكوينا (تراكمي)",
                            "en": "Women who completed a training (cumulative)"},
    "training_completion_rate": {"fr": "Taux d'achèvement des formations terminées",
                                 "ar": "نسبة إتمام التكوينات المنتهية",
                                 "en": "Completion rate of ended trainings"},
    "coaching_visits": {"fr": "Visites de suivi", "ar": "زيارات المواكبة",
                        "en": "Coaching visits"},
    "in_flight_amount": {"fr": "Montant en cours de paiement (fin de mois)",
                         "ar": "المبلغ قيد الأداء (نهاية الشهر)",
                         "en": "Amount in flight (month end)"},
    "instructions_sent": {"fr": "Ordres de paiement envoyés", "ar": "أوامر الأداء المرسلة",
                          "en": "Payment instructions sent"},
    "instructions_paid": {"fr": "Ordres de paiement payés", "ar": "أوامر الأداء المؤداة",
                          "en": "Payment instructions paid"},
    "instructions_failed": {"fr": "Ordres de paiement en échec ou retournés",
                            "ar": "أوامر الأداء الفاشلة أو المرتجعة",
                            "en": "Payment instructions failed or returned"},
    "payment_failure_rate": {"fr": "Taux d'échec des paiements", "ar": "نسبة فشل الأداءات",
                             "en": "Payment failure rate"},
    "median_days_approval_to_payment": {"fr": "Délai médian de l'approbation du lot au paiement (jours)",
                                        "ar": "المدة الوسيطة من المصادقة على الدفعة إلى الأداء (أيام)",
                                        "en": "Median days from batch approval to payment"},
    "funded_visited_90d_share": {"fr": "Part des projets financés visités en 90 jours",
                                 "ar": "نسبة المشاريع الممولة التي تمت زيارتها خلال 90 يوما",
                                 "en": "Share of funded businesses visited in 90 days"},
    "selected_intakes": {"fr": "Appels à candidatures sélectionnés", "ar": "طلبات الترشيح المنتقاة",
                         "en": "Calls for applications selected"},
    "intake_places": {"fr": "Places offertes", "ar": "المقاعد المتاحة", "en": "Places offered"},
    "applicants": {"fr": "Candidates", "ar": "المترشحات", "en": "Applicants"},
    "eligible_applicants": {"fr": "Candidates éligibles (critères remplis ou dérogation)",
                            "ar": "المترشحات المؤهلات (استيفاء الشروط أو استثناء)",
                            "en": "Eligible applicants (rules passed or overridden)"},
    "refused_by_rule": {"fr": "Candidates écartées par un critère",
                        "ar": "المترشحات المستبعدات بموجب شرط",
                        "en": "Applicants refused by a rule"},
    "refusals_overridden": {"fr": "Refus levés par dérogation motivée",
                            "ar": "حالات رفض رُفعت باستثناء معلل",
                            "en": "Refusals overridden with a reason"},
    "selected_applicants": {"fr": "Candidates retenues", "ar": "المترشحات المنتقاة",
                            "en": "Applicants selected"},
    "waitlisted_applicants": {"fr": "Candidates en liste d'attente",
                              "ar": "المترشحات في لائحة الانتظار",
                              "en": "Applicants on the waiting list"},
    "selection_rate": {"fr": "Taux de sélection des candidates éligibles",
                       "ar": "نسبة انتقاء المترشحات المؤهلات",
                       "en": "Selection rate of eligible applicants"},
    "waitlist_promotions": {"fr": "Admissions depuis une liste d'attente",
                            "ar": "الانخراطات من لائحة الانتظار",
                            "en": "Enrolments from a waiting list"},
    "grievances_received": {"fr": "Plaintes et demandes reçues",
                            "ar": "الشكايات والطلبات المتوصل بها",
                            "en": "Grievances received"},
    "grievances_resolved": {"fr": "Plaintes et demandes traitées (réponses)",
                            "ar": "الشكايات والطلبات المعالجة (الأجوبة)",
                            "en": "Grievances answered"},
    "median_days_to_resolve": {"fr": "Délai médian de réponse (jours)",
                               "ar": "المدة الوسيطة للجواب (أيام)",
                               "en": "Median days to answer"},
    "grievances_resolved_in_time_share": {"fr": "Part des réponses données dans le délai",
                                          "ar": "نسبة الأجوبة المقدمة داخل الأجل",
                                          "en": "Share answered within the deadline"},
}


class Labels:
    """Everything a renderer needs to say in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "fr"
        self.locale = _LOCALES[self.lang]
        self.rtl = self.lang == "ar"
        name = "name_ar" if self.rtl else "name_fr"
        self._regions = {r["code"]: r[name] for r in regions()}
        self._provinces = {p["code"]: p[name] for p in provinces()}

    def __call__(self, key: str, **kw: Any) -> str:
        text = _TEXT.get(key, {}).get(self.lang) or _TEXT.get(key, {}).get("fr") or key
        return text.format(**kw) if kw else text

    def kpi(self, key: str) -> str:
        return _KPI.get(key, {}).get(self.lang, key)

    def category(self, dimension: str, key: str) -> str:
        """A breakdown key as a reader sees it: region and province names, translated labels."""
        if key in ("unknown", "confidential"):  # a session with no province; confidential cases
            return self(key)
        if dimension == "region":
            return f"{self._regions.get(key, key)} ({key})"
        if dimension == "province":
            return f"{self._provinces.get(key, key)} ({key})"
        if dimension == "program":
            return key
        if dimension == "age_band":
            return self(key) if key == "cooperative" else key
        if dimension == "disability":
            return self(f"disability_{key}")
        return self(key)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.locale)

    def amount(self, value: str | Decimal) -> str:
        return format_decimal(Decimal(value), format="#,##0.00", locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, format="#,##0.0%", locale=self.locale)


def labels(lang: str) -> Labels:
    return Labels(lang)
