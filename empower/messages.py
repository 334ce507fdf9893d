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

An error given as a parameter (the refusal an item of a batch met) is described in the same
language, and every sentence starts with a capital.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from empower.errors import EmpowerError
from empower.text import Shortened

__all__ = ["CATALOG", "LANGUAGES", "LABELS", "describe", "format_amount", "format_count",
           "placeholders", "render"]

Lang = Literal["fr", "ar", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "ar", "en")

# Vocabulary values and record kinds named in refusals, in each language (the panel's own
# catalogs say the same words; the core cannot read them).
LABELS: dict[str, dict[str, str]] = {
    # enrolment states and actions (actions as nouns: "approbation impossible")
    "applied": {"fr": "candidate", "ar": "مترشحة"},
    "enrolled": {"fr": "inscrite", "ar": "مسجلة"},
    "exited": {"fr": "sortie", "ar": "خرجت"},
    "rejected": {"fr": "rejetée", "ar": "مرفوضة"},
    "enroll": {"fr": "inscription", "ar": "تسجيل"},
    "reject": {"fr": "rejet", "ar": "رفض"},
    "exit": {"fr": "sortie", "ar": "خروج"},
    # grant states and actions
    "submitted": {"fr": "déposée", "ar": "مودعة"},
    "approved": {"fr": "approuvée", "ar": "موافق عليها"},
    "cancelled": {"fr": "annulée", "ar": "ملغاة"},
    "closed": {"fr": "clôturée", "ar": "مغلقة"},
    "approve": {"fr": "approbation", "ar": "موافقة"},
    "cancel": {"fr": "annulation", "ar": "إلغاء"},
    "close": {"fr": "clôture", "ar": "إغلاق"},
    # duplicate candidates
    "open": {"fr": "à traiter", "ar": "قيد المعالجة"},
    "merged": {"fr": "fusionné", "ar": "مدمج"},
    "dismissed": {"fr": "écarté", "ar": "مرفوض"},
    "merge": {"fr": "fusion", "ar": "دمج"},
    "dismiss": {"fr": "mise à l'écart", "ar": "رفض"},
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
    # panel roles
    "admin": {"fr": "administrateur", "ar": "مدير"},
    "officer": {"fr": "chargée de programme", "ar": "مكلفة بالبرنامج"},
    "viewer": {"fr": "consultation", "ar": "اطلاع"},
    "agreement": {"fr": "convention", "ar": "اتفاقية"},
    # survey rounds
    "baseline": {"fr": "de base", "ar": "أساسية", "en": "baseline"},
    "m6": {"fr": "à 6 mois", "ar": "بعد 6 أشهر", "en": "6-month"},
    "m12": {"fr": "à 12 mois", "ar": "بعد 12 شهرا", "en": "12-month"},
    "m24": {"fr": "à 24 mois", "ar": "بعد 24 شهرا", "en": "24-month"},
    # dates of the steps of enrolments and grants (corrections name them)
    "applied_on": {"fr": "date de candidature", "ar": "تاريخ الترشح", "en": "application date"},
    "enrolled_on": {"fr": "date d'inscription", "ar": "تاريخ التسجيل", "en": "enrolment date"},
    "rejected_on": {"fr": "date de rejet", "ar": "تاريخ الرفض", "en": "rejection date"},
    "exited_on": {"fr": "date de sortie", "ar": "تاريخ الخروج", "en": "exit date"},
    "exit_reason": {"fr": "motif de sortie", "ar": "سبب الخروج", "en": "exit reason"},
    "submitted_on": {"fr": "date de dépôt", "ar": "تاريخ الإيداع", "en": "submission date"},
    "approved_on": {"fr": "date d'approbation", "ar": "تاريخ الموافقة", "en": "approval date"},
    "cancelled_on": {"fr": "date d'annulation", "ar": "تاريخ الإلغاء", "en": "cancellation date"},
    "closed_on": {"fr": "date de clôture", "ar": "تاريخ الإغلاق", "en": "closing date"},
    # intakes (calls for applications), their states and actions, and the waiting list
    "intake": {"fr": "appel", "ar": "طلب الترشيح", "en": "call"},
    "draft": {"fr": "brouillon", "ar": "مسودة"},
    "selected": {"fr": "sélection faite", "ar": "تم الانتقاء"},
    "select": {"fr": "sélection", "ar": "انتقاء"},
    "waitlisted": {"fr": "sur liste d'attente", "ar": "في لائحة الانتظار"},
    "waitlist": {"fr": "mise en liste d'attente", "ar": "الوضع في لائحة الانتظار"},
    "override": {"fr": "dérogation", "ar": "استثناء"},
    # grievances: the record, its states and actions (issue 14)
    "grievance": {"fr": "plainte", "ar": "شكاية", "en": "grievance"},
    "received": {"fr": "reçue", "ar": "متوصل بها"},
    "acknowledged": {"fr": "accusé de réception envoyé", "ar": "تم الإشعار بالتوصل"},
    "under_review": {"fr": "en instruction", "ar": "قيد الدراسة", "en": "under review"},
    "resolved": {"fr": "traitée", "ar": "تمت معالجتها"},
    "unfounded": {"fr": "non fondée", "ar": "غير مؤسسة"},
    "appealed": {"fr": "en recours", "ar": "موضوع طعن"},
    "acknowledge": {"fr": "accusé de réception", "ar": "الإشعار بالتوصل"},
    "review": {"fr": "instruction", "ar": "الدراسة"},
    "resolve": {"fr": "réponse", "ar": "المعالجة"},
    "appeal": {"fr": "recours", "ar": "الطعن"},
    "resolution": {"fr": "réponse", "ar": "الجواب", "en": "a resolution"},
    "complainant_told_on": {"fr": "date à laquelle la plaignante a été informée",
                            "ar": "تاريخ إخبار المشتكية",
                            "en": "the date the complainant was told"},
    "access": {"fr": "accès", "ar": "الولوج"},
    "correction": {"fr": "rectification", "ar": "التصحيح"},
    "objection": {"fr": "opposition", "ar": "التعرض"},
    "erasure": {"fr": "effacement", "ar": "المحو"},
    "subject_file": {"fr": "dossier de la personne concernée", "ar": "ملف الشخص المعني",
                     "en": "her subject file"},
    "selection": {"fr": "sélection", "ar": "الانتقاء"},
    "payment": {"fr": "paiement", "ar": "الأداء"},
    "training": {"fr": "formation", "ar": "التكوين"},
    "conduct": {"fr": "comportement", "ar": "السلوك"},
    "sexual_exploitation_abuse": {"fr": "exploitation et abus sexuels", "ar": "الاستغلال والاعتداء الجنسي",
                                  "en": "sexual exploitation and abuse"},
    "data_protection": {"fr": "données personnelles", "ar": "المعطيات الشخصية",
                        "en": "data protection"},
}


def _t(fr: str, ar: str, en: str) -> dict[str, str]:
    return {"fr": fr, "ar": ar, "en": en}


# code -> template per language. Keep codes stable: the panel, the importer and plugins key on
# them. Group by the module that raises them.
CATALOG: dict[str, dict[str, str]] = {
    # -- empower/db.py: a constraint stopped a writer who raced another --------------------------
    "race.cin_taken": _t(
        "Cette CIN est déjà enregistrée (enregistrée par quelqu'un d'autre entre-temps ?).",
        "رقم البطاقة هذا مسجل مسبقا (سجله شخص آخر في هذه الأثناء؟).",
        "this CIN is already registered (saved by someone else meanwhile?)"),
    "race.enrolment_exists": _t(
        "Elle a déjà une inscription à ce programme (enregistrée par quelqu'un d'autre "
        "entre-temps ?).",
        "لها تسجيل مسبق في هذا البرنامج (سجله شخص آخر في هذه الأثناء؟).",
        "she already has an enrolment in this program (saved by someone else meanwhile?)"),
    "race.membership_exists": _t(
        "Elle est déjà membre de cette coopérative (enregistrée par quelqu'un d'autre "
        "entre-temps ?).",
        "هي عضوة مسبقا في هذه التعاونية (سجلها شخص آخر في هذه الأثناء؟).",
        "she is already a member of this cooperative (saved by someone else meanwhile?)"),
    "race.survey_round_exists": _t(
        "Cette vague d'enquête est déjà enregistrée pour elle dans ce programme (enregistrée "
        "par quelqu'un d'autre entre-temps ?).",
        "هذه الجولة من الاستمارة مسجلة مسبقا لها في هذا البرنامج (سجلها شخص آخر في هذه "
        "الأثناء؟).",
        "this survey round is already recorded for her in this program (saved by someone "
        "else meanwhile?)"),
    "race.program_code_taken": _t(
        "Un programme avec ce code existe déjà (enregistré par quelqu'un d'autre entre-temps ?).",
        "يوجد برنامج بهذا الرمز مسبقا (سجله شخص آخر في هذه الأثناء؟).",
        "a program with this code already exists (saved by someone else meanwhile?)"),
    "race.partner_name_taken": _t(
        "Un partenaire de ce nom existe déjà (enregistré par quelqu'un d'autre entre-temps ?).",
        "يوجد شريك بهذا الاسم مسبقا (سجله شخص آخر في هذه الأثناء؟).",
        "a partner with this name already exists (saved by someone else meanwhile?)"),
    "race.cooperative_reference_taken": _t(
        "Une coopérative avec cette référence existe déjà (enregistrée par quelqu'un d'autre "
        "entre-temps ?).",
        "توجد تعاونية بهذا المرجع مسبقا (سجلها شخص آخر في هذه الأثناء؟).",
        "a cooperative with this reference already exists (saved by someone else meanwhile?)"),
    "race.grant_reference_taken": _t(
        "Une subvention avec cette référence existe déjà (enregistrée par quelqu'un d'autre "
        "entre-temps ?).",
        "توجد منحة بهذا المرجع مسبقا (سجلها شخص آخر في هذه الأثناء؟).",
        "a grant with this reference already exists (saved by someone else meanwhile?)"),
    "race.tranche_reference_taken": _t(
        "Une tranche avec cette référence existe déjà (enregistrée par quelqu'un d'autre "
        "entre-temps ?).",
        "توجد دفعة بهذا المرجع مسبقا (سجلها شخص آخر في هذه الأثناء؟).",
        "a tranche with this reference already exists (saved by someone else meanwhile?)"),
    "race.username_taken": _t(
        "Ce nom d'utilisateur est déjà pris (par quelqu'un d'autre entre-temps ?).",
        "اسم المستخدم هذا مأخوذ مسبقا (من طرف شخص آخر في هذه الأثناء؟).",
        "this user name is taken (saved by someone else meanwhile?)"),
    "race.over_disbursement": _t(
        "Les tranches dépasseraient le montant approuvé de la subvention (une autre tranche "
        "a été payée entre-temps ?).",
        "ستتجاوز الدفعات المبلغ الموافق عليه للمنحة (تم أداء دفعة أخرى في هذه الأثناء؟).",
        "tranches would exceed the grant's approved amount (saved by someone else meanwhile?)"),
    "race.over_budget": _t(
        "Les approbations dépasseraient le budget du programme (une autre subvention a été "
        "approuvée entre-temps ?).",
        "ستتجاوز الموافقات ميزانية البرنامج (تمت الموافقة على منحة أخرى في هذه الأثناء؟).",
        "approvals would exceed the program's budget (saved by someone else meanwhile?)"),
    "race.unique": _t(
        "Cette fiche existe déjà (contrainte {constraint} ; enregistrée par quelqu'un "
        "d'autre entre-temps ?).",
        "هذا السجل موجود مسبقا (القيد {constraint}؛ سجله شخص آخر في هذه الأثناء؟).",
        "refused by the database constraint {constraint} (saved by someone else meanwhile?)"),
    "race.constraint": _t(
        "Refusé par la contrainte {constraint} de la base de données (modifié par quelqu'un "
        "d'autre entre-temps ?).",
        "رفضه القيد {constraint} في قاعدة البيانات (تم التعديل من طرف شخص آخر في هذه "
        "الأثناء؟).",
        "refused by the database constraint {constraint} (saved by someone else meanwhile?)"),
    # -- empower/vocab.py, empower/audit.py, empower/schemas.py ----------------------------------
    "choice.invalid": _t(
        "« {value} » ne fait pas partie des valeurs possibles : {allowed}.",
        "«{value}» ليست من القيم الممكنة: {allowed}.",
        "'{value}' is not one of {allowed}"),
    "actor.required": _t(
        "Chaque écriture doit nommer son auteur (qui fait cela).",
        "يجب أن تحدد كل عملية كتابة صاحبها (من يقوم بها).",
        "every write needs an actor (who is doing this)"),
    "input.required": _t(
        "Ce champ est obligatoire.",
        "هذا الحقل إجباري.",
        "a value is required"),
    "input.unknown_field": _t(
        "Champ inconnu : {name}.",
        "حقل غير معروف: {name}.",
        "unknown field {name}"),
    "input.not_a_date": _t(
        "« {value} » n'est pas une date (AAAA-MM-JJ).",
        "«{value}» ليس تاريخا (سنة-شهر-يوم).",
        "'{value}' is not a date (YYYY-MM-DD)"),
    "input.not_a_number": _t(
        "« {value} » n'est pas un nombre.",
        "«{value}» ليس عددا.",
        "'{value}' is not a number"),
    "input.not_yes_no": _t(
        "« {value} » n'est ni oui ni non.",
        "«{value}» ليس نعم أو لا.",
        "'{value}' is not yes or no"),
    "input.too_long": _t(
        "« {value} » est trop long (au plus {max_length} caractères).",
        "«{value}» طويل جدا (على الأكثر {max_length} حرفا).",
        "'{value}' is too long (at most {max_length} characters)"),
    "input.too_small": _t(
        "« {value} » est trop petit (au moins {limit}).",
        "«{value}» صغير جدا (على الأقل {limit}).",
        "'{value}' is too small (at least {limit})"),
    "input.not_above": _t(
        "« {value} » doit être supérieur à {limit}.",
        "«{value}» يجب أن يكون أكبر من {limit}.",
        "'{value}' must be above {limit}"),
    "input.too_large": _t(
        "« {value} » est trop grand (au plus {limit}).",
        "«{value}» كبير جدا (على الأكثر {limit}).",
        "'{value}' is too large (at most {limit})"),
    "input.refused": _t(
        "La valeur « {value} » est refusée.",
        "القيمة «{value}» مرفوضة.",
        "'{value}' is refused"),
    # -- empower/demo.py -------------------------------------------------------------------------
    "demo.too_few": _t(
        "Il faut au moins 1 bénéficiaire de démonstration.",
        "يلزم على الأقل مستفيدة تجريبية واحدة.",
        "at least 1 beneficiary"),
    "demo.not_empty": _t(
        "La base contient déjà {existing} bénéficiaires ; les données de démonstration vont "
        "dans une base vide.",
        "تضم قاعدة البيانات {existing} مستفيدة؛ تضاف البيانات التجريبية إلى قاعدة فارغة فقط.",
        "the database already holds {existing} beneficiaries; demo data goes into an empty "
        "database"),
    "demo.item_refused": _t(
        "Données de démonstration refusées à l'élément {index} : {reason}",
        "رفضت البيانات التجريبية في العنصر {index}: {reason}",
        "demo data refused at item {index}: {reason}"),
    # -- reports/ --------------------------------------------------------------------------------
    "report.unknown_program": _t(
        "Aucun programme n'a le code « {code} ».",
        "لا يوجد برنامج بالرمز «{code}».",
        "no program with code '{code}'"),
    "report.unknown_region": _t(
        "Aucune région n'a le code « {code} ».",
        "لا توجد جهة بالرمز «{code}».",
        "no region with code '{code}'"),
    "report.bad_month": _t(
        "« {value} » n'est pas un mois écrit AAAA-MM (par exemple 2026-10).",
        "«{value}» ليس شهرا مكتوبا بصيغة سنة-شهر (مثلا 2026-10).",
        "'{value}' is not a month written YYYY-MM (e.g. 2026-10)"),
    "report.bad_format": _t(
        "« {value} » ne fait pas partie des formats possibles : {allowed}.",
        "«{value}» ليست من الصيغ الممكنة: {allowed}.",
        "'{value}' is not one of {allowed}"),
    "report.already_frozen": _t(
        "Le mois {month} ({scope}) a déjà été figé le {frozen_at} UTC par {frozen_by} ; "
        "« empower report diff --month {month} » montre ce qui a changé.",
        "تم تجميد شهر {month} ({scope}) مسبقا بتاريخ {frozen_at} (UTC) من طرف {frozen_by}؛ "
        "الأمر «empower report diff --month {month}» يبين ما تغير.",
        "{month} ({scope}) was already frozen on {frozen_at} UTC by {frozen_by}; use "
        "'empower report diff --month {month}' to see what changed"),
    "report.not_frozen": _t(
        "Le mois {month} ({scope}) n'a pas été figé (lancez « empower report monthly --month "
        "{month} --freeze ... »).",
        "لم يتم تجميد شهر {month} ({scope}) (شغلي «empower report monthly --month {month} "
        "--freeze ...»).",
        "{month} ({scope}) has not been frozen (run 'empower report monthly --month {month} "
        "--freeze ...')"),
    # -- admin/ (the panel's own checks) ---------------------------------------------------------
    "user.bad_username": _t(
        "« {value} » n'est pas un nom d'utilisateur valide : de 3 à 60 caractères parmi les "
        "lettres a à z, les chiffres, le point, le tiret et le tiret bas.",
        "«{value}» ليس اسم مستخدم صالحا: من 3 إلى 60 حرفا من الحروف اللاتينية a إلى z والأرقام "
        "والنقطة والشرطة والشرطة السفلية.",
        "'{value}' is not a valid user name (3 to 60 of a-z, 0-9, '.', '_', '-')"),
    "user.region_required": _t(
        "Un compte {role:label} travaille dans au moins une région.",
        "يعمل حساب {role:label} في جهة واحدة على الأقل.",
        "a {role:label} works in at least one region"),
    "user.username_taken": _t(
        "Le nom d'utilisateur « {value} » existe déjà.",
        "اسم المستخدم «{value}» موجود مسبقا.",
        "'{value}' already exists"),
    "password.required": _t(
        "Un mot de passe est obligatoire.",
        "كلمة المرور إجبارية.",
        "a password is required"),
    "password.too_short": _t(
        "Au moins {min} caractères (une phrase de passe de plusieurs mots est idéale).",
        "{min} حرفا على الأقل (ويفضل جملة من عدة كلمات).",
        "at least {min} characters (a passphrase of several words is best)"),
    "password.too_long": _t(
        "Au plus {max} caractères.",
        "{max} حرفا على الأكثر.",
        "at most {max} characters"),
    "password.too_common": _t(
        "Ce mot de passe est trop facile à deviner (mot de passe courant, mot, nom, date, suite "
        "de touches) ; une phrase de plusieurs mots sans lien est idéale.",
        "كلمة المرور هذه سهلة التخمين (كلمة مرور شائعة، كلمة، اسم، تاريخ، تتابع مفاتيح)؛ "
        "ويفضل جملة من عدة كلمات لا رابط بينها.",
        "this password is too easy to guess (a common password, a word, a name, a date, a run "
        "of keys); several unrelated words are best"),
    "password.built_on_username": _t(
        "Le mot de passe ne doit pas être construit sur le nom d'utilisateur.",
        "يجب ألا تبنى كلمة المرور على اسم المستخدم.",
        "must not be built on the user name"),
    "panel.unsupported_database": _t(
        "Le panneau ne prend pas en charge la base de données {backend}.",
        "لا تدعم لوحة التحكم قاعدة البيانات {backend}.",
        "the panel does not support {backend}"),
    "panel.bulk_item_refused": _t(
        "Fiche n° {id} : {reason}",
        "السجل رقم {id}: {reason}",
        "#{id}: {reason}"),
    "input.not_a_record": _t(
        "« {value} » n'est pas un numéro de fiche.",
        "«{value}» ليس رقم سجل.",
        "'{value}' is not a record number"),
    "province.outside_regions": _t(
        "La province {value} est hors de vos régions.",
        "الإقليم {value} خارج جهاتك.",
        "province {value} is outside your regions"),
    "membership.not_in_cooperative": _t(
        "L'adhésion n° {id} n'appartient pas à cette coopérative.",
        "العضوية رقم {id} لا تخص هذه التعاونية.",
        "membership #{id} is not in this cooperative"),
    # -- empower/states.py -----------------------------------------------------------------------
    "transition.refused": _t(
        "{what:label} {ref} : {action:label} impossible, la fiche est {state:label} ; "
        "seules possibilités : {allowed:label}.",
        "{what:label} {ref}: إجراء «{action:label}» غير ممكن في الوضعية الحالية ({state:label})؛ "
        "الممكن فقط: {allowed:label}.",
        "{what:label} {ref}: cannot {action:label} a {state:label} record; "
        "from {state:label} it can only {allowed:label}"),
    "transition.final": _t(
        "{what:label} {ref} : {action:label} impossible, la fiche est {state:label} ; "
        "cet état est définitif.",
        "{what:label} {ref}: إجراء «{action:label}» غير ممكن في الوضعية الحالية ({state:label})؛ "
        "هذه الوضعية نهائية.",
        "{what:label} {ref}: cannot {action:label} a {state:label} record; "
        "{state:label} is final"),
    # -- empower/services/_common.py ---------------------------------------------------------------
    "record.not_found": _t(
        "Fiche {what:label} n° {id} introuvable (ou hors de vos régions).",
        "السجل ({what:label}) رقم {id} غير موجود (أو خارج جهاتك).",
        "{what:label} #{id} does not exist"),
    "province.unknown": _t(
        "« {value} » n'est pas un code de province du HCP (par exemple 04.441).",
        "«{value}» ليس رمز إقليم معتمدا من المندوبية السامية للتخطيط (مثلا 04.441).",
        "'{value}' is not an HCP province code (e.g. 04.441)"),
    "region.unknown": _t(
        "« {value} » n'est pas un code de région du HCP (01 à 12).",
        "«{value}» ليس رمز جهة معتمدا من المندوبية السامية للتخطيط (من 01 إلى 12).",
        "'{value}' is not an HCP region code (01 to 12)"),
    "beneficiary.erased": _t(
        "Les données de la bénéficiaire n° {id} ont été effacées le {erased_on}.",
        "تم محو بيانات المستفيدة رقم {id} بتاريخ {erased_on}.",
        "beneficiary #{id} was erased on {erased_on}"),
    "beneficiary.archived": _t(
        "La bénéficiaire n° {id} est archivée depuis le {archived_on}.",
        "المستفيدة رقم {id} مؤرشفة منذ {archived_on}.",
        "beneficiary #{id} is archived since {archived_on}"),
    "program.unknown": _t(
        "Le programme « {code} » n'existe pas.",
        "البرنامج «{code}» غير موجود.",
        "program '{code}' does not exist"),
    "beneficiary.unknown_cin": _t(
        "Aucune bénéficiaire n'a la CIN {cin}.",
        "لا توجد مستفيدة برقم البطاقة {cin}.",
        "no beneficiary has CIN {cin}"),
    # -- empower/services/beneficiaries.py -------------------------------------------------------
    "beneficiary.name_required": _t(
        "Un prénom ou un nom est obligatoire, en caractères latins ou arabes.",
        "الاسم الشخصي أو العائلي إجباري، بالحروف اللاتينية أو العربية.",
        "a first or last name is required, in Latin or Arabic script"),
    "beneficiary.consent_after_registration": _t(
        "Le consentement ({consent_date}) doit précéder l'enregistrement ({registered_on}).",
        "يجب أن تسبق الموافقة ({consent_date}) تاريخ التسجيل ({registered_on}).",
        "consent dated {consent_date} comes after registration on {registered_on}; "
        "consent is recorded first"),
    "cin.twice_in_batch": _t(
        "La CIN {cin} figure deux fois dans ce lot (d'abord à l'élément {first}).",
        "رقم البطاقة {cin} مكرر في هذه الدفعة (أول مرة في العنصر {first}).",
        "{cin} appears twice in this batch (first at item {first})"),
    "cin.taken": _t(
        "La CIN {cin} est déjà enregistrée (bénéficiaire n° {existing_id}).",
        "رقم البطاقة {cin} مسجل مسبقا (المستفيدة رقم {existing_id}).",
        "{cin} is already registered (beneficiary #{existing_id})"),
    "beneficiary.erased_closed": _t(
        "Les données de la bénéficiaire n° {id} ont été effacées ; sa fiche est close.",
        "تم محو بيانات المستفيدة رقم {id}؛ ملفها مغلق.",
        "beneficiary #{id} was erased; her record is closed"),
    "beneficiary.already_archived": _t(
        "La bénéficiaire n° {id} est déjà archivée depuis le {archived_on}.",
        "المستفيدة رقم {id} مؤرشفة مسبقا منذ {archived_on}.",
        "beneficiary #{id} is already archived since {archived_on}"),
    "beneficiary.archived_before_registration": _t(
        "L'archivage du {archived_on} précède son enregistrement du {registered_on}.",
        "تاريخ الأرشفة {archived_on} يسبق تاريخ تسجيلها {registered_on}.",
        "{archived_on} is before her registration on {registered_on}"),
    "beneficiary.erased_not_restorable": _t(
        "Les données de la bénéficiaire n° {id} ont été effacées ; sa fiche ne peut pas être "
        "restaurée.",
        "تم محو بيانات المستفيدة رقم {id}؛ لا يمكن استرجاع ملفها.",
        "beneficiary #{id} was erased and cannot be restored"),
    "beneficiary.merged_not_restorable": _t(
        "La fiche n° {id} a été fusionnée avec la bénéficiaire n° {kept} comme doublon ; elle ne "
        "peut pas être restaurée (son historique est sur la fiche conservée).",
        "السجل رقم {id} دمج مع المستفيدة رقم {kept} كتكرار؛ لا يمكن استرجاعه (تاريخه في السجل "
        "المحتفظ به).",
        "beneficiary #{id} was merged into beneficiary #{kept} as a duplicate and cannot be "
        "restored"),
    "beneficiary.not_archived": _t(
        "La bénéficiaire n° {id} n'est pas archivée.",
        "المستفيدة رقم {id} غير مؤرشفة.",
        "beneficiary #{id} is not archived"),
    "beneficiary.already_erased": _t(
        "Les données de la bénéficiaire n° {id} ont déjà été effacées le {erased_on}.",
        "تم محو بيانات المستفيدة رقم {id} مسبقا بتاريخ {erased_on}.",
        "beneficiary #{id} was already erased on {erased_on}"),
    # -- empower/services/cooperatives.py --------------------------------------------------------
    "cooperative.name_required": _t(
        "Un nom est obligatoire, en caractères latins ou arabes.",
        "الاسم إجباري، بالحروف اللاتينية أو العربية.",
        "a name is required, in Latin or Arabic script"),
    "cooperative.reference_taken": _t(
        "La coopérative « {reference} » existe déjà (coopérative n° {existing_id}).",
        "التعاونية «{reference}» موجودة مسبقا (التعاونية رقم {existing_id}).",
        "cooperative '{reference}' already exists (cooperative #{existing_id})"),
    "cooperative.sector_required": _t(
        "Un secteur est obligatoire.",
        "القطاع إجباري.",
        "a sector is required"),
    "cooperative.founded_on_required": _t(
        "Une date de création est obligatoire.",
        "تاريخ التأسيس إجباري.",
        "a founding date is required"),
    "cooperative.already_dissolved": _t(
        "La coopérative n° {id} a déjà été dissoute le {dissolved_on}.",
        "تم حل التعاونية رقم {id} مسبقا بتاريخ {dissolved_on}.",
        "cooperative #{id} was already dissolved on {dissolved_on}"),
    "cooperative.dissolved_before_founded": _t(
        "La dissolution du {dissolved_on} précède sa création du {founded_on}.",
        "تاريخ الحل {dissolved_on} يسبق تاريخ تأسيسها {founded_on}.",
        "{dissolved_on} is before its founding on {founded_on}"),
    "cooperative.not_active_founded": _t(
        "La coopérative {reference} n'est pas active le {on} (créée le {founded_on}).",
        "التعاونية {reference} غير نشيطة بتاريخ {on} (تأسست بتاريخ {founded_on}).",
        "cooperative {reference} is not active on {on} (founded {founded_on})"),
    "cooperative.not_active_dissolved": _t(
        "La coopérative {reference} n'est pas active le {on} (créée le {founded_on}, dissoute "
        "le {dissolved_on}).",
        "التعاونية {reference} غير نشيطة بتاريخ {on} (تأسست بتاريخ {founded_on} وحلت بتاريخ "
        "{dissolved_on}).",
        "cooperative {reference} is not active on {on} (founded {founded_on}, dissolved "
        "{dissolved_on})"),
    "membership.exists": _t(
        "La bénéficiaire n° {id} est déjà membre de {reference} (adhésion n° {existing_id}).",
        "المستفيدة رقم {id} عضوة مسبقا في {reference} (العضوية رقم {existing_id}).",
        "beneficiary #{id} is already a member of {reference} (membership #{existing_id})"),
    "membership.already_ended": _t(
        "L'adhésion n° {id} a déjà pris fin le {left_on}.",
        "انتهت العضوية رقم {id} مسبقا بتاريخ {left_on}.",
        "membership #{id} already ended on {left_on}"),
    # -- empower/services/programs.py, corrections.py --------------------------------------------
    "program.end_before_start": _t(
        "La date de fin {end_date} précède la date de début {start_date}.",
        "تاريخ النهاية {end_date} يسبق تاريخ البداية {start_date}.",
        "{end_date} is before the start date {start_date}"),
    "program.code_taken": _t(
        "Le programme « {code} » existe déjà (programme n° {existing_id}).",
        "البرنامج «{code}» موجود مسبقا (البرنامج رقم {existing_id}).",
        "program '{code}' already exists (program #{existing_id})"),
    "program.cap_above_budget": _t(
        "Le plafond de {grant_cap} MAD dépasse le budget de {budget} MAD.",
        "السقف {grant_cap} درهم يتجاوز الميزانية {budget} درهم.",
        "{grant_cap} MAD is above the budget {budget} MAD"),
    "program.budget_below_committed": _t(
        "Le budget de {budget} MAD est inférieur aux {committed} MAD déjà engagés en subventions.",
        "الميزانية {budget} درهم أقل من {committed} درهم الملتزم بها في المنح.",
        "{budget} MAD is below the {committed} MAD already committed to grants"),
    "program.not_running": _t(
        "Le programme {program} n'est pas en cours le {on}.",
        "البرنامج {program} غير جار بتاريخ {on}.",
        "program {program} is not running on {on}"),
    "program.outside_dates": _t(
        "Le programme {program} se déroule du {start_date} au {end_date} ; le {on} est en dehors.",
        "البرنامج {program} يمتد من {start_date} إلى {end_date}؛ تاريخ {on} خارج هذه المدة.",
        "program {program} runs {start_date} to {end_date}; {on} is outside it"),
    "program.before_start": _t(
        "Le programme {program} commence le {start_date} ; le {on} est avant son début.",
        "يبدأ البرنامج {program} بتاريخ {start_date}؛ تاريخ {on} يسبق بدايته.",
        "program {program} starts on {start_date}; {on} is before it"),
    "partner.name_taken": _t(
        "Le partenaire « {name} » existe déjà (partenaire n° {existing_id}).",
        "الشريك «{name}» موجود مسبقا (الشريك رقم {existing_id}).",
        "partner '{name}' already exists (partner #{existing_id})"),
    "agreement.ends_before_signed": _t(
        "La convention se termine avant sa signature.",
        "تنتهي الاتفاقية قبل توقيعها.",
        "the agreement ends before it is signed"),
    # -- empower/services/enrollments.py ---------------------------------------------------------
    "enrolment.exists": _t(
        "La bénéficiaire n° {id} a déjà une inscription au programme {program} "
        "(inscription n° {existing_id}).",
        "المستفيدة رقم {id} لها تسجيل مسبق في البرنامج {program} (التسجيل رقم {existing_id}).",
        "beneficiary #{id} already has an enrolment in {program} (enrolment #{existing_id})"),
    "enrolment.enrolled_before_application": _t(
        "L'inscription du {enrolled_on} précède sa candidature du {applied_on}.",
        "تاريخ التسجيل {enrolled_on} يسبق تاريخ ترشحها {applied_on}.",
        "{enrolled_on} is before her application on {applied_on}"),
    "enrolment.rejected_before_application": _t(
        "Le rejet du {rejected_on} précède la candidature.",
        "تاريخ الرفض {rejected_on} يسبق تاريخ الترشح.",
        "{rejected_on} is before the application"),
    "enrolment.exited_before_enrolled": _t(
        "La sortie du {exited_on} précède son inscription du {enrolled_on}.",
        "تاريخ الخروج {exited_on} يسبق تاريخ تسجيلها {enrolled_on}.",
        "{exited_on} is before she was enrolled on {enrolled_on}"),
    # -- empower/services/surveys.py -------------------------------------------------------------
    "survey.beneficiary_erased": _t(
        "Les données de la bénéficiaire n° {id} ont été effacées.",
        "تم محو بيانات المستفيدة رقم {id}.",
        "beneficiary #{id} was erased"),
    "survey.not_enrolled": _t(
        "La bénéficiaire n° {id} n'a pas d'inscription au programme {program}.",
        "المستفيدة رقم {id} غير مسجلة في البرنامج {program}.",
        "beneficiary #{id} has no enrolment in program {program}"),
    "survey.round_exists": _t(
        "La bénéficiaire n° {id} a déjà une enquête {round:label} au programme {program} "
        "(enquête n° {existing_id}).",
        "للمستفيدة رقم {id} استمارة {round:label} مسبقة في البرنامج {program} "
        "(الاستمارة رقم {existing_id}).",
        "beneficiary #{id} already has a {round:label} survey in {program} "
        "(survey #{existing_id})"),
    "survey.before_baseline": _t(
        "L'enquête du {surveyed_on} précède son enquête de base du {baseline_on}.",
        "تاريخ الاستمارة {surveyed_on} يسبق استمارتها الأساسية بتاريخ {baseline_on}.",
        "{surveyed_on} is before her baseline on {baseline_on}"),
    "survey.key_fixed": _t(
        "La bénéficiaire, le programme et la vague d'une enquête ne peuvent pas être modifiés.",
        "لا يمكن تغيير المستفيدة والبرنامج والجولة في استمارة.",
        "a survey's woman, program and round cannot be changed"),
    # -- empower/services/grants.py --------------------------------------------------------------
    "grant.one_recipient": _t(
        "Une subvention va à une seule bénéficiaire ou à une seule coopérative.",
        "تمنح المنحة لمستفيدة واحدة أو لتعاونية واحدة فقط.",
        "a grant goes to exactly one beneficiary or one cooperative"),
    "grant.reference_taken": _t(
        "La subvention « {reference} » existe déjà (subvention n° {existing_id}).",
        "المنحة «{reference}» موجودة مسبقا (المنحة رقم {existing_id}).",
        "grant '{reference}' already exists (grant #{existing_id})"),
    "grant.not_enrolled": _t(
        "La bénéficiaire n° {id} n'est pas inscrite au programme {program} le {on}.",
        "المستفيدة رقم {id} غير مسجلة في البرنامج {program} بتاريخ {on}.",
        "beneficiary #{id} is not enrolled in program {program} on {on}"),
    "grant.approved_before_submitted": _t(
        "L'approbation du {approved_on} précède le dépôt de la demande du {submitted_on}.",
        "تاريخ الموافقة {approved_on} يسبق تاريخ إيداع الطلب {submitted_on}.",
        "{approved_on} is before the request was submitted on {submitted_on}"),
    "grant.approved_zero": _t(
        "Le montant approuvé doit être supérieur à zéro.",
        "يجب أن يكون المبلغ الموافق عليه أكبر من صفر.",
        "an approved amount must be above zero"),
    "grant.above_requested": _t(
        "{amount} MAD dépasse le montant demandé ({requested} MAD).",
        "{amount} درهم يتجاوز المبلغ المطلوب ({requested} درهم).",
        "{amount} MAD is above the {requested} MAD requested"),
    "grant.above_cap": _t(
        "{amount} MAD dépasse le plafond du programme {program} ({cap} MAD par subvention).",
        "{amount} درهم يتجاوز سقف البرنامج {program} ({cap} درهم لكل منحة).",
        "{amount} MAD is above program {program}'s cap of {cap} MAD per grant"),
    "grant.above_budget_left": _t(
        "{amount} MAD dépasse le reste du budget du programme {program} ({left} MAD).",
        "{amount} درهم يتجاوز ما تبقى من ميزانية البرنامج {program} ({left} درهم).",
        "{amount} MAD is above what is left of program {program}'s budget ({left} MAD)"),
    "grant.rejected_before_submitted": _t(
        "Le rejet du {rejected_on} précède le dépôt de la demande du {submitted_on}.",
        "تاريخ الرفض {rejected_on} يسبق تاريخ إيداع الطلب {submitted_on}.",
        "{rejected_on} is before the request submitted on {submitted_on}"),
    "grant.ended_before_approved": _t(
        "La date du {on} précède l'approbation du {approved_on}.",
        "تاريخ {on} يسبق تاريخ الموافقة {approved_on}.",
        "{on} is before the approval on {approved_on}"),
    "grant.changed_meanwhile": _t(
        "La subvention {reference} a été modifiée entre-temps par quelqu'un d'autre ; "
        "rechargez la page.",
        "تم تعديل المنحة {reference} في هذه الأثناء من طرف شخص آخر؛ أعيدي تحميل الصفحة.",
        "grant {reference} was changed by someone else meanwhile"),
    "tranche.zero": _t(
        "Une tranche doit être supérieure à zéro.",
        "يجب أن تكون الدفعة أكبر من صفر.",
        "a tranche must be above zero"),
    "tranche.grant_not_approved": _t(
        "La subvention {reference} est {status:label} ; les tranches ne sont payées que sur "
        "des subventions approuvées.",
        "المنحة {reference} في وضعية {status:label}؛ لا تؤدى الدفعات إلا للمنح الموافق عليها.",
        "grant {reference} is {status:label}; tranches are paid only on approved grants"),
    "tranche.before_approval": _t(
        "Le paiement du {paid_on} précède l'approbation de la subvention du {approved_on}.",
        "تاريخ الأداء {paid_on} يسبق تاريخ الموافقة على المنحة {approved_on}.",
        "{paid_on} is before the grant was approved on {approved_on}"),
    "tranche.reference_taken": _t(
        "La tranche « {reference} » existe déjà (tranche n° {existing_id}).",
        "الدفعة «{reference}» موجودة مسبقا (الدفعة رقم {existing_id}).",
        "tranche '{reference}' already exists (disbursement #{existing_id})"),
    "tranche.above_approved": _t(
        "{amount} MAD dépasserait le montant approuvé de la subvention {reference} "
        "({approved} MAD ; reste à payer {left} MAD).",
        "{amount} درهم يتجاوز المبلغ الموافق عليه للمنحة {reference} "
        "({approved} درهم؛ الباقي للأداء {left} درهم).",
        "{amount} MAD would take grant {reference} above its approved {approved} MAD "
        "({left} MAD left to pay)"),
    "tranche.late_above_budget": _t(
        "{amount} MAD payés avant l'annulation de la subvention {reference} ne tiennent plus "
        "dans le budget du programme {program}.",
        "{amount} درهم المؤداة قبل إلغاء المنحة {reference} لم تعد تدخل في ميزانية البرنامج "
        "{program}.",
        "{amount} MAD paid before grant {reference} was cancelled no longer fits program "
        "{program}'s budget"),
    # -- empower/services/corrections.py ---------------------------------------------------------
    "enrolment.no_such_step": _t(
        "L'inscription n° {id} est {status:label} : elle n'a pas de {name:label} à corriger.",
        "التسجيل رقم {id} في وضعية {status:label}: لا يوجد {name:label} لتصحيحه.",
        "enrolment #{id} is {status:label}; it has no {name:label} to correct"),
    "grant.no_such_step": _t(
        "La subvention {reference} est {status:label} : elle n'a pas de {name:label} à corriger.",
        "المنحة {reference} في وضعية {status:label}: لا يوجد {name:label} لتصحيحه.",
        "grant {reference} is {status:label}; it has no {name:label} to correct"),
    "grant.dates_out_of_order": _t(
        "La {later:label} ({later_date}) précède la {earlier:label} ({earlier_date}).",
        "{later:label} ({later_date}) يسبق {earlier:label} ({earlier_date}).",
        "{later:label} {later_date} is before the {earlier:label} {earlier_date}"),
    "grant.approved_after_tranche": _t(
        "Une tranche a été payée le {paid_on}, avant le {on}.",
        "تم أداء دفعة بتاريخ {paid_on}، قبل {on}.",
        "a tranche was paid on {paid_on}, before {on}"),
    "membership.not_ended": _t(
        "L'adhésion n° {id} n'est pas terminée ; enregistrez plutôt son départ.",
        "العضوية رقم {id} لم تنته بعد؛ سجلي مغادرتها بدلا من ذلك.",
        "membership #{id} has not ended; record her leaving instead"),
    "membership.left_before_joined": _t(
        "Le départ du {left_on} précède son adhésion du {joined_on}.",
        "تاريخ المغادرة {left_on} يسبق تاريخ انضمامها {joined_on}.",
        "{left_on} is before she joined on {joined_on}"),
    "cooperative.not_active": _t(
        "La coopérative {reference} n'est pas active le {on}.",
        "التعاونية {reference} غير نشيطة بتاريخ {on}.",
        "cooperative {reference} is not active on {on}"),
    # -- empower/services/duplicates.py ----------------------------------------------------------
    "duplicate.bad_resolution": _t(
        "« {value} » n'est ni « merge » (fusionner) ni « dismiss » (écarter).",
        "«{value}» ليس merge (دمج) ولا dismiss (رفض).",
        "'{value}' is not merge or dismiss"),
    "duplicate.already_resolved": _t(
        "Le doublon potentiel n° {id} est déjà {status:label}.",
        "التكرار المحتمل رقم {id} تمت معالجته مسبقا ({status:label}).",
        "duplicate candidate #{id} is already {status:label}"),
    "duplicate.archived": _t(
        "Fusion impossible : l'une des deux fiches est déjà archivée.",
        "الدمج غير ممكن: أحد السجلين مؤرشف مسبقا.",
        "one of the two records is already archived"),
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
    "import.list_invalid": _t(
        "« {value} » n'est pas une liste (valeurs séparées par /, par exemple 40/40/20).",
        "«{value}» ليس لائحة (قيم مفصولة بـ /، مثلا 40/40/20).",
        "'{value}' is not a list (values separated by /, e.g. 40/40/20)"),
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
    # -- empower/io: officers writing while an import runs -------------------------------------
    "import.cin_registered_meanwhile": _t(
        "La CIN {cin} a été enregistrée par quelqu'un d'autre pendant cet import.",
        "رقم البطاقة {cin} سجله شخص آخر أثناء هذا الاستيراد.",
        "{cin} was registered by someone else while this file was being imported"),
    "import.cin_race_unsettled": _t(
        "D'autres personnes enregistrent sans cesse des CIN de ce fichier ; relancez l'import.",
        "أشخاص آخرون يسجلون باستمرار أرقام بطاقات من هذا الملف؛ أعيدي الاستيراد.",
        "other writers keep registering this file's CINs; import it again"),
    # -- issue 10, files and values (helper files): bombs, dates, echoes ------------------------
    "file.xlsx_too_many_members": _t(
        "{name} : le classeur contient {count:count} parties (au plus {max:count}).",
        "{name}: المصنف يحتوي على {count:count} جزءا (على الأكثر {max:count}).",
        "{name}: the workbook holds {count:count} parts (at most {max:count})"),
    "file.xlsx_too_large": _t(
        "{name} : la partie {part} du classeur dépasse {max:count} Mo une fois décompressée ; "
        "ce n'est pas un tableau d'enregistrements.",
        "{name}: الجزء {part} من المصنف يتجاوز {max:count} ميغابايت بعد فك الضغط؛ هذا ليس جدول "
        "سجلات.",
        "{name}: the workbook's part {part} inflates to more than {max:count} MB; this is not "
        "a table of records"),
    "file.xlsx_ratio": _t(
        "{name} : la partie {part} du classeur se décompresse plus de {max} fois ; c'est une "
        "bombe de compression, pas un tableau d'enregistrements.",
        "{name}: الجزء {part} من المصنف يتضخم أكثر من {max} مرة عند فك الضغط؛ هذه قنبلة ضغط "
        "وليست جدول سجلات.",
        "{name}: the workbook's part {part} inflates more than {max} times; this is a "
        "compressed bomb, not a table of records"),
    "file.cell_too_long": _t(
        "{name} : la ligne {line} contient une cellule de plus de {max:count} caractères ; "
        "ce n'est pas un tableau d'enregistrements.",
        "{name}: الصف {line} يحتوي على خلية تتجاوز {max:count} حرف؛ هذا ليس جدول سجلات.",
        "{name}: row {line} holds a cell longer than {max:count} characters; this is not a "
        "table of records"),
    # -- empower/services/beneficiaries.py: archive periods ---------------------------------
    "beneficiary.archived_before_restore": _t(
        "Date d'archivage : le {archived_on} est avant sa dernière restauration, le "
        "{restored_on} (les périodes d'archivage ne se chevauchent pas).",
        "تاريخ الأرشفة: {archived_on} يسبق آخر استرجاع لها في {restored_on} (فترات الأرشفة لا "
        "تتداخل).",
        "archived_on: {archived_on} is before her last restore on {restored_on} (archive "
        "periods do not overlap)"),
    "beneficiary.restored_before_archive": _t(
        "Date de restauration : le {restored_on} est avant son archivage, le {archived_on}.",
        "تاريخ الاسترجاع: {restored_on} يسبق أرشفتها في {archived_on}.",
        "restored_on: {restored_on} is before her archive on {archived_on}"),
    # -- empower/services/activities.py: trainings, sessions, attendance, visits ------------
    "activity.code_taken": _t(
        "L'activité « {value} » existe déjà (activité n° {existing_id}).",
        "النشاط «{value}» موجود مسبقا (النشاط رقم {existing_id}).",
        "activity '{value}' already exists (activity #{existing_id})"),
    "activity.ends_before_start": _t(
        "Date de fin : le {ends_on} est avant le début de l'activité, le {starts_on}.",
        "تاريخ النهاية: {ends_on} يسبق بداية النشاط في {starts_on}.",
        "ends_on: {ends_on} is before the activity starts on {starts_on}"),
    "session.reference_taken": _t(
        "La séance « {value} » existe déjà (séance n° {existing_id}).",
        "الحصة «{value}» موجودة مسبقا (الحصة رقم {existing_id}).",
        "session '{value}' already exists (session #{existing_id})"),
    "session.outside_activity": _t(
        "L'activité {activity} se déroule du {starts_on} au {ends_on} ; le {on} est en dehors.",
        "النشاط {activity} يمتد من {starts_on} إلى {ends_on}؛ تاريخ {on} خارج هذه المدة.",
        "activity {activity} runs {starts_on} to {ends_on}; {on} is outside it"),
    "session.not_held": _t(
        "La séance {reference} n'a pas encore eu lieu (statut : {status}) ; la présence se "
        "saisit pour les séances tenues.",
        "الحصة {reference} لم تنعقد بعد (الحالة: {status})؛ يسجل الحضور للحصص المنعقدة فقط.",
        "session {reference} is {status}; attendance is recorded only for held sessions"),
    "session.cancelled": _t(
        "La séance {reference} est annulée : aucune présence ne peut y être saisie.",
        "الحصة {reference} ملغاة؛ لا يمكن تسجيل الحضور فيها.",
        "session {reference} is cancelled; it takes no attendance"),
    "attendance.twice": _t(
        "La bénéficiaire n° {id} figure deux fois dans la liste de présence de la séance "
        "{reference}.",
        "المستفيدة رقم {id} مذكورة مرتين في لائحة حضور الحصة {reference}.",
        "beneficiary #{id} is twice in the roster of session {reference}"),
    "attendance.not_enrolled": _t(
        "La bénéficiaire n° {id} n'était pas inscrite au programme {program} le {on} (séance "
        "{reference}).",
        "المستفيدة رقم {id} لم تكن مسجلة في البرنامج {program} بتاريخ {on} (الحصة {reference}).",
        "beneficiary #{id} is not enrolled in program {program} on {on} (session {reference})"),
    "visit.one_recipient": _t(
        "Une visite concerne exactement une bénéficiaire ou une coopérative.",
        "تخص الزيارة مستفيدة واحدة أو تعاونية واحدة بالضبط.",
        "a visit is to exactly one beneficiary or one cooperative"),
    "visit.next_before_visit": _t(
        "Prochaine visite : le {next_visit_due} est avant cette visite, le {on}.",
        "الزيارة المقبلة: {next_visit_due} يسبق هذه الزيارة في {on}.",
        "next_visit_due: {next_visit_due} is before the visit on {on}"),
    "visit.reference_taken": _t(
        "La visite « {value} » existe déjà (visite n° {existing_id}).",
        "الزيارة «{value}» موجودة مسبقا (الزيارة رقم {existing_id}).",
        "visit '{value}' already exists (visit #{existing_id})"),
    "training.no_roster": _t(
        "La bénéficiaire n° {id} ne figure sur la liste d'aucune formation du programme "
        "{program} au {on} ; le programme exige {min} des séances.",
        "المستفيدة رقم {id} غير مدرجة في لائحة أي تكوين للبرنامج {program} بتاريخ {on}؛ "
        "يشترط البرنامج حضور {min} من الحصص.",
        "beneficiary #{id} is on the roster of no training activity of program {program} by "
        "{on}; the program asks for {min} of the sessions"),
    "training.not_completed": _t(
        "La bénéficiaire n° {id} a assisté à {present} séances sur {planned} de {activity} au "
        "{on} : {share} < {min}.",
        "المستفيدة رقم {id} حضرت {present} حصة من أصل {planned} من {activity} بتاريخ {on}: "
        "{share} < {min}.",
        "beneficiary #{id} attended {present} of {planned} sessions of {activity} by {on}, "
        "{share} < {min}"),
    # -- issue 10, the panel (helper foureyes): four eyes on money, scope of writes -------------
    "grant.four_eyes_approve": _t(
        "Subvention {reference} : vous avez déposé cette demande ; une autre personne doit "
        "l'approuver (contrôle à quatre yeux).",
        "المنحة {reference}: أنت من أودعت هذا الطلب؛ يجب أن يوافق عليه شخص آخر (مراقبة بأربع "
        "أعين).",
        "grant {reference}: you submitted this request; someone else must approve it "
        "(four eyes on money)"),
    "grant.four_eyes_disburse": _t(
        "Subvention {reference} : vous avez approuvé cette subvention ; une autre personne doit "
        "en payer les tranches (contrôle à quatre yeux).",
        "المنحة {reference}: أنت من وافقت على هذه المنحة؛ يجب أن يؤدي دفعاتها شخص آخر (مراقبة "
        "بأربع أعين).",
        "grant {reference}: you approved this grant; someone else must pay its tranches "
        "(four eyes on money)"),
    "partner.province_required": _t(
        "Indiquez la province du partenaire, dans vos régions ; un partenaire national est "
        "enregistré par un administrateur.",
        "حددي إقليم الشريك ضمن جهاتك؛ الشريك الوطني يسجله مدير.",
        "give the partner's province, in your regions; a national partner is recorded by an "
        "administrator"),
    "agreement.national_program": _t(
        "Le programme {program} est national : ses conventions sont signées et modifiées par "
        "un administrateur.",
        "البرنامج {program} وطني: اتفاقياته يوقعها ويعدلها مدير.",
        "program {program} is national: its agreements are signed and changed by an "
        "administrator"),
    # --- hostile input: dates ---------------------------------------------------------------
    "date.in_future": _t(
        "Le {value} est postérieur au {latest} : une date ne peut dépasser aujourd'hui que de "
        "{margin} jour(s).",
        "{value} بعد {latest}: لا يمكن أن يتجاوز التاريخ اليوم بأكثر من {margin} يوم.",
        "{value} is after {latest}; a date is at most {margin} day(s) after today"),
    "birth_date.before_earliest": _t(
        "Née le {value} : une date de naissance antérieure au {earliest} n'est pas plausible.",
        "تاريخ الازدياد {value} يسبق {earliest}: هذا تاريخ ازدياد غير معقول.",
        "{value} is before {earliest}; that is not a plausible birth date"),
    "consent_date.before_birth": _t(
        "Le consentement daté du {value} précède sa naissance, le {birth_date}.",
        "الموافقة المؤرخة في {value} تسبق ازديادها في {birth_date}.",
        "{value} is before her birth on {birth_date}"),
    "cooperative.founded_before_earliest": _t(
        "Créée le {value} : une date de création antérieure au {earliest} n'est pas plausible.",
        "تاريخ التأسيس {value} يسبق {earliest}: هذا تاريخ تأسيس غير معقول.",
        "{value} is before {earliest}; that is not a plausible founding date"),
    "program.start_before_earliest": _t(
        "Début le {value} : une date de début antérieure au {earliest} n'est pas plausible.",
        "تاريخ البداية {value} يسبق {earliest}: هذا تاريخ بداية غير معقول.",
        "{value} is before {earliest}; that is not a plausible start date"),
    "date.before_registration": _t(
        "Le {value} précède son enregistrement, le {registered_on}.",
        "{value} يسبق تسجيلها في {registered_on}.",
        "{value} is before her registration on {registered_on}"),
    "date.before_program_start": _t(
        "Le {value} précède le début du programme {program}, le {start_date}.",
        "{value} يسبق بداية البرنامج {program} في {start_date}.",
        "{value} is before program {program} starts on {start_date}"),
    "date.before_founding": _t(
        "Le {value} précède la création de la coopérative {reference}, le {founded_on}.",
        "{value} يسبق تأسيس التعاونية {reference} في {founded_on}.",
        "{value} is before cooperative {reference} was founded on {founded_on}"),
    "beneficiary.registered_after_acts": _t(
        "Un enregistrement au {value} serait postérieur à un acte qui en dépend : "
        "{act:label} du {act_on}.",
        "تسجيل في {value} سيأتي بعد إجراء يعتمد عليه: {act:label} بتاريخ {act_on}.",
        "registration on {value} would come after the {act:label} dated {act_on}, which "
        "depends on it"),
    "program.start_after_acts": _t(
        "Un début au {value} serait postérieur à un acte qui en dépend : {act:label} du "
        "{act_on}.",
        "بداية في {value} ستأتي بعد إجراء يعتمد عليها: {act:label} بتاريخ {act_on}.",
        "a start on {value} would come after the {act:label} dated {act_on}, which depends "
        "on it"),
    "cooperative.founded_after_acts": _t(
        "Une création au {value} serait postérieure à un acte qui en dépend : {act:label} du "
        "{act_on}.",
        "تأسيس في {value} سيأتي بعد إجراء يعتمد عليه: {act:label} بتاريخ {act_on}.",
        "a founding on {value} would come after the {act:label} dated {act_on}, which "
        "depends on it"),
    "grant.requested_zero": _t(
        "Le montant demandé doit être supérieur à zéro.",
        "يجب أن يكون المبلغ المطلوب أكبر من صفر.",
        "the amount requested must be above zero"),
    "import.date_number_text": _t(
        "« {value} » est un nombre écrit en texte, pas une date (écrire AAAA-MM-JJ ou "
        "jj/mm/aaaa ; un numéro de série Excel n'est lu que dans une cellule numérique d'un "
        "fichier .xlsx).",
        "«{value}» عدد مكتوب كنص وليس تاريخا (اكتب YYYY-MM-DD أو dd/mm/yyyy؛ الرقم التسلسلي "
        "لإكسل لا يُقرأ إلا من خلية رقمية في ملف .xlsx).",
        "'{value}' is a number written as text, not a date (use YYYY-MM-DD or dd/mm/yyyy; "
        "Excel serial numbers are read only from number cells of an .xlsx file)"),
    "import.datetime_invalid": _t(
        "« {value} » : la partie heure n'est pas une heure valide.",
        "«{value}»: جزء الساعة ليس ساعة صحيحة.",
        "'{value}' has a time part that is not a valid time"),
    "import.date_has_time": _t(
        "« {value} » porte une heure ; cette colonne attend une date seule (AAAA-MM-JJ).",
        "«{value}» يحمل ساعة؛ هذا العمود ينتظر تاريخا فقط (YYYY-MM-DD).",
        "'{value}' carries a time of day; this column takes a date only (YYYY-MM-DD)"),


    # --- hostile input: panel ---
    "panel.value_in_use": _t(
        "Cette valeur est déjà utilisée.",
        "هذه القيمة مستعملة مسبقا.",
        "this value is already in use"),
    # --- hostile input: text is text, echoes are short (empower/text.py, empower/rules.py) ---
    "text.shortened": _t(
        "{head}… ({length:count} caractères)",
        "{head}… ({length:count} حرفا)",
        "{head}… ({length:count} characters)"),
    "text.control_character": _t(
        "« {value} » contient un caractère de contrôle ({char}), qui n'est pas du texte.",
        "«{value}» يحتوي على حرف تحكم ({char})، وهو ليس نصا.",
        "'{value}' holds a control character ({char}), which is not text"),
    "text.lone_surrogate": _t(
        "« {value} » contient un caractère cassé ({char}, une moitié de paire UTF-16 : le "
        "texte a été abîmé en chemin).",
        "«{value}» يحتوي على حرف تالف ({char}، نصف زوج UTF-16: تضرر النص في الطريق).",
        "'{value}' holds a broken character ({char}, half of a UTF-16 pair: the text was "
        "damaged on its way)"),
    "text.too_many_marks": _t(
        "« {value} » porte plus de {max} accents ou signes sur une même lettre.",
        "«{value}» يحمل أكثر من {max} علامات أو حركات على حرف واحد.",
        "'{value}' has more than {max} accents or marks on one letter"),
    "phone.two_numbers": _t(
        "« {value} » contient plus d'un numéro ; indiquez un seul numéro.",
        "«{value}» يحتوي على أكثر من رقم واحد؛ أدخلي رقما واحدا.",
        "'{value}' holds more than one number; give one number"),
    "phone.extension": _t(
        "« {value} » contient un poste ou du texte en plus du numéro ; indiquez le numéro seul.",
        "«{value}» يحتوي على رقم داخلي أو نص إضافي؛ أدخلي الرقم وحده.",
        "'{value}' holds an extension or text besides the number; give the number alone"),
    # --- import of trainings: activities, sessions, attendance, visits (empower/io) ----------
    "import.activity_unknown": _t(
        "L'activité « {reference} » n'existe pas.",
        "النشاط «{reference}» غير موجود.",
        "activity '{reference}' does not exist"),
    "import.session_unknown": _t(
        "La séance « {reference} » n'existe pas.",
        "الحصة «{reference}» غير موجودة.",
        "session '{reference}' does not exist"),
    "import.partner_unknown": _t(
        "Le partenaire « {name} » n'existe pas.",
        "الشريك «{name}» غير موجود.",
        "partner '{name}' does not exist"),
    "import.activity_differs": _t(
        "L'activité {reference} est enregistrée avec une autre valeur de {column} ; un import "
        "ne corrige pas une activité enregistrée.",
        "النشاط {reference} مسجل بقيمة أخرى في {column}؛ الاستيراد لا يصحح نشاطا مسجلا.",
        "activity {reference} is recorded with another {column}; an import does not correct "
        "a recorded activity"),
    "import.session_differs": _t(
        "La séance {reference} est enregistrée avec une autre valeur de {column} ; un import "
        "ne corrige pas une séance enregistrée.",
        "الحصة {reference} مسجلة بقيمة أخرى في {column}؛ الاستيراد لا يصحح حصة مسجلة.",
        "session {reference} is recorded with another {column}; an import does not correct "
        "a recorded session"),
    "import.visit_differs": _t(
        "La visite {reference} est enregistrée avec une autre valeur de {column} ; un import "
        "ne corrige pas une visite enregistrée.",
        "الزيارة {reference} مسجلة بقيمة أخرى في {column}؛ الاستيراد لا يصحح زيارة مسجلة.",
        "visit {reference} is recorded with another {column}; an import does not correct "
        "a recorded visit"),
    # --- issue 10, the panel: authentication (admin/accounts.py) ------------------------------
    "user.last_admin": _t(
        "« {username} » est le dernier compte administrateur actif : le panneau n'en aurait plus "
        "aucun. Nommez ou activez d'abord un autre administrateur.",
        "«{username}» هو آخر حساب مدير نشيط: لن يبقى للوحة أي مدير. عيني أو فعلي مديرا آخر أولا.",
        "'{username}' is the last active admin; make another admin first"),
    # --- issue 11, the panel: trainings pages (admin/resources/activities.py, sessions.py) -----
    "activity.province_required": _t(
        "Indiquez la province de l'activité, dans vos régions ; une activité sans province est "
        "celle du programme partout, et elle est créée par un administrateur.",
        "حددي إقليم النشاط ضمن جهاتك؛ النشاط بدون إقليم يخص البرنامج في كل مكان ويسجله مدير.",
        "give the activity's province, in your regions; an activity without a province is the "
        "program's everywhere and is created by an administrator"),
    # --- issue 12, payment runs (empower/services/payment_runs.py, rules.check_rib) ----------
    "grant.in_flight": _t(
        "{amount} MAD de la subvention {reference} sont dans un lot de paiement ; annulez ce "
        "lot, ou rapprochez-le, d'abord.",
        "{amount} درهم من المنحة {reference} في دفعة أداء؛ ألغي هذه الدفعة أو قومي بمطابقتها أولا.",
        "{amount} MAD of grant {reference} is in a payment batch; cancel that batch, or "
        "reconcile it, first"),
    "beneficiary.erase_in_flight": _t(
        "La bénéficiaire n° {id} figure dans l'ordre de paiement {reference}, pas encore "
        "soldé ; annulez ou rapprochez d'abord son lot.",
        "المستفيدة رقم {id} مدرجة في أمر الأداء {reference} الذي لم يسو بعد؛ ألغي دفعته أو "
        "طابقيها أولا.",
        "beneficiary #{id} is in payment instruction {reference}, not yet settled; cancel or "
        "reconcile its batch first"),
    "rib.invalid": _t(
        "« {value} » n'est pas un RIB (24 chiffres : banque, ville, compte, clé).",
        "«{value}» ليس رقم تعريف بنكي (24 رقما: البنك، المدينة، الحساب، المفتاح).",
        "'{value}' is not a RIB (24 digits: bank, city, account, key)"),
    "rib.bad_key": _t(
        "Le RIB « {value} » a une clé fausse : un chiffre a été mal saisi.",
        "رقم التعريف البنكي «{value}» مفتاحه خاطئ: تم إدخال رقم بشكل غير صحيح.",
        "RIB '{value}' has a wrong key: a digit was mistyped"),
    "tranche.shares_invalid": _t(
        "Tranches « {value} » : au plus 12 parts entre 0 et 100 %, dont la somme fait 100 %.",
        "الأشطر «{value}»: 12 حصة على الأكثر بين 0 و100٪ ومجموعها 100٪.",
        "tranche shares '{value}': at most 12 shares between 0 and 100 %, summing to 100 %"),
    "payment.no_rib": _t(
        "Subvention {reference} : aucun RIB n'est enregistré pour le bénéficiaire ; un virement "
        "en demande un.",
        "المنحة {reference}: لا يوجد رقم تعريف بنكي للمستفيد؛ التحويل يتطلبه.",
        "grant {reference}: no RIB is recorded for the recipient; a transfer needs one"),
    "payment.cash_out_needs_cin": _t(
        "Subvention {reference} : une mise à disposition se retire avec une CIN ; une "
        "coopérative est payée par virement.",
        "المنحة {reference}: السحب النقدي يتم بالبطاقة الوطنية؛ التعاونية تؤدى لها بالتحويل.",
        "grant {reference}: a cash-out is collected with a CIN; a cooperative is paid by "
        "transfer"),
    "payment.no_phone": _t(
        "Subvention {reference} : le paiement mobile demande un numéro de téléphone valide.",
        "المنحة {reference}: الأداء عبر الهاتف يتطلب رقم هاتف صالحا.",
        "grant {reference}: mobile money needs the recipient's valid phone number"),
    "payment.no_visit_since_tranche": _t(
        "Subvention {reference} : aucune visite d'accompagnement depuis la dernière tranche "
        "({since}) au {on}.",
        "المنحة {reference}: لا توجد زيارة مواكبة منذ آخر شطر ({since}) إلى غاية {on}.",
        "grant {reference}: no coaching visit recorded since the last tranche ({since}) by {on}"),
    "payment.planned_too_far": _t(
        "Le {on} est à plus de {days} jours : un lot est prévu pour les semaines qui viennent.",
        "{on} بعد أكثر من {days} يوما: الدفعة تبرمج للأسابيع القادمة.",
        "{on} is more than {days} days ahead"),
    "payment.batch_reference_taken": _t(
        "Le lot « {reference} » existe déjà (n° {existing_id}).",
        "الدفعة «{reference}» موجودة مسبقا (رقم {existing_id}).",
        "batch '{reference}' already exists (#{existing_id})"),
    "payment.already_in_batch": _t(
        "La subvention {reference} est déjà dans le lot ouvert {batch}.",
        "المنحة {reference} مدرجة مسبقا في الدفعة المفتوحة {batch}.",
        "grant {reference} is already in open batch {batch}"),
    "payment.approved_after_batch": _t(
        "La subvention {reference} est approuvée le {approved_on}, après la date du lot ({on}).",
        "المنحة {reference} صودق عليها في {approved_on}، بعد تاريخ الدفعة ({on}).",
        "grant {reference} is approved on {approved_on}, after the batch date ({on})"),
    "payment.changed_meanwhile": _t(
        "{reference} a été modifié entre-temps (payé, ou pris dans un autre lot).",
        "تم تعديل {reference} في هذه الأثناء (أدي أو أدرج في دفعة أخرى).",
        "{reference} changed meanwhile (paid, or put in another batch)"),
    "payment.approver_role": _t(
        "{actor} : un lot de paiement est approuvé par un compte actif de rôle {roles}.",
        "{actor}: دفعة الأداء يصادق عليها حساب نشيط بدور {roles}.",
        "{actor}: a payment batch is approved by an active account with the role {roles}"),
    "payment.four_eyes_batch": _t(
        "Lot {reference} : quatre yeux sur l'argent ; qui l'a préparé ne l'approuve pas.",
        "الدفعة {reference}: مبدأ الأعين الأربع؛ من أعدها لا يصادق عليها.",
        "batch {reference}: four eyes on money; who built it does not approve it"),
    "payment.four_eyes_grant": _t(
        "Lot {reference} : quatre yeux sur l'argent ; vous avez déposé ou approuvé la "
        "subvention {grants} qu'il contient.",
        "الدفعة {reference}: مبدأ الأعين الأربع؛ قدمت أو صادقت على المنحة {grants} المدرجة فيها.",
        "batch {reference}: four eyes on money; you submitted or approved grant {grants} in it"),
    "payment.batch_changed_meanwhile": _t(
        "Le lot {reference} a été modifié entre-temps par quelqu'un d'autre ; rechargez la page.",
        "تم تعديل الدفعة {reference} في هذه الأثناء من طرف شخص آخر؛ أعيدي تحميل الصفحة.",
        "batch {reference}: changed by someone else meanwhile"),
    "payment.sent_before_approved": _t(
        "Le {on} précède l'approbation du lot, le {approved_on}.",
        "{on} يسبق المصادقة على الدفعة في {approved_on}.",
        "{on} is before the batch was approved ({approved_on})"),
    "payment.not_sent": _t(
        "Le lot {reference} est « {status} » : un fichier retour rapproche un lot envoyé.",
        "الدفعة {reference} في حالة «{status}»: ملف الرد يطابق دفعة مرسلة.",
        "batch {reference} is {status}; a return file reconciles a batch that was sent"),
    "payment.return_refused": _t(
        "Fichier retour refusé : {count} ligne(s) ne peuvent pas être appliquées (lignes "
        "{lines}) ; rien n'a été enregistré.",
        "تم رفض ملف الرد: {count} سطر(ا) لا يمكن تطبيقه (الأسطر {lines})؛ لم يسجل أي شيء.",
        "return file refused: {count} line(s) cannot be applied (lines {lines}); nothing was "
        "recorded"),
    "payment.return_unknown_reference": _t(
        "Ligne {line} : la référence {reference} n'est pas une ligne du lot {batch}.",
        "السطر {line}: المرجع {reference} ليس سطرا من الدفعة {batch}.",
        "line {line}: reference {reference} is not a line of batch {batch}"),
    "payment.return_contradicts_line": _t(
        "Ligne {line} : {reference} ne dit pas la même chose que la ligne {other}.",
        "السطر {line}: {reference} لا يطابق ما يقوله السطر {other}.",
        "line {line}: {reference} says something else than line {other}"),
    "payment.return_status": _t(
        "Ligne {line} : « {status} » n'est pas un résultat (payé, échec ou retourné).",
        "السطر {line}: «{status}» ليس نتيجة (مؤدى، فشل أو مرتجع).",
        "line {line}: status {status} is not an outcome (paid, failed or returned)"),
    "payment.return_no_paid_on": _t(
        "Ligne {line} : {reference} est payé mais sans date de paiement.",
        "السطر {line}: {reference} مؤدى لكن بدون تاريخ الأداء.",
        "line {line}: {reference} is paid but has no payment date"),
    "payment.return_paid_before_sent": _t(
        "Ligne {line} : {reference} est payé le {paid_on}, avant l'envoi du lot le {sent_on}.",
        "السطر {line}: {reference} أدي في {paid_on}، قبل إرسال الدفعة في {sent_on}.",
        "line {line}: {reference} is paid on {paid_on}, before the batch was sent ({sent_on})"),
    "payment.return_contradicts_reconciled": _t(
        "Ligne {line} : {reference} a déjà été rapproché comme {said} ; le fichier dit autre "
        "chose.",
        "السطر {line}: {reference} تمت مطابقته مسبقا كـ {said}؛ الملف يقول شيئا آخر.",
        "line {line}: {reference} was already reconciled as {said}; the file says otherwise"),
    "payment.return_not_sent": _t(
        "Ligne {line} : {reference} est « {status} », pas envoyé.",
        "السطر {line}: {reference} في حالة «{status}»، غير مرسل.",
        "line {line}: {reference} is {status}, not sent"),
    # --- issue 13, targeting (empower/targeting.py, empower/services/targeting.py) ----------
    "targeting.rule_invalid": _t(
        "{where} : condition invalide ({why}).",
        "{where}: شرط غير صالح ({why}).",
        "{where}: {why}"),
    "intake.changed_meanwhile": _t(
        "L'appel {code} a été modifié entre-temps par quelqu'un d'autre ; rechargez la page.",
        "تم تعديل طلب الترشيح {code} في هذه الأثناء من طرف شخص آخر؛ أعيدي تحميل الصفحة.",
        "intake {code}: changed by someone else meanwhile"),
    "intake.closes_before_opens": _t(
        "La clôture ({closes_on}) précède l'ouverture ({opens_on}).",
        "تاريخ الإغلاق ({closes_on}) يسبق تاريخ الفتح ({opens_on}).",
        "closes_on: {closes_on} is before the opening {opens_on}"),
    "intake.code_taken": _t(
        "L'appel « {code} » existe déjà (n° {existing_id}).",
        "طلب الترشيح «{code}» موجود مسبقا (رقم {existing_id}).",
        "intake '{code}' already exists (#{existing_id})"),
    "intake.enrol_by_selection": _t(
        "Une candidature à l'appel {code} est inscrite par sa sélection, pas à son dépôt.",
        "الترشيح لطلب {code} يسجل عند الانتقاء وليس عند الإيداع.",
        "an application to intake {code} is enrolled by its selection"),
    "intake.locked": _t(
        "L'appel {code} est « {status} » : ses règles et ses résultats ne changent plus.",
        "طلب الترشيح {code} في حالة «{status}»: لم تعد قواعده ونتائجه تتغير.",
        "intake {code} is {status}; its rules and results no longer change"),
    "intake.not_a_rule_refusal": _t(
        "L'inscription n° {id} n'a pas été refusée par les règles d'un appel.",
        "التسجيل رقم {id} لم يرفض بقواعد طلب ترشيح.",
        "enrolment #{id} was not refused by an intake's rules"),
    "intake.not_open": _t(
        "L'appel {code} est « {status} » : les candidatures sont reçues quand il est ouvert.",
        "طلب الترشيح {code} في حالة «{status}»: تقبل الترشيحات عندما يكون مفتوحا.",
        "intake {code} is {status}; applications are taken while it is open"),
    "intake.not_selected": _t(
        "L'appel {code} est « {status} » : sa liste d'attente commence à sa sélection.",
        "طلب الترشيح {code} في حالة «{status}»: لائحة الانتظار تبدأ مع الانتقاء.",
        "intake {code} is {status}; its waiting list starts with its selection"),
    "intake.other_program": _t(
        "L'appel {code} est un appel d'un autre programme.",
        "طلب الترشيح {code} تابع لبرنامج آخر.",
        "intake {code} is a call of another program"),
    "intake.outside_dates": _t(
        "Le {on} est hors de l'appel {code} (du {opens_on} au {closes_on}).",
        "{on} خارج فترة طلب الترشيح {code} (من {opens_on} إلى {closes_on}).",
        "{on} is outside intake {code} ({opens_on} to {closes_on})"),
    "intake.override_reason": _t(
        "Une dérogation dit pourquoi, par écrit.",
        "الاستثناء يعلل كتابة.",
        "an override says why, in writing"),
    "intake.program_fixed": _t(
        "L'appel {code} reste dans son programme.",
        "طلب الترشيح {code} يبقى ضمن برنامجه.",
        "intake {code} belongs to its program; it does not move"),
    "intake.promote_before_close": _t(
        "La date limite de repêchage ({promote_until}) précède la clôture ({closes_on}).",
        "آخر أجل للترقية من لائحة الانتظار ({promote_until}) يسبق الإغلاق ({closes_on}).",
        "promote_until: {promote_until} is before the closing {closes_on}"),
    "intake.promotion_closed": _t(
        "Appel {code} : les places libérées après le {until} ne sont plus pourvues depuis la "
        "liste d'attente.",
        "طلب الترشيح {code}: المقاعد المحررة بعد {until} لا تملأ من لائحة الانتظار.",
        "intake {code}: places freed after {until} are not filled from the waiting list"),
    "intake.select_before_close": _t(
        "Le {on} précède la clôture de l'appel {code}, le {closes_on}.",
        "{on} يسبق إغلاق طلب الترشيح {code} في {closes_on}.",
        "{on} is before intake {code} closes on {closes_on}"),
    # --- issue 12, the panel's payment batches (admin/resources/payment_batches.py, grants) -----
    "payment.region_required": _t(
        "Indiquez la région du lot, l'une des vôtres ; un lot sans région prend les subventions "
        "de toutes les régions et est préparé par un administrateur.",
        "حددي جهة الدفعة، إحدى جهاتك؛ الدفعة بدون جهة تشمل منح كل الجهات ويعدها مدير.",
        "give the batch's region, one of yours; a batch without a region takes the grants of "
        "every region and is built by an administrator"),
    "region.outside_regions": _t(
        "La région {value} est hors de vos régions.",
        "الجهة {value} خارج جهاتك.",
        "region {value} is outside your regions"),
    "panel.payment_admins_only": _t(
        "Une tranche hors lot de paiement est enregistrée par un administrateur ; les tranches "
        "passent par les lots de paiement, approuvés par une deuxième personne.",
        "الشطر خارج دفعة الأداء يسجله مدير؛ الأشطر تمر عبر دفعات الأداء التي يصادق عليها شخص ثان.",
        "a tranche outside a payment batch is recorded by an administrator; tranches go through "
        "payment batches, approved by a second person"),
    "panel.payments_in_batches": _t(
        "Le programme {program} paie ses tranches par lots de paiement, approuvés par une "
        "deuxième personne ; le paiement ponctuel depuis le panneau n'y est pas permis.",
        "البرنامج {program} يؤدي أشطره عبر دفعات أداء يصادق عليها شخص ثان؛ الأداء المنفرد من "
        "اللوحة غير مسموح فيه.",
        "program {program} pays its tranches through payment batches, approved by a second "
        "person; one-off payments from the panel are not allowed in it"),
    # --- issue 13, the panel's intake form (admin/resources/intakes.py) ------------------------
    "intake.json_invalid": _t(
        "Ce n'est pas du JSON valide (ligne {line}, colonne {column}) : une liste de "
        "conditions est attendue, par exemple [{{\"field\": \"age\", \"op\": \"between\", "
        "\"value\": [18, 45]}}].",
        "هذا ليس JSON صالحا (السطر {line}، العمود {column}): المنتظر لائحة شروط، مثلا "
        "[{{\"field\": \"age\", \"op\": \"between\", \"value\": [18, 45]}}].",
        "not valid JSON (line {line}, column {column}): a list of conditions is expected, "
        "e.g. [{{\"field\": \"age\", \"op\": \"between\", \"value\": [18, 45]}}]"),
    # --- issue 12, payment files and commands (empower/io/payment_files.py, payments_cli) ----
    "payment.file_not_approved": _t(
        "Le lot {reference} est « {status} » : son fichier de paiement s'écrit une fois le lot "
        "approuvé (par une deuxième personne).",
        "الدفعة {reference} في حالة «{status}»: يكتب ملف الأداء بعد المصادقة عليها (من طرف شخص "
        "ثان).",
        "batch {reference} is {status}; its payment file is written once it is approved (by a "
        "second person)"),
    "payment.file_format": _t(
        "Le format « {value} » n'est pas csv ou xlsx.",
        "الصيغة «{value}» ليست csv أو xlsx.",
        "format '{value}' is not one of csv, xlsx"),
    "payment.return_cells_invalid": _t(
        "{name} : {count} cellule(s) illisible(s) (lignes {lines}) ; rien n'a été enregistré.",
        "{name}: {count} خلية غير مقروءة (الأسطر {lines})؛ لم يسجل أي شيء.",
        "{name}: {count} cell(s) cannot be read (lines {lines}); nothing was recorded"),
    "payment.batch_unknown": _t(
        "Le lot « {reference} » n'existe pas.",
        "الدفعة «{reference}» غير موجودة.",
        "batch '{reference}' does not exist"),
    "payments.cli.built": _t(
        "Lot {reference} préparé (brouillon) : {count:count} paiements, {total}",
        "تم إعداد الدفعة {reference} (مسودة): {count:count} أداء، {total}",
        "Batch {reference} built (draft): {count:count} payments, {total}"),
    "payments.cli.nothing_due": _t(
        "Aucun lot : aucune subvention de {program} n'est due le {on} pour ce canal",
        "لا دفعة: لا منحة من {program} مستحقة في {on} لهذه القناة",
        "No batch: no grant of {program} is due on {on} for this channel"),
    "payments.cli.left_out": _t(
        "Écartées ({count:count})",
        "المستبعدة ({count:count})",
        "Left out ({count:count})"),
    "payments.cli.grant": _t("subvention", "المنحة", "grant"),
    "payments.cli.next_approve": _t(
        "Ensuite : empower payments approve {reference} --as <approbatrice>",
        "بعد ذلك: empower payments approve {reference} --as <المصادقة>",
        "Next: empower payments approve {reference} --as <approver>"),
    "payments.cli.approved": _t(
        "Lot {reference} approuvé par {actor} le {on}",
        "تمت المصادقة على الدفعة {reference} من طرف {actor} في {on}",
        "Batch {reference} approved by {actor} on {on}"),
    "payments.cli.exported": _t(
        "{count:count} paiements ({total}) du lot {reference} écrits dans {path}",
        "{count:count} أداء ({total}) من الدفعة {reference} كتبت في {path}",
        "{count:count} payments ({total}) of batch {reference} written to {path}"),
    "payments.cli.marked_sent": _t(
        "le lot est maintenant envoyé",
        "الدفعة الآن مرسلة",
        "the batch is now sent"),
    "payments.cli.reconciled": _t(
        "{rows:count} lignes lues : {paid:count} payées ({amount}), {failed:count} en échec, "
        "{returned:count} retournées, {unchanged:count} inchangées, {repeated:count} répétées",
        "{rows:count} سطر مقروء: {paid:count} مؤداة ({amount})، {failed:count} فاشلة، "
        "{returned:count} مرتجعة، {unchanged:count} دون تغيير، {repeated:count} مكررة",
        "{rows:count} lines read: {paid:count} paid ({amount}), {failed:count} failed, "
        "{returned:count} returned, {unchanged:count} unchanged, {repeated:count} repeated"),
    "payments.cli.still_sent": _t(
        "{count:count} paiements attendent encore la réponse du prestataire",
        "{count:count} أداء ما زال ينتظر رد المؤسسة",
        "{count:count} payments still await the provider's answer"),
    "payments.cli.cancelled": _t(
        "Lot {reference} annulé",
        "تم إلغاء الدفعة {reference}",
        "Batch {reference} cancelled"),
    "payments.cli.closed": _t(
        "Lot {reference} clôturé",
        "تم إغلاق الدفعة {reference}",
        "Batch {reference} closed"),
    "payments.cli.no_batch": _t(
        "Aucun lot de paiement pour l'instant",
        "لا توجد دفعة أداء بعد",
        "No payment batch yet"),
    "payments.cli.problem_lines": _t("Lignes refusées", "الأسطر المرفوضة", "Refused lines"),
    "payments.cli.amount": _t("{amount} MAD", "{amount} درهم", "MAD {amount}"),
    "payments.cli.col_batch": _t("lot", "الدفعة", "batch"),
    "payments.cli.col_program": _t("programme", "البرنامج", "program"),
    "payments.cli.col_channel": _t("canal", "القناة", "channel"),
    "payments.cli.col_date": _t("date prévue", "التاريخ المقرر", "planned on"),
    "payments.cli.col_status": _t("statut", "الحالة", "status"),
    "payments.cli.col_count": _t("paiements", "الأداءات", "payments"),
    "payments.cli.col_total": _t("montant", "المبلغ", "total"),
    "payments.cli.status_draft": _t("brouillon", "مسودة", "draft"),
    "payments.cli.status_approved": _t("approuvé", "مصادق عليها", "approved"),
    "payments.cli.status_sent": _t("envoyé", "مرسلة", "sent"),
    "payments.cli.status_reconciled": _t("rapproché", "مطابقة", "reconciled"),
    "payments.cli.status_closed": _t("clôturé", "مغلقة", "closed"),
    "payments.cli.status_cancelled": _t("annulé", "ملغاة", "cancelled"),
    # --- issue 13, targeting: command line and import (empower/cli_targeting.py, intakes kind) -
    "intake.unknown": _t(
        "L'appel « {code} » n'existe pas.",
        "طلب الترشيح «{code}» غير موجود.",
        "intake '{code}' does not exist"),
    "intake.no_application": _t(
        "La bénéficiaire n° {id} n'a pas de candidature à l'appel {code}.",
        "المستفيدة رقم {id} ليس لها ترشيح لطلب {code}.",
        "beneficiary #{id} has not applied to intake {code}"),
    "import.json_invalid": _t(
        "JSON invalide ({why}, au caractère {position}).",
        "JSON غير صالح ({why}، عند الحرف {position}).",
        "not valid JSON ({why} at character {position})"),
    "import.json_not_list": _t(
        "Une liste JSON [ ... ] est attendue.",
        "المتوقع لائحة JSON [ ... ].",
        "a JSON list [ ... ] is expected"),
    "import.intake_application_differs": _t(
        "L'inscription n° {id} est une candidature à un appel, enregistrée avec un autre "
        "« {column} » ; un import ne la déplace pas et ne la redate pas.",
        "التسجيل رقم {id} ترشيح لطلب ترشيح، مسجل بقيمة أخرى لـ «{column}»؛ الاستيراد لا ينقله "
        "ولا يغير تاريخه.",
        "enrolment #{id} is an application to an intake, recorded with another {column}; an "
        "import does not move or redate it"),
    # --- issue 14, grievances (empower/grievances.py, empower/services/grievances.py) ---------
    "grievance.unknown": _t(
        "La plainte « {reference} » n'existe pas (ou n'est pas de votre ressort).",
        "الشكاية «{reference}» غير موجودة (أو خارج اختصاصك).",
        "grievance '{reference}' does not exist"),
    "grievance.close_unanswered": _t(
        "Plainte {ref} : clôture impossible sans {missing:label}.",
        "الشكاية {ref}: لا يمكن الإغلاق بدون {missing:label}.",
        "grievance {ref}: cannot close without {missing:label}"),
    "grievance.appeal_once": _t(
        "La plainte {ref} a déjà fait l'objet d'un recours le {on} ; un recours ne la rouvre "
        "qu'une fois.",
        "الشكاية {ref} سبق أن كانت موضوع طعن بتاريخ {on}؛ الطعن يعيد فتحها مرة واحدة فقط.",
        "grievance {ref} was already appealed on {on}; an appeal reopens it once"),
    "grievance.not_fulfilled": _t(
        "Plainte {ref} : une demande de type {kind:label} se traite en l'exécutant "
        "({needed:label}), pas par une réponse écrite.",
        "الشكاية {ref}: طلب من نوع {kind:label} يعالج بتنفيذه ({needed:label})، لا بجواب مكتوب.",
        "grievance {ref}: a {kind:label} request is resolved by fulfilling it ({needed:label}), "
        "not by a written answer"),
    "grievance.confidential": _t(
        "La plainte {ref} est confidentielle : seul le point focal la traite.",
        "الشكاية {ref} سرية: لا يعالجها إلا ضابط الاتصال.",
        "grievance {ref} is confidential: only a focal point acts on it"),
    "grievance.request_kind_required": _t(
        "Une demande relative aux données personnelles précise le droit exercé (accès, "
        "rectification, opposition, effacement).",
        "طلب متعلق بالمعطيات الشخصية يحدد الحق الممارس (الولوج، التصحيح، التعرض، المحو).",
        "a data-protection request says which right (access, correction, objection, erasure)"),
    "grievance.request_kind_not_data": _t(
        "Seule une demande relative aux données personnelles a un type de demande (celle-ci "
        "est de catégorie {category:label}).",
        "وحده طلب المعطيات الشخصية له نوع طلب (هذه من فئة {category:label}).",
        "only a data-protection request has a request kind (this is {category:label})"),
    "grievance.request_needs_beneficiary": _t(
        "Une demande de type {kind:label} porte sur sa propre fiche : indiquez la bénéficiaire.",
        "طلب من نوع {kind:label} يخص سجلها: حدد المستفيدة.",
        "a {kind:label} request is about her own record: say whose"),
    "grievance.province_required": _t(
        "Une plainte sans bénéficiaire enregistrée indique la province concernée.",
        "شكاية بدون مستفيدة مسجلة تحدد الإقليم المعني.",
        "a complaint without a registered woman says which province it concerns"),
    "grievance.before_received": _t(
        "Le {on} est avant la réception de la plainte ({received_on}).",
        "تاريخ {on} سابق لتاريخ التوصل بالشكاية ({received_on}).",
        "{on} is before the case was received ({received_on})"),
    "grievance.answer_required": _t(
        "Indiquez ce qui a été décidé et pourquoi.",
        "بين ما تقرر ولماذا.",
        "say what was decided and why"),
    "grievance.not_answered": _t(
        "La plainte {ref} est {state:label} : il n'y a pas encore de réponse à communiquer.",
        "الشكاية {ref} في وضعية {state:label}: لا يوجد بعد جواب لتبليغه.",
        "grievance {ref} is {state:label}: there is no answer to tell yet"),
    "grievance.told_before_answer": _t(
        "Le {on} est avant la réponse ({resolved_on}).",
        "تاريخ {on} سابق لتاريخ الجواب ({resolved_on}).",
        "{on} is before the answer ({resolved_on})"),
    "grievance.note_empty": _t(
        "Une note dit quelque chose.",
        "الملاحظة يجب أن تتضمن نصا.",
        "a note says something"),
    "grievance.closed": _t(
        "La plainte {ref} est clôturée.",
        "الشكاية {ref} مغلقة.",
        "grievance {ref} is closed"),
    "grievance.wrong_request": _t(
        "La plainte {ref} n'est pas une demande de type {kind:label}.",
        "الشكاية {ref} ليست طلبا من نوع {kind:label}.",
        "grievance {ref} is not a {kind:label} request"),
    "grievance.fulfil_not_under_review": _t(
        "La plainte {ref} est {state:label} : une demande s'exécute pendant son instruction.",
        "الشكاية {ref} في وضعية {state:label}: الطلب ينفذ أثناء دراسته.",
        "grievance {ref} is {state:label}: a request is fulfilled while under review"),
    "import.grievance_differs": _t(
        "La plainte {reference} est enregistrée avec une autre valeur de {column} ; un import "
        "ne corrige pas une plainte reçue.",
        "الشكاية {reference} مسجلة بقيمة أخرى في {column}؛ الاستيراد لا يصحح شكاية متوصلا بها.",
        "grievance {reference} is recorded with another {column}; an import does not correct a "
        "received complaint"),
    "grievance.reference_taken": _t(
        "La plainte « {value} » existe déjà (plainte n° {existing_id}).",
        "الشكاية «{value}» موجودة مسبقا (الشكاية رقم {existing_id}).",
        "grievance '{value}' already exists (grievance #{existing_id})"),
    "grievance.assignee_required": _t(
        "Indiquez qui instruit la plainte (un nom d'utilisateur).",
        "حدد من يدرس الشكاية (اسم مستخدم).",
        "say who investigates (a user name)"),
    "privacy.out_format": _t(
        "« {value} » ne se termine ni par .pdf ni par .json.",
        "«{value}» لا ينتهي بـ .pdf ولا بـ .json.",
        "'{value}' ends neither in .pdf nor in .json"),
    "privacy.not_her_request": _t(
        "La demande {ref} n'est pas la sienne.",
        "الطلب {ref} ليس طلبها.",
        "{ref} is not her request"),
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
    if isinstance(value, Shortened):
        # A long value said back: its start and its length, in the language.
        return _Formatter(lang).vformat(CATALOG["text.shortened"][lang], (),
                                        {"head": value.head, "length": value.length})
    if isinstance(value, EmpowerError):
        return describe(value, lang)  # a refusal that names another one says both
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


def render(code: str, params: Mapping[str, Any], lang: str, *, default: str,
           sentence: bool = True) -> str:
    """The sentence of ``code`` in ``lang`` built from ``params``; ``default`` when the code has
    no entry (or, which a test forbids, its template reads a parameter that was not given).

    ``sentence=False`` leaves the first letter as written, for text that continues a line
    (``error: ...``) or a column header."""
    entry = CATALOG.get(code)
    if entry is None:
        return default
    language: Lang = lang if lang in LANGUAGES else "en"
    try:
        text = _Formatter(language).vformat(entry[language], (), dict(params))
    except (KeyError, IndexError, ValueError):
        return default
    if not sentence:
        return text
    # Templates start with a value as often as with a word ("{amount} MAD ..."): a sentence
    # starts with a capital.
    return text[:1].upper() + text[1:]


def describe(exc: EmpowerError, lang: str, *, sentence: bool = True) -> str:
    """The refusal ``exc`` in ``lang`` (``"fr"``, ``"ar"``, ``"en"``) from its code and params.

    An error whose code has no catalog entry keeps its English message. ``sentence=False``
    keeps the first letter as written (after ``error:`` on a command's line).
    """
    return render(exc.code, exc.params, lang, default=exc.message, sentence=sentence)
