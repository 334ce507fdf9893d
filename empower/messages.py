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
language; ``{n:count}`` a count with its thousands grouped; a list or tuple is joined with
commas.

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

__all__ = ["CATALOG", "LANGUAGES", "LABELS", "describe", "format_amount", "format_count",
           "placeholders", "render"]

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
    # -- empower/io: reading files (FileRejected: exit status 2) --------------------------------
    "file.folder": _t(
        "{name} : c'est un dossier, pas un fichier.",
        "{name}: هذا مجلد وليس ملفا.",
        "{name}: is a folder, not a file"),
    "file.missing": _t(
        "{name} : fichier introuvable.",
        "{name}: الملف غير موجود.",
        "{name}: no such file"),
    "file.permission_denied": _t(
        "{name} : accès refusé.",
        "{name}: الولوج مرفوض.",
        "{name}: permission denied"),
    "file.unreadable": _t(
        "{name} : lecture impossible ({reason}).",
        "{name}: تعذرت القراءة ({reason}).",
        "{name}: cannot be read ({reason})"),
    "file.empty": _t(
        "{name} : le fichier est vide.",
        "{name}: الملف فارغ.",
        "{name}: the file is empty"),
    "file.old_excel": _t(
        "{name} : un ancien fichier Excel .xls ; enregistrez-le en .xlsx ou en CSV.",
        "{name}: ملف Excel قديم بصيغة .xls؛ احفظه بصيغة .xlsx أو CSV.",
        "{name}: an old Excel .xls file; save it as .xlsx or CSV"),
    "file.not_xlsx": _t(
        "{name} : ce fichier Excel .xlsx est invalide.",
        "{name}: ملف Excel بصيغة .xlsx غير صالح.",
        "{name}: not a valid Excel .xlsx file"),
    "file.binary": _t(
        "{name} : ni un fichier CSV ni un fichier Excel (données binaires).",
        "{name}: ليس ملف CSV ولا ملف Excel (يحتوي على بيانات ثنائية).",
        "{name}: not a CSV or Excel file (it holds binary data)"),
    "file.undecodable": _t(
        "{name} : la ligne {line} ne se décode pas en {encoding}.",
        "{name}: تعذر فك ترميز السطر {line} بـ {encoding}.",
        "{name}: line {line} cannot be decoded as {encoding}"),
    "file.line_too_long": _t(
        "{name} : la ligne {line} dépasse {max:count} caractères ; ce n'est pas un tableau "
        "d'enregistrements.",
        "{name}: السطر {line} يتجاوز {max:count} حرف؛ هذا ليس جدول سجلات.",
        "{name}: line {line} is longer than {max:count} characters; this is not a table of "
        "records"),
    "file.line_binary": _t(
        "{name} : la ligne {line} contient des données binaires.",
        "{name}: السطر {line} يحتوي على بيانات ثنائية.",
        "{name}: line {line} holds binary data"),
    "file.header_unreadable": _t(
        "{name} : la ligne d'en-tête est illisible ({reason}).",
        "{name}: تعذرت قراءة سطر العناوين ({reason}).",
        "{name}: the header line cannot be read ({reason})"),
    "file.line_unreadable": _t(
        "{name} : la ligne {line} est illisible en CSV ({reason}).",
        "{name}: تعذرت قراءة السطر {line} بصيغة CSV ({reason}).",
        "{name}: line {line} cannot be read as CSV ({reason})"),
    "file.unclosed_quote": _t(
        "{name} : la valeur entre guillemets commencée ligne {line} court sur {lines} lignes ; "
        "un guillemet n'est sans doute pas fermé.",
        "{name}: القيمة بين علامتي التنصيص التي تبدأ في السطر {line} تمتد على {lines} سطرا؛ "
        "ربما لم تغلق علامة تنصيص.",
        "{name}: the quoted value starting on line {line} runs over {lines} lines; a quote is "
        "probably not closed"),
    "file.xlsx_unreadable": _t(
        "{name} : fichier Excel .xlsx illisible.",
        "{name}: ملف Excel بصيغة .xlsx غير مقروء.",
        "{name}: not a readable Excel .xlsx file"),
    "file.xlsx_damaged": _t(
        "{name} : fichier Excel .xlsx illisible ({reason}).",
        "{name}: ملف Excel بصيغة .xlsx غير مقروء ({reason}).",
        "{name}: not a readable Excel .xlsx file ({reason})"),
    "file.no_sheet": _t(
        "{name} : le classeur n'a aucune feuille.",
        "{name}: المصنف لا يحتوي على أي ورقة.",
        "{name}: the workbook has no sheet"),
    "file.sheet_unreadable": _t(
        "{name} : la feuille est illisible ({reason}).",
        "{name}: تعذرت قراءة الورقة ({reason}).",
        "{name}: the sheet cannot be read ({reason})"),
    "file.sheet_empty": _t(
        "{name} : la première feuille est vide.",
        "{name}: الورقة الأولى فارغة.",
        "{name}: the first sheet is empty"),
    "file.row_unreadable": _t(
        "{name} : la ligne {line} est illisible ({reason}).",
        "{name}: تعذرت قراءة الصف {line} ({reason}).",
        "{name}: row {line} cannot be read ({reason})"),
    "file.same_column_twice": _t(
        "{name} : les colonnes « {first} » et « {second} » donnent toutes deux {column} ; "
        "gardez-en une.",
        "{name}: العمودان «{first}» و«{second}» يعطيان معا {column}؛ احتفظ بواحد.",
        "{name}: columns '{first}' and '{second}' both give {column}; keep one"),
    "file.no_known_column": _t(
        "{name} : aucune colonne connue dans l'en-tête pour {kind} (colonnes attendues : "
        "{expected}).",
        "{name}: لا يوجد أي عمود معروف في العناوين لـ {kind} (الأعمدة المنتظرة: {expected}).",
        "{name}: no known column in the header for {kind} (expected: {expected})"),
    "file.required_missing": _t(
        "{name} : colonne(s) obligatoire(s) manquante(s) pour {kind} : {missing}.",
        "{name}: أعمدة إجبارية ناقصة لـ {kind}: {missing}.",
        "{name}: required column(s) missing for {kind}: {missing}"),
    # -- empower/io: cells and rows ----------------------------------------------------------------
    "import.date_invalid": _t(
        "« {value} » n'est pas une date.",
        "«{value}» ليس تاريخا.",
        "'{value}' is not a date"),
    "import.date_unreal": _t(
        "« {value} » n'est pas une date qui existe.",
        "«{value}» ليس تاريخا موجودا.",
        "'{value}' is not a real date"),
    "import.date_unreadable": _t(
        "« {value} » n'est pas une date (écrire AAAA-MM-JJ ou jj/mm/aaaa).",
        "«{value}» ليس تاريخا (اكتب YYYY-MM-DD أو dd/mm/yyyy).",
        "'{value}' is not a date (use YYYY-MM-DD or dd/mm/yyyy)"),
    "import.yes_no_invalid": _t(
        "« {value} » n'est ni oui ni non (oui/non, vrai/faux, 1/0, نعم/لا).",
        "«{value}» ليس نعم أو لا (نعم/لا، oui/non، 1/0).",
        "'{value}' is not yes/no (oui/non, true/false, 1/0)"),
    "import.whole_number_invalid": _t(
        "« {value} » n'est pas un nombre entier.",
        "«{value}» ليس عددا صحيحا.",
        "'{value}' is not a whole number"),
    "import.number_invalid": _t(
        "« {value} » n'est pas un nombre.",
        "«{value}» ليس عددا.",
        "'{value}' is not a number"),
    "import.province_unknown": _t(
        "« {value} » n'est pas une province (un code HCP comme 04.441, ou son nom en français "
        "ou en arabe).",
        "«{value}» ليس إقليما (رمز المندوبية السامية للتخطيط مثل 04.441، أو اسمه بالفرنسية أو "
        "بالعربية).",
        "'{value}' is not a province (an HCP code such as 04.441, or its French or Arabic name)"),
    "import.region_unknown": _t(
        "« {value} » n'est pas une région (un code HCP de 01 à 12, ou son nom).",
        "«{value}» ليس جهة (رمز من 01 إلى 12، أو اسمها).",
        "'{value}' is not a region (an HCP code 01 to 12, or its name)"),
    "import.row_too_wide": _t(
        "La ligne compte {cells} cellules mais l'en-tête {width} (un séparateur dans une "
        "valeur sans guillemets ?).",
        "يضم السطر {cells} خانة بينما تضم العناوين {width} (فاصل داخل قيمة بدون علامتي تنصيص؟).",
        "the row has {cells} cells but the header has {width} (a separator inside an unquoted "
        "value?)"),
    "import.value_required": _t(
        "Une valeur est obligatoire.",
        "القيمة إجبارية.",
        "a value is required"),
    "import.key_repeated": _t(
        "{key} répété : déjà présent ligne {line} de ce fichier.",
        "{key} مكرر: موجود في السطر {line} من هذا الملف.",
        "{key} repeated: already on line {line} of this file"),
    "import.cooperative_unknown": _t(
        "La coopérative « {reference} » n'existe pas.",
        "التعاونية «{reference}» غير موجودة.",
        "cooperative '{reference}' does not exist"),
    "import.grant_unknown": _t(
        "La subvention « {reference} » n'existe pas.",
        "المنحة «{reference}» غير موجودة.",
        "grant '{reference}' does not exist"),
    "import.mode_invalid": _t(
        "« {value} » ne fait pas partie de : {modes}.",
        "«{value}» ليس من بين: {modes}.",
        "'{value}' is not one of {modes}"),
    "import.kind_invalid": _t(
        "« {value} » ne fait pas partie de : {kinds}.",
        "«{value}» ليس من بين: {kinds}.",
        "'{value}' is not one of {kinds}"),
    "import.exit_reason_required": _t(
        "Un motif est obligatoire avec exited_on.",
        "السبب إجباري مع exited_on.",
        "a reason is required with exited_on"),
    "import.one_recipient": _t(
        "Une subvention va à un seul bénéficiaire : indiquez cin ou cooperative_reference, "
        "pas les deux, et pas aucun.",
        "تمنح المنحة لمستفيد واحد: أدخل cin أو cooperative_reference، لا كليهما ولا أيا منهما.",
        "a grant goes to exactly one recipient: give cin or cooperative_reference, not both "
        "and not neither"),
    "import.approved_on_required": _t(
        "Une date d'approbation est obligatoire avec amount_approved.",
        "تاريخ الموافقة إجباري مع amount_approved.",
        "an approval date is required with amount_approved"),
    "export.file_suffix": _t(
        "« {name} » doit se terminer par .csv ou .xlsx.",
        "«{name}» يجب أن ينتهي بـ .csv أو .xlsx.",
        "'{name}' must end in .csv or .xlsx"),
    "export.pseudonym_key_missing": _t(
        "--pseudonymize demande une clé secrète (définir EMPOWER_PSEUDONYM_KEY).",
        "--pseudonymize يتطلب مفتاحا سريا (حدد EMPOWER_PSEUDONYM_KEY).",
        "--pseudonymize needs a secret key (set EMPOWER_PSEUDONYM_KEY)"),
    "template.file_suffix": _t(
        "« {name} » doit se terminer par .xlsx.",
        "«{name}» يجب أن ينتهي بـ .xlsx.",
        "'{name}' must end in .xlsx"),
    # -- empower/services/corrections.py: what is never corrected --------------------------------
    "grant.program_not_corrected": _t(
        "La subvention {reference} est déjà enregistrée sous un autre programme ; ni un import "
        "ni une correction ne le changent.",
        "المنحة {reference} مسجلة من قبل في برنامج آخر؛ لا يغيره استيراد ولا تصحيح.",
        "grant {reference} is already recorded with another program; that is not changed by "
        "import or correction"),
    "grant.recipient_not_corrected": _t(
        "La subvention {reference} est déjà enregistrée pour un autre bénéficiaire ; ni un "
        "import ni une correction ne le changent.",
        "المنحة {reference} مسجلة من قبل لمستفيد آخر؛ لا يغيره استيراد ولا تصحيح.",
        "grant {reference} is already recorded with another recipient; that is not changed by "
        "import or correction"),
    "grant.amount_requested_not_corrected": _t(
        "La subvention {reference} est déjà enregistrée avec un autre montant demandé ; ni un "
        "import ni une correction ne le changent.",
        "المنحة {reference} مسجلة من قبل بمبلغ مطلوب آخر؛ لا يغيره استيراد ولا تصحيح.",
        "grant {reference} is already recorded with another amount requested; that is not "
        "changed by import or correction"),
    "grant.amount_approved_not_corrected": _t(
        "La subvention {reference} a été approuvée pour {amount} MAD ; ni un import ni une "
        "correction ne changent ce montant.",
        "تمت الموافقة على المنحة {reference} بمبلغ {amount} درهم؛ لا يغيره استيراد ولا تصحيح.",
        "grant {reference} was approved for {amount} MAD; that is not changed by import or "
        "correction"),
    "disbursement.not_corrected": _t(
        "La tranche {reference} est déjà enregistrée avec d'autres valeurs ; ni un import ni "
        "une correction ne changent un paiement.",
        "الدفعة {reference} مسجلة من قبل بقيم أخرى؛ لا يغير الاستيراد ولا التصحيح أي أداء.",
        "tranche {reference} is already recorded with other values; payments are not changed "
        "by import or correction"),
    "cooperative.not_dissolved": _t(
        "La coopérative {reference} n'est pas dissoute ; enregistrez plutôt sa dissolution.",
        "التعاونية {reference} غير منحلة؛ سجل حلها بدل ذلك.",
        "cooperative {reference} is not dissolved; dissolve it instead"),
    "cooperative.dissolution_not_corrected": _t(
        "La coopérative {reference} a été dissoute le {on} ; ni un import ni une correction ne "
        "changent cette date.",
        "حلت التعاونية {reference} بتاريخ {on}؛ لا يغير الاستيراد ولا التصحيح هذا التاريخ.",
        "cooperative {reference} was dissolved on {on}; that date is not changed by import or "
        "correction"),
    # -- empower/io/cli.py: the lines of `empower import` -------------------------------------
    "import.cli.error": _t(
        "erreur : {message}",
        "خطأ: {message}",
        "error: {message}"),
    "import.cli.give_file": _t(
        "indiquez le FICHIER à importer (ou --template FICHIER.xlsx)",
        "حدد الملف المراد استيراده (أو --template FICHIER.xlsx)",
        "give the FILE to import (or --template FILE.xlsx)"),
    "import.cli.mode_invalid": _t(
        "--mode « {value} » ne fait pas partie de : {modes}",
        "--mode «{value}» ليس من بين: {modes}",
        "--mode '{value}' is not one of {modes}"),
    "import.cli.template_written": _t(
        "Modèle pour {kind} écrit dans {path}",
        "تمت كتابة نموذج {kind} في {path}",
        "Template for {kind} written to {path}"),
    "import.cli.progress": _t(
        "import de {name}",
        "استيراد {name}",
        "importing {name}"),
    "import.cli.ignored_columns": _t(
        "Colonnes ignorées : {columns}",
        "أعمدة متجاهلة: {columns}",
        "Ignored columns: {columns}"),
    "import.cli.rejected_rows": _t(
        "Lignes rejetées",
        "الأسطر المرفوضة",
        "Rejected rows"),
    "import.cli.line": _t("ligne", "السطر", "line"),
    "import.cli.column": _t("colonne", "العمود", "column"),
    "import.cli.value": _t("valeur", "القيمة", "value"),
    "import.cli.reason": _t("motif", "السبب", "reason"),
    "import.cli.only_first_see": _t(
        "... seules les {shown} premières sont affichées ; voir {path}",
        "... لا تظهر إلا {shown} الأولى؛ انظر {path}",
        "... only the first {shown} shown; see {path}"),
    "import.cli.only_first_use_errors": _t(
        "... seules les {shown} premières sont affichées ; la liste complète : --errors "
        "FICHIER.csv",
        "... لا تظهر إلا {shown} الأولى؛ للائحة الكاملة استعمل --errors FICHIER.csv",
        "... only the first {shown} shown; use --errors FILE.csv for the full list"),
    "import.cli.counts": _t(
        "{rows:count} lignes lues : {created:count} créées, {updated:count} mises à jour, "
        "{unchanged:count} inchangées, {rejected:count} rejetées",
        "{rows:count} سطر مقروء: {created:count} منشأ، {updated:count} محدث، "
        "{unchanged:count} دون تغيير، {rejected:count} مرفوض",
        "{rows:count} rows read: {created:count} created, {updated:count} updated, "
        "{unchanged:count} unchanged, {rejected:count} rejected"),
    "import.cli.duplicates": _t(
        "{count:count} doublons possibles à examiner",
        "{count:count} تكرار محتمل للمراجعة",
        "{count:count} possible duplicates to review"),
    "import.cli.dry_run": _t(
        "Essai à blanc : rien n'a été écrit.",
        "تجربة: لم يكتب أي شيء.",
        "Dry run: nothing was written."),
    "import.cli.written": _t("Écrit.", "تمت الكتابة.", "Written."),
    "import.cli.nothing_to_write": _t("Rien à écrire.", "لا شيء للكتابة.", "Nothing to write."),
    "import.cli.atomic_nothing_written": _t(
        "Rien n'a été écrit (mode atomic : {rejected:count} lignes rejetées ; corrigez-les, "
        "ou utilisez --mode valid-only pour écrire les lignes valides).",
        "لم يكتب أي شيء (وضع atomic: {rejected:count} سطر مرفوض؛ صححها، أو استعمل "
        "--mode valid-only لكتابة الأسطر الصالحة).",
        "Nothing was written (atomic mode: {rejected:count} rows rejected; fix them, or use "
        "--mode valid-only to write the valid rows)."),
}


class _Formatter(string.Formatter):
    """``str.format`` that writes dates, amounts, lists and vocabulary values for a language."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "label":
            return ", ".join(_label(v, self.lang) for v in value) \
                if isinstance(value, list | tuple) else _label(value, self.lang)
        if format_spec == "count":
            return format_count(value, self.lang)
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


def format_count(value: int, lang: Lang) -> str:
    """A count with its thousands grouped in the language: ``12 500`` / ``12.500`` / ``12,500``
    (templates write ``{rows:count}``)."""
    group, _point = _MARKS.get(lang, _MARKS["en"])
    return f"{int(value):,}".replace(",", group)


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
