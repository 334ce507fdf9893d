"""Realistic, deterministic demo data: about two years of a Moroccan WEE program.

``generate(db, beneficiaries=2000, seed=7)`` fills an empty, migrated database. The same seed and
``as_of`` date give the same data, row for row.

Women are registered through the core's bulk registration service, so every registration rule,
the duplicate detection and the audit log apply to them. Enrolments, cooperatives, grants,
tranches, trainings (activities, sessions planned, held or cancelled, their rosters), surveys
and coaching visits are generated already consistent with the rules (enrolled on the approval
date, within caps and budget, tranches within the approved amount, members join active
cooperatives, sessions within their activity's and program's dates, only women enrolled that day
on a roster...; the demo checks them with the predicates the services use) and written a chunk
at a time with the driver's executemany (COPY on PostgreSQL), because going through the
one-record services would take hours for a national-sized registry; each of those rows still gets
the audit event its service writes (actor ``demo``). The calls for applications and the payment
runs go through their services. A program with a minimum completion share (MOUBADARA) only pays
women who completed its training. ``tests/integration/test_demo.py`` checks every rule on the
result.

Memory stays bounded at national scale: what later stages read of each woman is kept in
columns of small numbers (``array``), enrolments in slotted records, rows never more than a
chunk at a time (see docs/scaling.md).
"""

from __future__ import annotations

import bisect
import random
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, update

from empower import audit
from empower.bulk import IdBlock, insert_rows, planned_each_time
from empower.db import Database, UnitOfWork
from empower.demo_grievances import grievances as _grievances
from empower.errors import InvalidInput, RuleViolation
from empower.models import (
    Activity,
    ActivitySession,
    Agreement,
    ArchivePeriod,
    Attendance,
    Base,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    DuplicateCandidate,
    Enrollment,
    Grant,
    Intake,
    Membership,
    Partner,
    Program,
    SurveyRecord,
    User,
    table_of,
    utcnow,
)
from empower.predicates import (
    ACTIVITY_RUNNING,
    COOPERATIVE_ACTIVE,
    ENROLLMENT_ACTIVE,
    PROGRAM_RUNNING,
    age_on,
    completion_met,
)
from empower.reference import provinces
from empower.rules import next_tranche, normalize_phone
from empower.schemas import (
    BatchCreate,
    BeneficiaryCreate,
    EnrollmentCreate,
    IntakeCreate,
    ReturnLine,
)
from empower.services._common import check_program_running
from empower.services.beneficiaries import register_beneficiaries
from empower.services.enrollments import apply, exit_enrollment
from empower.services.payment_runs import (
    approve_batch,
    build_batch,
    close_batch,
    reconcile_batch,
    send_batch,
)
from empower.services.targeting import (
    close_intake,
    create_intake,
    evaluate,
    open_intake,
    override_refusal,
    promote_waitlisted,
    select_intake,
)
from empower.vocab import InstructionStatus, PaymentChannel, Role

__all__ = ["DemoSummary", "generate"]

ACTOR = "demo"

# The demo's call for applications (issue 13's example): who may apply, and how the committee
# ranks them.
CALL_RULES: list[dict[str, Any]] = [
    {"field": "age", "op": "between", "value": [18, 45]},
    {"field": "milieu", "op": "=", "value": "rural"},
    {"field": "vulnerability_score", "op": "<", "value": 40},
    {"field": "grant_elsewhere", "op": "is false"}]
CALL_WEIGHTS: list[dict[str, Any]] = [
    {"field": "household_size", "weight": 2}, {"field": "disability", "weight": 5},
    {"field": "marital_status", "weight": 10, "equals": "widowed"}]
OVERRIDE_REASON = ("Avis favorable du comité provincial après visite à domicile : situation de "
                   "grande précarité que le critère ne mesure pas")

FIRST_NAMES = [
    ("Fatima", "فاطمة"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Meryem", "مريم"),
    ("Zineb", "زينب"), ("Naima", "نعيمة"), ("Malika", "مليكة"), ("Rachida", "رشيدة"),
    ("Saida", "سعيدة"), ("Hafsa", "حفصة"), ("Samira", "سميرة"), ("Latifa", "لطيفة"),
    ("Nadia", "نادية"), ("Hanane", "حنان"), ("Souad", "سعاد"), ("Karima", "كريمة"),
    ("Imane", "إيمان"), ("Salma", "سلمى"), ("Hajar", "هاجر"), ("Asmae", "أسماء"),
    ("Ghizlane", "غزلان"), ("Loubna", "لبنى"), ("Siham", "سهام"), ("Houda", "هدى"),
    ("Najat", "نجاة"), ("Fadwa", "فدوى"), ("Btissam", "ابتسام"), ("Mina", "مينة"),
    ("Yamna", "يامنة"), ("Itto", "إيطو"), ("Touda", "تودة"), ("Tlaytmas", "تلايتماس"),
    ("Kenza", "كنزة"), ("Oumaima", "أميمة"), ("Sanaa", "سناء"), ("Widad", "وداد"),
    ("Habiba", "حبيبة"), ("Zahra", "زهرة"), ("Jamila", "جميلة"), ("Hasna", "حسناء"),
]
LAST_NAMES = [
    ("El Idrissi", "الإدريسي"), ("Benali", "بنعلي"), ("El Amrani", "العمراني"),
    ("Bennani", "بناني"), ("Alaoui", "العلوي"), ("Tazi", "التازي"), ("Berrada", "برادة"),
    ("El Fassi", "الفاسي"), ("Ouazzani", "الوزاني"), ("Chraibi", "الشرايبي"),
    ("Lahlou", "لحلو"), ("Ait Ali", "آيت علي"), ("Ait Brahim", "آيت ابراهيم"),
    ("Oulhaj", "أولحاج"), ("Amazigh", "أمازيغ"), ("Boussaid", "بوسعيد"), ("Naciri", "الناصري"),
    ("El Ouafi", "الوافي"), ("Zerouali", "الزروالي"), ("Kettani", "الكتاني"),
    ("Sabri", "صبري"), ("Hammoudi", "حمودي"), ("El Mansouri", "المنصوري"),
    ("Bouzidi", "بوزيدي"), ("Raji", "راجي"), ("Haddad", "حداد"), ("Ziani", "الزياني"),
    ("Belhaj", "بلحاج"), ("Moussaoui", "الموساوي"), ("Khalfi", "الخلفي"),
    ("Ouahbi", "الوهبي"), ("Tahiri", "الطاهري"), ("Jabri", "الجابري"), ("Saidi", "السعيدي"),
    ("Bakkali", "البقالي"), ("Ghazi", "غازي"), ("Ennaji", "الناجي"), ("Filali", "الفيلالي"),
    ("Skalli", "السقلي"), ("Daoudi", "الداودي"), ("Ait Ouarab", "آيت واعراب"),
    ("Oubella", "أوبلا"), ("Id Ahmed", "إد أحمد"), ("Amghar", "أمغار"), ("Boutaleb", "بوطالب"),
]
COMMUNES = ["Centre", "Hay Mohammadi", "Douar Tizi", "Ait Ourir", "Sidi Bennour", "Tamansourt",
            "Oulad Teima", "Ain Harrouda", "Tiznit Centre", "Imouzzer", "Taliouine", "Skoura"]
# CIN letters by region, following the usual prefixes of each region's issuing offices.
CIN_PREFIXES = {
    "01": ["K", "L", "LC", "R"], "02": ["F", "FA", "S", "UA"], "03": ["C", "CD", "D", "DA"],
    "04": ["A", "AB", "AE", "G", "GA"], "05": ["I", "IA", "Q", "QA"],
    "06": ["B", "BE", "BK", "BJ", "M", "N"], "07": ["E", "EE", "H", "HA"],
    "08": ["U", "UC", "T", "ZT"], "09": ["J", "JB", "JC", "JE"], "10": ["JA", "JF"],
    "11": ["SH", "SJ"], "12": ["SL", "VA"],
}
SECTORS_BY_REGION = {
    "09": ["argan", "argan", "aromatic_medicinal_plants", "crafts", "food_processing"],
    "08": ["aromatic_medicinal_plants", "agriculture", "crafts", "livestock", "tourism"],
    "01": ["textiles", "food_processing", "fishing", "crafts", "services"],
}
DEFAULT_SECTORS = ["agriculture", "crafts", "textiles", "food_processing", "livestock",
                   "services", "aromatic_medicinal_plants", "argan", "fishing", "forestry",
                   "tourism", "housing", "other"]
COOP_WORDS = [("Tifawin", "تيفاوين"), ("Al Amal", "الأمل"), ("Nour", "نور"), ("Tamount", "تامونت"),
              ("Al Baraka", "البركة"), ("Tawada", "توادة"), ("Assafa", "الصفاء"),
              ("Tagmat", "تاكمات"), ("Al Khair", "الخير"), ("Tilila", "تيليلا"),
              ("Annahda", "النهضة"), ("Tafrawt", "تافراوت"), ("Al Wafae", "الوفاء"),
              ("Izourane", "إزوران")]
# Training titles by program: what each program teaches before it pays.
TRAININGS = {
    "AWAL": ["Gérer son activité génératrice de revenus (GET Ahead)",
             "Alphabétisation fonctionnelle"],
    "TAMKINE-DT": ["Alphabétisation fonctionnelle", "Gouvernance coopérative"],
    "MOUBADARA": ["Éducation financière et numérique"],
}
# MOUBADARA pays only women who attended three quarters of its training's sessions.
MIN_COMPLETION = {"MOUBADARA": 0.75}
VISIT_NOTES = ["Activité en cours, stock renouvelé.", "Besoin d'appui pour la commercialisation.",
               "Local aménagé, équipement installé.", "Ventes en baisse ce mois-ci.", None, None]
PARTNERS = [
    ("Entraide Nationale", "التعاون الوطني", "public_agency"),
    ("Agence de Développement Social", "وكالة التنمية الاجتماعية", "public_agency"),
    ("Office du Développement de la Coopération", "مكتب تنمية التعاون", "public_agency"),
    ("Association Tilila pour la femme rurale", "جمعية تيليلا للمرأة القروية", "association"),
    ("Association Amal Souss", "جمعية أمل سوس", "association"),
    ("Réseau des femmes artisanes de l'Oriental", "شبكة النساء الحرفيات بالشرق", "association"),
    ("Université Ibn Zohr", "جامعة ابن زهر", "university"),
    ("Banque de microfinance Al Amana", "مؤسسة الأمانة للقروض الصغرى", "private_firm"),
]


# MOUBADARA pays through monthly payment batches, on a plan: 40 % on approval, 40 % then 20 %
# once her training is completed and a coach has visited since the last tranche.
TRANCHE_PLANS: dict[str, tuple[list[str], list[str]]] = {
    "MOUBADARA": (["40", "40", "20"], ["training_completed", "visit_since_last_tranche"])}
# Its last months are paid by batches built that many days before as_of (the earlier tranches
# are history, paid by hand); the last month's transfer batch is sent and not yet reconciled,
# its cash-out batch still waits for approval.
PAYMENT_RUN_DAYS = (95, 65, 35, 8)
# The panel accounts of the payment runs: a finance officer builds, an admin approves. Their
# password is unusable ("!"): `empower-admin` sets one to log in as them.
BATCH_BUILDER = "demo.finance"
BATCH_APPROVER = "demo.admin"
BANK_CODES = ["007", "011", "013", "022", "145", "181", "190", "230", "350"]
RIB_CITIES = ["780", "810", "640", "450", "270", "225", "360", "780"]
TRANSFER_FAILURES = ["compte clôturé", "RIB erroné", "compte clôturé", "compte bloqué"]


@dataclass
class DemoSummary:
    """Counts of what :func:`generate` wrote."""

    as_of: date
    counts: dict[str, int] = field(default_factory=dict)


def _months(d: date, n: int) -> date:
    month = d.month - 1 + n
    year = d.year + month // 12
    month = month % 12 + 1
    day = min(d.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
                      31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return date(year, month, day)


PHONE_PREFIXES = ["061", "062", "066", "067", "068", "065", "070", "077", "078"]
CIN_CODES = {prefix: i for i, prefix in enumerate(
    sorted({p for prefixes in CIN_PREFIXES.values() for p in prefixes}))}
# Women are registered this many at a time: each call's duplicate search reads every woman
# already registered who was born on the days of its women (nearly all days, at 50,000): at a
# million women, 20,000 a call read 25 million rows, 50,000 a call read 10 million.
REGISTER_CHUNK = 50_000


def _spaced(raw: str) -> str:
    return f"{raw[:2]} {raw[2:4]} {raw[4:6]} {raw[6:8]} {raw[8:]}"


def _phone_text(code: int) -> str:
    prefix, number = divmod(code, 10_000_000)
    return _spaced(f"{PHONE_PREFIXES[prefix]}{number:07d}")


def _names(first: int, last: int, script: int) -> dict[str, str | None]:
    """The name fields of FIRST_NAMES[first] LAST_NAMES[last] in one script (1: Arabic
    only, 2: Latin only) or both (0)."""
    (fn, fn_ar), (ln, ln_ar) = FIRST_NAMES[first], LAST_NAMES[last]
    if script == 1:
        return {"first_name": None, "last_name": None, "first_name_ar": fn_ar,
                "last_name_ar": ln_ar}
    if script == 2:
        return {"first_name": fn, "last_name": ln, "first_name_ar": None, "last_name_ar": None}
    return {"first_name": fn, "last_name": ln, "first_name_ar": fn_ar, "last_name_ar": ln_ar}


def _activity_changes(row: dict[str, Any]) -> dict[str, Any]:
    """What create_activity logs: the activity as created."""
    return {k: row[k] for k in ("program_id", "code", "kind", "title", "partner_id",
                                "province_code", "starts_on", "ends_on", "planned_sessions",
                                "completion_share")}


def _session_changes(row: dict[str, Any]) -> dict[str, Any]:
    """What plan_session logs: the session as planned."""
    return {k: row[k] for k in ("activity_id", "reference", "scheduled_on", "commune",
                                "facilitator")}


class _Weighted:
    """Draw from items with weights in O(log n) (provinces by census population)."""

    def __init__(self, items: list[Any], weights: list[float]) -> None:
        self.items = items
        self.cum: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


SQLITE_CACHE_KIB = 256 * 1024
# Rows are generated and written this many at a time: memory stays bounded whatever the size.
CHUNK = 20_000


class _Table:
    """Rows of one table written ``CHUNK`` at a time with the driver's executemany (or COPY),
    each with its audit event; ids are handed out as rows are made (:class:`IdBlock`), so rows
    that refer to them can be made before anything is written."""

    def __init__(self, gen: _Generator, model: type[Base], entity: str | None, action: str,
                 changes: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
                 *, ids: bool = True, count: str | None = None) -> None:
        self.gen = gen
        self.table = Base.metadata.tables[model.__tablename__]
        self.entity = entity
        self.action = action
        self.changes = changes
        self.ids = IdBlock(gen.uow, self.table) if ids else None
        self.count = entity if count is None else count  # "": not counted
        self.rows: list[dict[str, Any]] = []
        self.written = 0
        # Columns the rows leave out but the ORM would fill (a Python-side default): the
        # driver-level insert does not know them.
        self._defaults = [c for c in self.table.c
                          if c.default is not None and not c.primary_key]

    def add(self, row: dict[str, Any]) -> int:
        """Queue ``row``; returns its id (0 for a table written without ids)."""
        new_id = 0
        if self.ids is not None:
            new_id = row["id"] = self.ids.take()
        self.rows.append(row)
        return new_id

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        if any(key not in self.table.c for key in rows[0]):
            keys = [key for key in rows[0] if key in self.table.c]
            rows = [{key: row[key] for key in keys} for row in rows]
        missing = [c for c in self._defaults if c.name not in rows[0]]
        for column in missing:
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg  # type: ignore[union-attr]
            for row in rows:
                row[column.name] = value
        insert_rows(self.gen.uow, self.table, rows)
        if self.entity is not None:
            changes = self.changes
            audit.record_many(self.gen.uow, actor=ACTOR, action=self.action, entity=self.entity,
                              items=((r["id"], changes(r) if changes else None) for r in rows))
        self.written += len(rows)
        if self.count:
            self.gen.counts[self.count] = self.gen.counts.get(self.count, 0) + len(rows)


class _Events:
    """Audit events of one entity and action about rows another :class:`_Table` writes."""

    def __init__(self, gen: _Generator, entity: str, action: str) -> None:
        self.gen = gen
        self.entity = entity
        self.action = action
        self.rows: list[tuple[int, dict[str, Any] | None]] = []

    def add(self, entity_id: int, changes: dict[str, Any] | None) -> None:
        self.rows.append((entity_id, changes))

    def flush(self) -> None:
        rows, self.rows = self.rows, []
        if rows:
            audit.record_many(self.gen.uow, actor=ACTOR, action=self.action, entity=self.entity,
                              items=rows)


class _Sink:
    """Tables and events written together, in the order they were declared (a row's parent
    before it, an entity's creation before what happens to it), once ``CHUNK`` rows wait."""

    def __init__(self) -> None:
        self.parts: list[_Table | _Events] = []

    def table(self, *args: Any, **kwargs: Any) -> _Table:
        part = _Table(*args, **kwargs)
        self.parts.append(part)
        return part

    def events(self, gen: _Generator, entity: str, action: str) -> _Events:
        part = _Events(gen, entity, action)
        self.parts.append(part)
        return part

    def maybe_flush(self) -> None:
        if sum(len(p.rows) for p in self.parts) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for part in self.parts:
            part.flush()


@dataclass(frozen=True, slots=True)
class _GrantSeen:
    id: int
    program_id: int
    beneficiary_id: int | None
    cooperative_id: int | None
    first_paid_on: date | None
    paid: bool


class _Enrolled:
    """What the later stages read of an enrolment that began (most of the registry at national
    scale: slots, and dates shared between records, rather than a dict per enrolment)."""

    __slots__ = ("beneficiary_id", "enrolled_on", "exited_on", "person", "program_id")

    def __init__(self, person: int, beneficiary_id: int, program_id: int, enrolled_on: date,
                 exited_on: date | None) -> None:
        self.person = person
        self.beneficiary_id = beneficiary_id
        self.program_id = program_id
        self.enrolled_on = enrolled_on
        self.exited_on = exited_on

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


class _Generator:
    def __init__(self, uow: UnitOfWork, n: int, seed: int, as_of: date,
                 progress: Callable[[str, int], None]) -> None:
        self.uow = uow
        self.n = n
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.start = as_of - timedelta(days=730)
        self.progress = progress
        self.counts: dict[str, int] = {}
        provs = list(provinces())
        self.province_region = {p["code"]: p["region_code"] for p in provs}
        self.province_kind = {p["code"]: p["kind"] for p in provs}
        self.provinces = _Weighted([p["code"] for p in provs],
                                   [float(p["population_2024"]) for p in provs])
        self.now = utcnow()
        # Bank accounts and payment runs draw from their own stream, so adding them left the
        # rest of the demo as it was.
        self.pay_rng = random.Random(f"{seed}-payments")
        self.batches_from = as_of - timedelta(days=PAYMENT_RUN_DAYS[0])
        self._days: dict[date, date] = {}
        self.prov_codes = [p["code"] for p in provs]
        self.prov_index = {code: i for i, code in enumerate(self.prov_codes)}
        self.region_of = [p["region_code"] for p in provs]

    # -- helpers --------------------------------------------------------------------------
    def day_between(self, a: date, b: date) -> date:
        if b <= a:
            return a
        return a + timedelta(days=self.rng.randint(0, (b - a).days))

    def insert(self, model: type[Base], rows: Iterable[dict[str, Any]], entity: str, action: str,
               changes: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> list[int]:
        """Write ``rows`` (a chunk at a time), each with its audit event; returns their ids."""
        table = _Table(self, model, entity, action, changes)
        ids = []
        for row in rows:
            ids.append(table.add(row))
            if len(table.rows) >= CHUNK:
                table.flush()
        table.flush()
        return ids

    def day(self, value: date) -> date:
        """``value``, as one shared object per day (records keep many of the same dates)."""
        return self._days.setdefault(value, value)

    def person(self, i: int) -> dict[str, Any]:
        """The ``i``-th woman registered, as the targeting reads her."""
        return {"id": self.p_id[i], "region": self.region_of[self.p_prov[i]],
                "milieu": "rural" if self.p_rural[i] else "urban",
                "birth_date": date.fromordinal(self.p_birth[i]),
                "registered_on": date.fromordinal(self.p_reg[i])}

    def beneficiary_ids(self) -> array[int]:
        """The women's ids, in the order they were registered."""
        return self.p_id

    def index_of(self, beneficiary_id: int) -> int:
        """Her position in the registration order (ids grow with it)."""
        i = bisect.bisect_left(self.p_id, beneficiary_id)
        assert self.p_id[i] == beneficiary_id
        return i

    def archived_on(self, i: int) -> date | None:
        value = self.p_archived[i]
        return date.fromordinal(value) if value else None

    # -- programs and partners ------------------------------------------------------------
    def programs(self) -> None:
        n = self.n
        specs = [
            ("AWAL", "Awal : premiers revenus", "INDH", self.start - timedelta(days=30),
             self.as_of + timedelta(days=365), n * 5_000, 20_000, None),
            ("TAMKINE-DT", "Tamkine Drâa-Tafilalet", "Conseil régional Drâa-Tafilalet",
             self.start, self.as_of + timedelta(days=200), n * 800, 30_000, "08"),
            ("COOP-PLUS", "Coopératives féminines Plus", "Union européenne",
             self.start + timedelta(days=60), None, n * 2_500, 150_000, None),
            ("MOUBADARA", "Moubadara : accès au financement", "Fondation Mohammed V",
             self.start + timedelta(days=300), self.as_of + timedelta(days=500), n * 1_500,
             15_000, None),
        ]
        rows: list[dict[str, Any]] = [{"code": c, "name": nm, "funder": f, "start_date": s, "end_date": e,
                 "budget_centimes": b * 100, "grant_cap_centimes": cap * 100,
                 "committed_centimes": 0, "region_code": r,
                 "min_completion_share": MIN_COMPLETION.get(c),
                 "tranche_shares": TRANCHE_PLANS.get(c, (None, None))[0],
                 "tranche_conditions": TRANCHE_PLANS.get(c, (None, None))[1],
                 "created_at": self.now}
                for c, nm, f, s, e, b, cap, r in specs]
        ids = self.insert(Program, rows, "program", "create",
                          lambda r: {"code": r["code"], "budget_centimes": r["budget_centimes"]})
        self.program_rows = {r["code"]: {**r, "id": i} for r, i in zip(rows, ids, strict=True)}
        prow = [{"name": nm, "name_ar": ar, "kind": kind, "province_code": None,
                 "contact_email": None, "created_at": self.now} for nm, ar, kind in PARTNERS]
        pids = self.insert(Partner, prow, "partner", "create", lambda r: {"name": r["name"]})
        self.partner_ids = pids
        agreements = []
        for prog in self.program_rows.values():
            for pid in self.rng.sample(pids, 3):
                agreements.append({
                    "program_id": prog["id"], "partner_id": pid,
                    "signed_on": prog["start_date"] - timedelta(days=self.rng.randint(10, 90)),
                    "ends_on": prog["end_date"],
                    "committed_centimes": prog["budget_centimes"] // 10 * self.rng.randint(1, 3),
                    "status": "active"})
        self.insert(Agreement, agreements, "agreement", "sign",
                    lambda r: {"program_id": r["program_id"], "partner_id": r["partner_id"]})

    # -- beneficiaries ----------------------------------------------------------------------
    def phone(self) -> tuple[str, int]:
        """A mobile number as a woman writes it, and its code in :attr:`p_phone`."""
        while True:
            prefix = self.rng.choice(PHONE_PREFIXES)
            number = self.rng.randint(0, 9_999_999)
            raw = f"{prefix}{number:07d}"
            try:
                phone = normalize_phone(raw)
            except InvalidInput:
                continue
            if phone:
                return _spaced(raw), PHONE_PREFIXES.index(prefix) * 10_000_000 + number

    def rib(self) -> str:
        """A 24-digit RIB: a bank's code, a city code, the account, and the mod-97 key."""
        rng = self.pay_rng
        body = (f"{rng.choice(BANK_CODES)}{rng.choice(RIB_CITIES)}"
                f"{rng.randint(0, 10 ** 16 - 1):016d}")
        return body + f"{97 - int(body) * 100 % 97:02d}"

    def beneficiaries(self) -> None:
        """Women drawn a chunk at a time and registered through the bulk registration service.
        What the later stages read of them is kept in columns of small numbers (dates as
        ordinals, names and phones as codes), not a dict per woman."""
        rng = self.rng
        used_cins: set[int] = set()
        span = (self.as_of - self.start).days
        self.p_id = array("q")
        self.p_prov = array("H")
        self.p_reg = array("i")
        self.p_birth = array("i")
        self.p_rural = bytearray()
        self.p_archived = array("i")
        p_names = bytearray()  # first name, last name, script (0 both, 1 Arabic, 2 Latin)
        p_phone = array("q")  # PHONE_PREFIXES index * 10**7 + number, -1 for none
        inputs: list[BeneficiaryCreate] = []
        done = 0
        for i in range(self.n):
            province = self.provinces.draw(rng)
            region = self.province_region[province]
            prefixes = CIN_PREFIXES[region]
            while True:
                k = rng.randrange(len(prefixes))
                number = rng.randint(10_000, 999_999)
                code = CIN_CODES[prefixes[k]] * 1_000_000 + number
                if code not in used_cins:
                    used_cins.add(code)
                    cin = prefixes[k] + str(number)
                    break
            # Registrations ramp up over the two years.
            registered = self.start + timedelta(days=int(span * (rng.random() ** 0.8)))
            age = max(18, min(70, int(rng.gauss(36, 10))))
            birth = registered - timedelta(days=age * 365 + rng.randint(10, 355))
            if age_on(birth, registered) < 18:
                birth = _months(birth, -12)
            first = rng.randrange(len(FIRST_NAMES))
            last = rng.randrange(len(LAST_NAMES))
            script_draw = rng.random()
            script = 1 if script_draw < 0.12 else 2 if script_draw < 0.22 else 0
            phone, phone_code = self.phone() if rng.random() < 0.78 else (None, -1)
            if i > 10 and rng.random() < 0.004:
                # A woman registered twice under another CIN (typo, or a new card): the kind of
                # near-duplicate officers must resolve.
                twin = rng.randrange(i)
                twin_birth = date.fromordinal(self.p_birth[twin])
                if age_on(twin_birth, registered) >= 18:
                    first, last, script = (p_names[3 * twin], p_names[3 * twin + 1],
                                           p_names[3 * twin + 2])
                    birth = twin_birth
            elif phone is None and i > 10 and rng.random() < 0.01:
                phone_code = p_phone[rng.randrange(i)]
                phone = _phone_text(phone_code) if phone_code >= 0 else None
            rural_p = 0.25 if self.province_kind[province] == "prefecture" else 0.62
            data = {
                "cin": cin, **_names(first, last, script), "birth_date": birth, "phone": phone,
                "province_code": province,
                "commune": rng.choice(COMMUNES),
                "milieu": "rural" if rng.random() < rural_p else "urban",
                "education_level": rng.choices(
                    ["none", "literacy_program", "primary", "lower_secondary", "upper_secondary",
                     "higher"], [28, 14, 24, 16, 11, 7])[0],
                "marital_status": rng.choices(["single", "married", "divorced", "widowed"],
                                              [22, 58, 11, 9])[0],
                "household_size": max(1, min(14, int(rng.gauss(5, 2)))),
                "disability": rng.random() < 0.04,
                "vulnerability_score": round(rng.uniform(5, 95), 1),
                "consent_date": registered - timedelta(days=rng.randint(0, 5)),
                "registered_on": registered,
                # Most women have a bank account for transfers; the others are paid in cash.
                "rib": self.rib() if self.pay_rng.random() < 0.8 else None,
            }
            inputs.append(BeneficiaryCreate.model_validate(data))
            self.p_prov.append(self.prov_index[province])
            self.p_reg.append(registered.toordinal())
            self.p_birth.append(birth.toordinal())
            self.p_rural.append(data["milieu"] == "rural")
            self.p_archived.append(0)
            p_names.extend((first, last, script))
            p_phone.append(phone_code)
            if len(inputs) == REGISTER_CHUNK or i == self.n - 1:
                self.register(inputs, done)
                done += len(inputs)
                inputs = []
        self.counts["beneficiary"] = len(self.p_id)

    def register(self, inputs: list[BeneficiaryCreate], start: int) -> None:
        result = register_beneficiaries(self.uow, inputs, actor=ACTOR, today=self.as_of)
        if result.errors:
            refused = result.errors[0]
            raise RuleViolation(
                f"demo data refused at item {start + refused.index}: {refused.message}",
                code="demo.item_refused",
                params={"index": start + refused.index, "reason": refused.error})
        self.p_id.extend(result.created)
        self.progress("beneficiaries", len(inputs))

    # -- enrolments -----------------------------------------------------------------------
    def enrollments(self) -> None:
        rng = self.rng
        self.enrolled: list[_Enrolled] = []
        progs = self.program_rows
        archived: list[tuple[int, date]] = []
        restored: list[tuple[int, date, date]] = []
        sink = _Sink()
        table = sink.table(self, Enrollment, "enrollment", "apply",
                           lambda r: {"status": r["status"], "applied_on": r["applied_on"],
                                      "enrolled_on": r["enrolled_on"],
                                      "exited_on": r["exited_on"]})
        for i in range(self.n):
            bid = self.p_id[i]
            registered_on = date.fromordinal(self.p_reg[i])
            if rng.random() > 0.86:
                # Some who never applied leave the registry (moved away, asked to be removed);
                # a few come back and are restored, their archive period closed.
                if rng.random() < 0.15:
                    day = self.day_between(registered_on + timedelta(days=30), self.as_of)
                    back = day + timedelta(days=rng.randint(30, 150))
                    if back <= self.as_of and rng.random() < 0.2:
                        restored.append((bid, day, back))
                    elif day <= self.as_of:
                        archived.append((bid, day))
                        self.p_archived[i] = day.toordinal()
                continue
            choices = ["AWAL", "AWAL", "MOUBADARA"]
            if self.region_of[self.p_prov[i]] == "08":
                choices += ["TAMKINE-DT", "TAMKINE-DT", "TAMKINE-DT"]
            prog = progs[rng.choice(choices)]
            applied = max(registered_on, prog["start_date"]) + timedelta(
                days=rng.randint(0, 45))
            if applied > self.as_of or not PROGRAM_RUNNING.holds(prog, applied):
                continue
            row = {"beneficiary_id": bid, "program_id": prog["id"], "applied_on": applied,
                   "status": "applied", "enrolled_on": None, "rejected_on": None,
                   "exited_on": None, "exit_reason": None, "created_at": self.now}
            fate = rng.random()
            decided = applied + timedelta(days=rng.randint(5, 35))
            if decided <= self.as_of and PROGRAM_RUNNING.holds(prog, decided):
                if fate < 0.1:
                    row.update(status="rejected", rejected_on=decided)
                else:
                    row.update(status="enrolled", enrolled_on=decided)
                    months_in = (self.as_of - decided).days / 30.4
                    exit_day = None
                    if months_in > 12 and rng.random() < 0.45:
                        exit_day = _months(decided, 12) + timedelta(days=rng.randint(0, 20))
                        reason = "completed"
                    elif rng.random() < 0.12:
                        exit_day = decided + timedelta(days=rng.randint(20, 400))
                        reason = rng.choices(["dropped_out", "moved", "deceased", "other"],
                                             [70, 20, 2, 8])[0]
                    if exit_day is not None and exit_day <= self.as_of:
                        row.update(status="exited", exited_on=exit_day, exit_reason=reason)
            table.add(row)
            if row["enrolled_on"] is not None:
                self.enrolled.append(_Enrolled(
                    i, bid, prog["id"], self.day(row["enrolled_on"]),
                    self.day(row["exited_on"]) if row["exited_on"] else None))
            sink.maybe_flush()
        sink.flush()
        if archived:
            people = table_of(Beneficiary)
            self.uow.session.execute(
                update(people).where(people.c.id == bindparam("bid"))
                .values(archived_on=bindparam("day")),
                [{"bid": bid, "day": day} for bid, day in archived])
        periods = ([{"beneficiary_id": bid, "archived_on": day, "restored_on": None}
                    for bid, day in archived]
                   + [{"beneficiary_id": bid, "archived_on": day, "restored_on": back}
                      for bid, day, back in restored])
        insert_rows(self.uow, table_of(ArchivePeriod), periods)
        audit.record_many(self.uow, actor=ACTOR, action="archive", entity="beneficiary",
                          items=[(bid, {"archived_on": [None, day]}) for bid, day in archived]
                          + [(bid, {"archived_on": [None, day]}) for bid, day, _ in restored])
        audit.record_many(self.uow, actor=ACTOR, action="restore", entity="beneficiary",
                          items=((bid, {"archived_on": [day, None], "restored_on": back})
                                 for bid, day, back in restored))
        self.counts["archived"] = len(archived)
        self.counts["restored"] = len(restored)
        self.progress("enrolments", table.written)

    # -- calls for applications ---------------------------------------------------------------
    def intakes(self) -> None:
        """Calls for applications, after the grants (a rule reads grants in other programs)."""
        calls = _Targeting(self)
        calls.selected_call()
        calls.open_call()
        self.counts["intake"] = self.uow.session.scalar(
            select(func.count()).select_from(Intake)) or 0
        self.progress("intakes", self.counts["intake"])

    # -- cooperatives -----------------------------------------------------------------------
    def cooperatives(self) -> None:
        rng = self.rng
        n_coops = max(6, self.n // 40)
        rows = []
        for i in range(n_coops):
            province = self.provinces.draw(rng)
            region = self.province_region[province]
            word, word_ar = rng.choice(COOP_WORDS)
            sector = rng.choice(SECTORS_BY_REGION.get(region, DEFAULT_SECTORS))
            founded = self.as_of - timedelta(days=rng.randint(60, 3650))
            dissolved = None
            if rng.random() < 0.05:
                dissolved = self.day_between(max(founded, self.start) + timedelta(days=30), self.as_of)
            rows.append({
                "reference": f"COOP-{i + 1:05d}", "name": f"Coopérative {word} {i + 1}",
                "name_ar": f"تعاونية {word_ar} {i + 1}",
                "odco_registration": f"{rng.randint(1000, 99999)}/{founded.year}",
                "sector": sector, "province_code": province, "commune": rng.choice(COMMUNES),
                "founded_on": founded, "dissolved_on": dissolved,
                "women_led": rng.random() < 0.8, "created_at": self.now})
        ids = self.insert(Cooperative, rows, "cooperative", "found",
                          lambda r: {"reference": r["reference"], "founded_on": r["founded_on"]})
        self.coops = [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
        by_region: dict[str, list[dict[str, Any]]] = {}
        for c in self.coops:
            by_region.setdefault(self.province_region[c["province_code"]], []).append(c)
        roles_taken: dict[int, set[str]] = {}
        members = _Table(self, Membership, "membership", "admit",
                         lambda r: {"cooperative_id": r["cooperative_id"], "role": r["role"],
                                    "joined_on": r["joined_on"]})
        for i in range(self.n):
            if rng.random() > 0.3 or self.p_archived[i]:
                continue
            options = by_region.get(self.region_of[self.p_prov[i]]) or self.coops
            coop = rng.choice(options)
            joined = max(date.fromordinal(self.p_reg[i]), coop["founded_on"]) + timedelta(
                days=rng.randint(0, 120))
            if joined > self.as_of or not COOPERATIVE_ACTIVE.holds(coop, joined):
                continue
            taken = roles_taken.setdefault(coop["id"], set())
            role = next((r for r in ("president", "treasurer", "secretary", "vice_president")
                         if r not in taken), "member")
            taken.add(role)
            left = coop["dissolved_on"]
            if left is None and rng.random() < 0.08:
                left = self.day_between(joined, self.as_of)
            members.add({"cooperative_id": coop["id"], "beneficiary_id": self.p_id[i],
                         "role": role, "joined_on": joined, "left_on": left})
            if len(members.rows) >= CHUNK:
                members.flush()
        members.flush()
        self.progress("cooperatives", len(rows) + members.written)

    # -- grants and tranches ----------------------------------------------------------------
    def grants(self) -> None:
        rng = self.rng
        progs_by_id = {p["id"]: p for p in self.program_rows.values()}
        committed = {p["id"]: 0 for p in progs_by_id.values()}
        grants: list[dict[str, Any]] = []
        seq = 0

        def add(program: dict[str, Any], recipient: dict[str, Any], submitted: date,
                active_until: date | None, low: int, high: int) -> None:
            nonlocal seq
            seq += 1
            requested = rng.randint(low // 500, high // 500) * 500 * 100
            g = {"reference": f"{program['code']}-G-{seq:06d}", "program_id": program["id"],
                 **recipient, "purpose": rng.choice(
                     ["machine à coudre", "cheptel ovin", "matériel de transformation",
                      "fonds de roulement", "local commercial", "équipement apicole",
                      "presse à huile d'argan", "four traditionnel"]),
                 "status": "submitted", "amount_requested_centimes": requested,
                 "amount_approved_centimes": None, "disbursed_centimes": 0,
                 "submitted_on": submitted, "approved_on": None, "rejected_on": None,
                 "cancelled_on": None, "closed_on": None, "submitted_by": ACTOR,
                 "approved_by": None, "created_at": self.now}
            decided = submitted + timedelta(days=rng.randint(8, 40))
            end = program["end_date"]
            eligible_until = min(d for d in (active_until, end, self.as_of + timedelta(days=1))
                                 if d is not None)
            fate = rng.random()
            if decided <= self.as_of and decided < eligible_until + timedelta(days=0):
                cap = program["grant_cap_centimes"]
                amount = min(requested, cap) if fate < 0.7 else min(
                    cap, int(requested * rng.uniform(0.7, 1.0)) // 50_000 * 50_000 or requested)
                if fate < 0.86 and amount > 0 and (
                        committed[program["id"]] + amount <= program["budget_centimes"]):
                    committed[program["id"]] += amount
                    g.update(status="approved", approved_on=decided, approved_by=ACTOR,
                             amount_approved_centimes=amount)
                elif fate < 0.97:
                    g.update(status="rejected", rejected_on=decided)
            grants.append(g)

        for enr in self.enrolled:
            if rng.random() > 0.5:
                continue
            prog = progs_by_id[enr["program_id"]]
            submitted = enr["enrolled_on"] + timedelta(days=rng.randint(20, 120))
            if prog["min_completion_share"] is not None:
                # She applies once she has completed the training (the gate of approve_grant
                # and of every later tranche); a woman who did not complete gets no grant.
                done = self.completed_on.get((enr["beneficiary_id"], prog["id"]))
                if done is None:
                    continue
                submitted = max(submitted, done + timedelta(days=rng.randint(3, 20)))
            active_until = enr["exited_on"]
            if submitted > self.as_of or not ENROLLMENT_ACTIVE.holds(enr, submitted):
                continue
            add(prog, {"beneficiary_id": enr["beneficiary_id"], "cooperative_id": None},
                submitted, active_until, 5_000, 20_000)
        coop_prog = self.program_rows["COOP-PLUS"]
        for coop in self.coops:
            if rng.random() > 0.5:
                continue
            submitted = max(coop["founded_on"], coop_prog["start_date"]) + timedelta(
                days=rng.randint(10, 300))
            if submitted > self.as_of or not COOPERATIVE_ACTIVE.holds(coop, submitted):
                continue
            add(coop_prog, {"beneficiary_id": None, "cooperative_id": coop["id"]}, submitted,
                coop["dissolved_on"], 40_000, 150_000)

        plans = {p["id"]: [Decimal(v) for v in p["tranche_shares"]]
                 for p in progs_by_id.values() if p["tranche_shares"]}
        tranches: list[dict[str, Any]] = []
        for g in grants:
            if g["status"] != "approved":
                continue
            approved = g["amount_approved_centimes"]
            parts = rng.choice([1, 2, 2, 3])
            share = approved // parts
            plan = plans.get(g["program_id"])
            # A program paying through batches paid its history by hand until the payment
            # runs of its last months (payments()).
            until = self.as_of if plan is None else self.batches_from - timedelta(days=1)
            if plan is not None:
                parts = len(plan)
            paid_on = g["approved_on"] + timedelta(days=rng.randint(5, 45))
            g["first_paid_on"] = paid_on if paid_on <= until else None
            paid = 0
            for t in range(parts):
                if paid_on > until:
                    break
                if plan is not None:
                    step = next_tranche(approved, paid, t, plan)
                    assert step is not None
                    amount = step[1]
                else:
                    amount = approved - paid if t == parts - 1 else share
                tranches.append({"reference": f"{g['reference']}-T{t + 1}", "grant": g,
                                 "amount_centimes": amount, "paid_on": paid_on,
                                 "channel": rng.choices(["bank_transfer", "cash", "mobile_money",
                                                         "cheque"], [55, 15, 22, 8])[0],
                                 "created_at": self.now})
                paid += amount
                paid_on += timedelta(days=rng.randint(45, 120))
            g["disbursed_centimes"] = paid
            if paid == approved:
                g.update(status="closed", closed_on=tranches[-1]["paid_on"])
            elif rng.random() < 0.04:
                cancel_on = self.day_between(
                    tranches[-1]["paid_on"] if paid else g["approved_on"], self.as_of)
                g.update(status="cancelled", cancelled_on=cancel_on)
                committed[g["program_id"]] -= approved - paid
        first_paid = [g.pop("first_paid_on", None) for g in grants]
        ids = self.insert(Grant, grants, "grant", "submit",
                          lambda r: {"reference": r["reference"], "status": r["status"],
                                     "approved_on": r["approved_on"]})
        rows = ({k: v for k, v in t.items() if k != "grant"} | {"grant_id": t["grant"]["id"]}
                for t in tranches)
        tranche_ids = self.insert(Disbursement, rows, "disbursement", "pay",
                           lambda r: {"reference": r["reference"],
                                      "amount_centimes": r["amount_centimes"],
                                      "paid_on": r["paid_on"]})
        for pid, value in committed.items():
            self.uow.session.execute(update(Program).where(Program.id == pid)
                                     .values(committed_centimes=value))
        # What the visits and the surveys read of a grant.
        self.grant_rows = [_GrantSeen(gid, g["program_id"], g["beneficiary_id"],
                                      g["cooperative_id"], first, g["disbursed_centimes"] > 0)
                           for gid, g, first in zip(ids, grants, first_paid, strict=True)]
        self.progress("grants", len(grants) + len(tranche_ids))

    # -- trainings -------------------------------------------------------------------------
    def trainings(self) -> None:
        """A training per cohort: the women of a program enrolled in the same quarter, in
        groups of at most 30 by province, follow 8 to 20 weekly sessions starting after the
        quarter; a few sessions are cancelled and made up a few days later, those after
        ``as_of`` are still planned.

        Written as the activity services write them (an activity created, sessions planned,
        then held or cancelled, one roster per held session, each with the services' audit
        event), a chunk at a time: one service call per session would take hours at national
        scale. The services' rules are checked here with the same predicates: the activity
        and its sessions within the program's dates, a session within its activity's, a woman
        on a roster only while her enrolment is active (enrolled women are never archived)."""
        rng = self.rng
        by_id = {p["id"]: p for p in self.program_rows.values()}
        cohorts: dict[tuple[str, int], list[_Enrolled]] = {}
        for enr in self.enrolled:
            prog = by_id[enr.program_id]
            if prog["code"] not in TRAININGS:
                continue
            quarter = (enr.enrolled_on - prog["start_date"]).days // 91
            cohorts.setdefault((prog["code"], quarter), []).append(enr)
        self.completed_on: dict[tuple[int, int], date] = {}
        programs = {p.code: p for p in self.uow.session.scalars(select(Program))}
        sink = _Sink()
        activities = sink.table(self, Activity, "activity", "create", _activity_changes)
        # Counted as they are planned: the sessions made up for a cancelled one, not that one.
        sessions = sink.table(self, ActivitySession, "session", "plan", _session_changes,
                              count="")
        cancelled = sink.events(self, "session", "cancel")
        held = sink.events(self, "session", "hold")
        attendances = sink.table(self, Attendance, None, "", ids=False, count="attendance")
        rosters = sink.events(self, "session", "record_roster")
        seq = 0
        for (code, quarter), members in sorted(cohorts.items()):
            program = programs[code]
            # Groups of at most 30 women of neighbouring provinces.
            members.sort(key=lambda m: (self.prov_codes[self.p_prov[m.person]],
                                        m.beneficiary_id))
            # Steady habits: most women come almost always, some often, a few rarely.
            habit = {m.beneficiary_id: rng.choices([0.96, 0.86, 0.65, 0.3], [45, 30, 15, 10])[0]
                     for m in members}
            for group in (members[i:i + 30] for i in range(0, len(members), 30)):
                starts = (program.start_date + timedelta(days=(quarter + 1) * 91
                                                         + rng.randint(0, 14)))
                if starts > self.as_of + timedelta(days=30):
                    continue
                planned = rng.randint(8, 20)
                days = [starts + timedelta(days=7 * k) for k in range(planned)]
                if program.end_date is not None:
                    days = [d for d in days if d <= program.end_date - timedelta(days=5)]
                if not days:
                    continue
                seq += 1
                counts: dict[str, int] = {}
                for m in group:
                    prov = self.prov_codes[self.p_prov[m.person]]
                    counts[prov] = counts.get(prov, 0) + 1
                activity: dict[str, Any] = {
                    "program_id": program.id, "code": f"{code}-F{seq:04d}", "kind": "training",
                    "title": rng.choice(TRAININGS[code]),
                    "partner_id": rng.choice(self.partner_ids),
                    "province_code": max(sorted(counts), key=lambda c: counts[c]),
                    "starts_on": starts, "ends_on": days[-1] + timedelta(days=5),
                    "planned_sessions": len(days), "completion_share": 0.8,
                    "created_at": self.now}
                check_program_running(program, activity["starts_on"], field="starts_on")
                check_program_running(program, activity["ends_on"], field="ends_on")
                activity_id = activities.add(activity)
                facilitator = f"{rng.choice(FIRST_NAMES)[0]} {rng.choice(LAST_NAMES)[0]}"
                present: dict[int, int] = {}
                for k, day in enumerate(days):
                    ref = f"{activity['code']}-S{k + 1:02d}"
                    if day <= self.as_of and rng.random() < 0.06:
                        # Cancelled (a souk day, the rain) and made up three days later.
                        off = sessions.add(self._session(
                            activity, activity_id, f"{ref}X", day, facilitator, "cancelled"))
                        cancelled.add(off, {"status": ["planned", "cancelled"],
                                            "reason": "reportée"})
                        day += timedelta(days=3)
                    status = "held" if day <= self.as_of else "planned"
                    session_id = sessions.add(self._session(
                        activity, activity_id, ref, day, facilitator, status))
                    self.counts["session"] = self.counts.get("session", 0) + 1
                    if status == "planned":
                        continue  # still planned
                    held.add(session_id, {"status": ["planned", "held"]})
                    marks = {"present": 0, "absent": 0, "excused": 0}
                    for m in group:
                        if not ENROLLMENT_ACTIVE.holds_between(m.enrolled_on, m.exited_on, day):
                            continue
                        bid = m.beneficiary_id
                        if rng.random() < habit[bid]:
                            mark = "present"
                            present[bid] = present.get(bid, 0) + 1
                            minimum = program.min_completion_share
                            if (minimum is not None and (bid, program.id) not in self.completed_on
                                    and completion_met(present[bid], len(days), minimum)):
                                self.completed_on[(bid, program.id)] = day
                        else:
                            mark = "excused" if rng.random() < 0.35 else "absent"
                        marks[mark] += 1
                        attendances.add({"session_id": session_id, "beneficiary_id": bid,
                                         "status": mark})
                    lines = sum(marks.values())
                    if lines:
                        # The event record_roster writes: counts, never who.
                        rosters.add(session_id, {**marks, "added": lines, "changed": []})
                sink.maybe_flush()
        sink.flush()
        self.progress("trainings", seq)

    def _session(self, activity: dict[str, Any], activity_id: int, reference: str, day: date,
                 facilitator: str, status: str) -> dict[str, Any]:
        # plan_session's rule: within the activity's dates and the program's.
        if not ACTIVITY_RUNNING.holds(activity, day):
            raise RuleViolation(f"demo session {reference} outside its activity",
                                code="demo.item_refused", params={"index": reference,
                                                                   "reason": "session"})
        return {"activity_id": activity_id, "reference": reference, "scheduled_on": day,
                "commune": self.rng.choice(COMMUNES), "facilitator": facilitator,
                "status": status, "created_at": self.now}

    # -- coaching visits --------------------------------------------------------------------
    def visits(self) -> None:
        """A coach visits each funded project every one to two months during its first year
        after the first tranche; a few follow-ups lapse, their next visit overdue."""
        rng = self.rng
        coops = {c["id"]: c for c in self.coops}
        table = _Table(self, CoachingVisit, "visit", "record",
                       lambda r: {"reference": r["reference"], "visited_on": r["visited_on"],
                                  "note": None if r["note"] is None else audit.REDACTED})
        count = 0
        for g in self.grant_rows:
            paid = g.first_paid_on
            if paid is None:
                continue
            if g.beneficiary_id is not None:
                until = self.archived_on(self.index_of(g.beneficiary_id))
            else:
                until = coops[g.cooperative_id]["dissolved_on"]
            last_day = min(d for d in (self.as_of, paid + timedelta(days=365),
                                       until - timedelta(days=1) if until else None) if d)
            visit = paid + timedelta(days=rng.randint(7, 40))
            lapses = rng.random() < 0.15
            while visit <= last_day:
                due = visit + timedelta(days=rng.randint(30, 60))
                count += 1
                table.add({
                    "reference": f"V-{count:06d}", "program_id": g.program_id,
                    "beneficiary_id": g.beneficiary_id, "cooperative_id": g.cooperative_id,
                    "visited_on": visit,
                    "kind": rng.choices(["on_site", "phone", "group"], [60, 30, 10])[0],
                    "next_visit_due": due if due <= paid + timedelta(days=365) else None,
                    "note": rng.choice(VISIT_NOTES), "created_at": self.now})
                if lapses and rng.random() < 0.4:
                    break  # the coach stopped coming: the next visit is overdue
                visit = due + timedelta(days=rng.randint(-5, 10))
            if len(table.rows) >= CHUNK:
                table.flush()
        table.flush()
        self.progress("visits", count)

    # -- payment runs ---------------------------------------------------------------------------
    def payments(self) -> None:
        """MOUBADARA's last months through the payment-run services, so their rules are the
        services' own: each month a transfer batch (women with a RIB) and a cash-out batch (the
        others, by CIN) built by the finance officer, approved by the admin, sent, and
        reconciled from the provider's answer: mostly paid, a few transfers failed (account
        closed, wrong RIB), a few cash-outs returned (not collected in time). The last month's
        transfer batch is sent, not yet reconciled (its amount in flight), and its cash-out
        batch waits for approval."""
        rng = self.pay_rng
        uow = self.uow
        # "!" is no hash: nobody logs in as them until an admin sets a password.
        uow.session.add_all([
            User(username=BATCH_BUILDER, password_hash="!", role=Role.OFFICER),  # noqa: S106
            User(username=BATCH_APPROVER, password_hash="!", role=Role.ADMIN)])  # noqa: S106
        uow.session.flush()
        builder, approver = f"user:{BATCH_BUILDER}", f"user:{BATCH_APPROVER}"
        program_id = self.program_rows["MOUBADARA"]["id"]
        counts = {"payment_batch": 0, "payment_instruction": 0}
        last = len(PAYMENT_RUN_DAYS) - 1
        for month, days in enumerate(PAYMENT_RUN_DAYS):
            planned = self.as_of - timedelta(days=days)
            for channel in (PaymentChannel.BANK_TRANSFER, PaymentChannel.CASH_OUT):
                built = build_batch(uow, BatchCreate(
                    program_id=program_id, channel=channel, planned_on=planned,
                    provider="Attijariwafa bank" if channel == PaymentChannel.BANK_TRANSFER
                    else "Barid Cash"), actor=builder)
                if built.batch is None:
                    continue
                batch = built.batch
                counts["payment_batch"] += 1
                counts["payment_instruction"] += built.instructions
                if month == last and channel == PaymentChannel.CASH_OUT:
                    break  # awaiting approval
                approved_on = planned + timedelta(days=rng.randint(0, 2))
                approve_batch(uow, batch.id, on=approved_on, actor=approver)
                sent_on = approved_on + timedelta(days=rng.randint(0, 1))
                send_batch(uow, batch.id, on=sent_on, actor=builder)
                if month == last:
                    continue  # sent, the provider has not answered yet
                refs = [ins.reference for ins in batch.instructions]
                unpaid = ("failed" if channel == PaymentChannel.BANK_TRANSFER else "returned")
                bad = {i for i in range(len(refs)) if rng.random() < 0.08}
                if not bad and len(refs) > 1:
                    bad = {rng.randrange(len(refs))}
                lines = []
                for i, ref in enumerate(refs):
                    if i in bad:
                        lines.append(ReturnLine(
                            line=i + 2, reference=ref, status=unpaid,
                            reason=(rng.choice(TRANSFER_FAILURES) if unpaid == "failed"
                                    else "non retiré dans le délai")))
                    else:
                        lines.append(ReturnLine(
                            line=i + 2, reference=ref, status=InstructionStatus.PAID,
                            paid_on=sent_on + timedelta(days=rng.randint(1, 6)),
                            provider_reference=f"{rng.randint(10 ** 9, 10 ** 10 - 1)}"))
                answered = sent_on + timedelta(days=7)
                reconcile_batch(uow, batch.id, lines, actor=builder, on=answered)
                if month == 0:
                    close_batch(uow, batch.id, on=answered + timedelta(days=3), actor=builder)
        self.counts.update(counts)
        self.progress("payments", counts["payment_instruction"])

    # -- surveys ------------------------------------------------------------------------------
    def surveys(self) -> None:
        rng = self.rng
        paid_women = {g.beneficiary_id for g in self.grant_rows if g.beneficiary_id and g.paid}
        table = _Table(self, SurveyRecord, "survey", "record",
                       lambda r: {"round": r["round"], "surveyed_on": r["surveyed_on"]})
        for enr in self.enrolled:
            bid = enr.beneficiary_id
            base_day = enr.enrolled_on + timedelta(days=rng.randint(0, 10))
            if base_day > self.as_of:
                continue
            income = 0 if rng.random() < 0.3 else int(rng.lognormvariate(6.4, 0.6))
            has_account = rng.random() < 0.27
            grantee = bid in paid_women
            table.add(self._survey(enr, "baseline", base_day, income, has_account, False, 0))
            for rnd, months, response in (("m6", 6, 0.85), ("m12", 12, 0.75), ("m24", 24, 0.65)):
                day = _months(enr.enrolled_on, months) + timedelta(days=rng.randint(-10, 20))
                if day > self.as_of or rng.random() > response:
                    continue
                growth = rng.gauss(0.35 if grantee else 0.08, 0.3) * (months / 12) ** 0.5
                income = max(0, int((income or 300) * (1 + growth)))
                has_account = has_account or rng.random() < (0.3 if grantee else 0.1)
                operating = grantee and rng.random() < 0.78
                jobs = rng.choices([0, 1, 2, 3], [60, 25, 10, 5])[0] if operating else 0
                table.add(self._survey(enr, rnd, day, income, has_account, operating, jobs))
            if len(table.rows) >= CHUNK:
                table.flush()
        table.flush()
        self.progress("surveys", table.written)

    def _survey(self, enr: _Enrolled, rnd: str, day: date, income: int, account: bool,
                operating: bool, jobs: int) -> dict[str, Any]:
        return {"beneficiary_id": enr.beneficiary_id, "program_id": enr.program_id,
                "round": rnd, "surveyed_on": day, "monthly_income_centimes": income * 100,
                "has_savings": self.rng.random() < (0.5 if account else 0.2),
                "has_account": account, "borrowed_formal": self.rng.random() < 0.12,
                "business_operating": operating if rnd != "baseline" else None,
                "jobs_created": jobs if rnd != "baseline" else None, "created_at": self.now}


class _Targeting:
    """The demo's calls for applications, through the targeting services (so every stored
    result is what the rules say): a call of AWAL in the region with the most women who could
    apply, judged, one refusal overridden with a reason, selected 40 days before ``as_of`` with
    a waiting list, a selected woman dropping out and the first on the list promoted; and a call
    of MOUBADARA still open."""

    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.uow = gen.uow

    def pool(self, program: dict[str, Any], before: date) -> list[int]:
        """Women who could apply to ``program`` until ``before`` (their positions in the
        registration order): registered, never archived, not already applied to it."""
        gen = self.gen
        session = self.uow.session
        taken = set(session.scalars(select(Enrollment.beneficiary_id)
                                    .where(Enrollment.program_id == program["id"])))
        taken.update(session.scalars(select(ArchivePeriod.beneficiary_id)))
        last = before.toordinal()
        return [i for i in range(len(gen.p_id))
                if gen.p_id[i] not in taken and gen.p_reg[i] <= last]

    def busiest(self, pool: list[int], skip: str | None = None) -> str:
        counts: dict[str, int] = {}
        for i in pool:
            region = self.gen.region_of[self.gen.p_prov[i]]
            if region != skip:
                counts[region] = counts.get(region, 0) + 1
        return max(sorted(counts), key=lambda r: counts[r])

    def applicants(self, pool: list[int], region: str, opens: date, closes: date,
                   rural: float, urban: float, most: int) -> list[tuple[date, dict[str, Any]]]:
        rng = self.gen.rng
        out = []
        for i in pool:
            if self.gen.region_of[self.gen.p_prov[i]] != region:
                continue
            person = self.gen.person(i)
            chance = rural if person["milieu"] == "rural" else urban
            if age_on(person["birth_date"], closes) > 45:
                chance *= 0.3  # a call for women up to 45: fewer older women apply
            if rng.random() < chance:
                out.append((self.gen.day_between(max(opens, person["registered_on"]), closes),
                            person))
        out = out[:most]
        return sorted(out, key=lambda t: (t[0], t[1]["id"]))

    def call(self, program: dict[str, Any], code: str, name: str, region: str, opens: date,
             closes: date, places: int, rules: list[dict[str, Any]],
             promote_until: date | None) -> Intake:
        data = IntakeCreate(program_id=program["id"], code=code, name=name, opens_on=opens,
                            closes_on=closes, places=places, region_codes=[region], rules=rules,
                            weights=CALL_WEIGHTS, promote_until=promote_until)
        intake = create_intake(self.uow, data, actor=ACTOR)
        return open_intake(self.uow, intake.id, on=opens, actor=ACTOR)

    def apply_all(self, intake: Intake, program: dict[str, Any],
                  applicants: list[tuple[date, dict[str, Any]]]) -> list[Enrollment]:
        return [apply(self.uow, EnrollmentCreate(beneficiary_id=person["id"],
                                                 program_id=program["id"], applied_on=day,
                                                 intake_id=intake.id), actor=ACTOR)
                for day, person in applicants]

    def selected_call(self) -> None:
        gen = self.gen
        awal = gen.program_rows["AWAL"]
        opens = gen.as_of - timedelta(days=100)
        closes = gen.as_of - timedelta(days=50)
        selected_on = gen.as_of - timedelta(days=40)
        pool = self.pool(awal, closes)
        if not pool:
            return
        region = self.busiest(pool)
        applicants = self.applicants(pool, region, opens, closes, 0.9, 0.25, 400)
        # Places: about two thirds of those the rules will find eligible (the pure rules, on a
        # call not yet stored), so that some wait.
        draft = Intake(program_id=awal["id"], code="-", closes_on=closes, rules=CALL_RULES,
                       weights=CALL_WEIGHTS, province_codes=None, region_codes=[region])
        women = {b.id: b for b in self.uow.session.scalars(select(Beneficiary).where(
            Beneficiary.id.in_([p["id"] for _, p in applicants])))}
        eligible = sum(evaluate(self.uow, draft, women[p["id"]], day).eligible
                       for day, p in applicants) + 1
        places = max(1, min(eligible * 2 // 3, eligible - 1))
        intake = self.call(awal, f"AWAL-{closes.year}-R{region}",
                           f"Appel à candidatures Awal {closes.year}, région {region}", region,
                           opens, closes, places, CALL_RULES, closes + timedelta(days=90))
        apps = self.apply_all(intake, awal, applicants)
        # One refusal on a single criterion (age or score) is taken back by the committee.
        for enrollment in apps:
            failed = [r["field"] for r in enrollment.rule_results or []
                      if r["outcome"] != "passed"]
            if failed in (["age"], ["vulnerability_score"]):
                override_refusal(self.uow, enrollment.id, reason=OVERRIDE_REASON, actor=ACTOR)
                break
        close_intake(self.uow, intake.id, on=closes + timedelta(days=1), actor=ACTOR)
        result = select_intake(self.uow, intake.id, on=selected_on, actor=ACTOR)
        gen.counts["application"] = gen.counts.get("application", 0) + len(apps)
        gen.counts["selected"] = len(result.selected)
        gen.counts["waitlisted"] = len(result.waitlisted)
        if result.selected and result.waitlisted:
            exit_enrollment(self.uow, result.selected[-1], on=selected_on + timedelta(days=15),
                            reason="dropped_out", actor=ACTOR)
            promoted = promote_waitlisted(self.uow, intake.id,
                                          on=selected_on + timedelta(days=20), actor=ACTOR)
            gen.counts["promoted"] = len(promoted)

    def open_call(self) -> None:
        gen = self.gen
        program = gen.program_rows["MOUBADARA"]
        opens = gen.as_of - timedelta(days=20)
        if not PROGRAM_RUNNING.holds(program, opens):
            return
        pool = self.pool(program, gen.as_of)
        if not pool:
            return
        # another region than the first call's, when there is one
        first = self.busiest(pool)
        regions = {self.gen.region_of[self.gen.p_prov[i]] for i in pool}
        region = self.busiest(pool, skip=first) if len(regions) > 1 else first
        rules: list[dict[str, Any]] = [{"field": "vulnerability_score", "op": "<", "value": 50},
                 {"field": "enrolled_elsewhere", "op": "is false"}]
        intake = self.call(program, f"MOUBADARA-{gen.as_of.year}-R{region}",
                           f"Appel Moubadara {gen.as_of.year}, région {region}", region, opens,
                           gen.as_of + timedelta(days=25), 10, rules, None)
        apps = self.apply_all(intake, program,
                              self.applicants(pool, region, opens, gen.as_of, 0.3, 0.3, 12))
        gen.counts["application"] = gen.counts.get("application", 0) + len(apps)


def generate(db: Database, *, beneficiaries: int = 2000, seed: int = 7, as_of: date | None = None,
             progress: Callable[[str, int], None] | None = None) -> DemoSummary:
    """Fill an empty, migrated database with about two years of program activity up to ``as_of``.

    Refuses a database that already holds beneficiaries. ``progress(stage, n)`` is called as
    work advances (the CLI draws a progress bar with it).
    """
    if beneficiaries < 1:
        raise InvalidInput("beneficiaries: at least 1", code="demo.too_few", field="beneficiaries",
                           value=beneficiaries)
    as_of = as_of or utcnow().date()
    with db.unit_of_work() as uow:
        existing = uow.session.scalar(select(func.count()).select_from(Beneficiary)) or 0
        if existing:
            raise RuleViolation(f"the database already holds {existing} beneficiaries; demo data "
                                f"goes into an empty database", code="demo.not_empty",
                                params={"existing": existing})
        if uow.dialect == "sqlite":
            # The indexes of a national registry outgrow SQLite's 2 MB page cache long before
            # the end: every insert would read its index pages back from the file.
            uow.session.connection().exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        # Statements planned for their values: a plan made while the tables were empty would
        # stay for the whole run (planned_each_time).
        with planned_each_time(uow):
            gen = _Generator(uow, beneficiaries, seed, as_of, progress or (lambda _s, _n: None))
            gen.programs()
            gen.beneficiaries()
            gen.enrollments()
            gen.cooperatives()
            gen.trainings()
            gen.grants()
            gen.visits()
            gen.surveys()
            gen.intakes()
            gen.payments()
            _grievances(gen)
            # The logframe and the partners' contributions (its own module: a few hundred rows
            # through the services).
            from empower.demo_results import generate_results

            gen.counts.update(generate_results(uow, seed=seed, as_of=as_of))
        gen.counts["duplicate_candidate"] = uow.session.scalar(
            select(func.count()).select_from(DuplicateCandidate)) or 0
        if uow.dialect == "sqlite":
            uow.session.connection().exec_driver_sql("PRAGMA cache_size=-2000")  # the default
        uow.commit()
    return DemoSummary(as_of=as_of, counts=gen.counts)
