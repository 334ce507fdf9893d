"""Read the dated facts a report needs, letting the database join, filter and aggregate.

Each query returns a pandas frame shaped for :mod:`empower.reports.kpis`. The database does the
joins (province -> region, grant -> recipient), bands ages at the report month's end with plain
date comparisons, drops facts that cannot matter for the months asked, and where a KPI counts
facts rather than women it groups identical facts (``COUNT(*) AS n``, ``SUM(amount)``) after
moving every date before the window to the day before it and every later date to the day after
(so a year of history collapses to a few dozen distinct dates per province and age band,
without changing any comparison the KPI functions make).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from datetime import date
from enum import Enum
from typing import Any

import numpy as np
import pandas as pd
from empower.reports.period import (
    Month,
    day_after,
    day_before,
    survival_cutoff,
    visit_window_start,
)
from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import ColumnElement, operators
from sqlalchemy.sql.elements import UnaryExpression

from empower.db import UnitOfWork
from empower.errors import NotFound
from empower.models import (
    Activity,
    ActivitySession,
    Attendance,
    Base,
    Beneficiary,
    CoachingVisit,
    Cooperative,
    Disbursement,
    Enrollment,
    Grant,
    Grievance,
    GrievanceStep,
    Intake,
    Membership,
    PaymentBatch,
    PaymentInstruction,
    Program,
    Province,
    Region,
    SurveyRecord,
)
from empower.predicates import ARCHIVED, age_band_sql, attended_sql
from empower.vocab import ActivityKind

__all__ = ["Facts", "Scope", "extract", "rewindow"]


@dataclass(frozen=True)
class Scope:
    """The filters a report was asked for (``None``: everything)."""

    region: str | None = None
    program: str | None = None

    @property
    def key(self) -> str:
        """The scope as a snapshot stores it: ``"all"`` or e.g. ``"region=02;program=AWAL"``."""
        parts = [f"{k}={v}" for k, v in (("region", self.region), ("program", self.program)) if v]
        return ";".join(parts) or "all"

    def as_dict(self) -> dict[str, str | None]:
        return {"region": self.region, "program": self.program}


@dataclass
class Facts:
    """Everything read from the database for one report (or one trend window)."""

    first: Month
    last: Month
    people: pd.DataFrame
    enrolments: pd.DataFrame
    cooperatives: pd.DataFrame
    memberships: pd.DataFrame
    grants: pd.DataFrame
    disbursements: pd.DataFrame
    first_disbursements: pd.DataFrame
    cohort: pd.DataFrame
    surveys: pd.DataFrame
    jobs: pd.DataFrame
    sessions: pd.DataFrame
    roster: pd.DataFrame
    training_lines: pd.DataFrame
    visits: pd.DataFrame
    funded: pd.DataFrame
    visited: pd.DataFrame
    instructions: pd.DataFrame
    paid_lines: pd.DataFrame
    # targeting (docs/kpis.md, targeting): see _targeting
    intakes: pd.DataFrame
    applications: pd.DataFrame
    regions: list[str] = field(default_factory=list)
    # grievances (docs/kpis.md, grievances): see _grievances. Defaults: facts built by hand
    # (the KPI functions' tests) need not carry them.
    grievances: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["region", "category", "received_on", "n"]))
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["region", "category", "on", "opened_on", "due_on"]))

    def frames(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), pd.DataFrame)}

    def checksum(self) -> str:
        """SHA-256 over every frame read, independent of row order: same data, same checksum."""
        digest = hashlib.sha256()
        for name, frame in sorted(self.frames().items()):
            digest.update(f"{name}:{','.join(frame.columns)}:{len(frame)}\n".encode())
            if len(frame):
                rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
                digest.update(np.sort(rows).tobytes())
        return digest.hexdigest()


class _Window:
    """Bound parameters shared by the queries of one extract."""

    def __init__(self, first: Month, last: Month, band_end: date | None, dialect: str) -> None:
        self.dialect = dialect
        self.first = first
        self.start = first.start
        self.end = last.end
        self.lo = day_before(self.start)
        self.hi = day_after(self.end)
        self.band_end = band_end
        # One month (a report) rather than a trend's window: facts may be decided as of its end.
        self.single_month = first.end == last.end

    def upto(self, col: Any) -> ColumnElement[bool]:
        """``col <= end``, a condition most rows meet: on SQLite, read the table in order.

        SQLite would otherwise walk the date index and fetch nearly every row by rowid, three
        times slower than a plain scan; a unary ``+`` keeps it off the index (PostgreSQL's
        planner makes that choice from its statistics).
        """
        if self.dialect == "sqlite":
            col = UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)
        return col <= self.end

    def unindexed(self, col: Any) -> Any:
        """``col`` as SQLite may not read it through an index (PostgreSQL: ``col``).

        Grouping by an indexed column makes SQLite walk that index and fetch every row it
        names by rowid; driving the join from the small table and sorting is twice as fast.
        """
        if self.dialect == "sqlite":
            return UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)
        return col

    def clamp(self, col: Any, name: str) -> ColumnElement[Any]:
        lo, hi = literal(self.lo, Date), literal(self.hi, Date)
        return case((col < lo, lo), (col > hi, hi), else_=col).label(name)

    def archive_periods(self, beneficiary_id: Any) -> ColumnElement[Any]:
        """Her archive periods meeting the window, as text (:meth:`Periods.frame_sql`)."""
        return ARCHIVED.frame_sql(beneficiary_id, self.lo, self.hi).label(ARCHIVED.column)

    def age_band(self, birth: Any) -> ColumnElement[Any]:
        if self.band_end is None:
            return literal("").label("age_band")
        return age_band_sql(birth, self.band_end).label("age_band")

    def person_dims(self, b: Any, p: Any) -> list[ColumnElement[Any]]:
        """Her region, province, age band and milieu (constants when only totals are wanted)."""
        if self.band_end is None:
            return [literal("").label(n) for n in ("region", "province", "age_band", "milieu")]
        return [p.region_code.label("region"), b.province_code.label("province"),
                self.age_band(b.birth_date),
                # as plain text: "unknown" is not a Milieu, the enum type would refuse it
                func.coalesce(type_coerce(b.milieu, String), "unknown").label("milieu")]


_CHUNK = 50_000


def _shared(values: np.ndarray, seen: dict[Any, Any]) -> np.ndarray:
    """``values`` with equal texts and dates made one object each (``seen`` keeps them).

    The driver returns a new object for every cell; a million survey records would hold
    millions of copies of "18-24" and of each date. Shared, a cell costs its 8-byte pointer.
    """
    first = next((v for v in values if v is not None), None)
    if not isinstance(first, str | date):
        return values
    codes, uniques = pd.factorize(values)  # None -> -1
    kept = np.empty(len(uniques) + 1, dtype=object)
    kept[:-1] = [seen.setdefault(v, v) for v in uniques]
    kept[-1] = None
    return kept[codes]


def _frame(uow: UnitOfWork, stmt: Any) -> pd.DataFrame:
    result = uow.session.execute(stmt)
    keys = list(result.keys())
    # One 2-D object array per chunk of rows, sliced by column: far cheaper than letting pandas
    # inspect each Row, and chunks keep the driver's own copies of a big result from piling up.
    seen: list[dict[Any, Any]] = [{} for _ in keys]
    parts: list[list[np.ndarray]] = [[] for _ in keys]
    for rows in result.partitions(_CHUNK):
        data = np.array([tuple(row) for row in rows], dtype=object).reshape(-1, len(keys))
        for i in range(len(keys)):
            parts[i].append(_shared(data[:, i], seen[i]))
        del data
    frame = pd.DataFrame({k: np.concatenate(parts[i]) if parts[i] else np.empty(0, dtype=object)
                          for i, k in enumerate(keys)})
    del parts
    for col in frame.columns:
        values = frame[col]
        index = values.first_valid_index()
        first = None if index is None else values.at[index]
        if isinstance(first, Enum):  # vocabularies -> their stored values
            frame[col] = values.map(lambda v: None if v is None else v.value)
        elif isinstance(first, bool | int) and values.notna().all():
            frame[col] = values.astype("bool" if isinstance(first, bool) else "int64")
    return frame


def _grouped(uow: UnitOfWork, inner: Any, sums: dict[str, str] | None = None) -> pd.DataFrame:
    """``SELECT cols, COUNT(*) AS n [, SUM(x) AS y] FROM (inner) GROUP BY cols``."""
    sub = inner.subquery()
    sums = sums or {}
    keys = [c for c in sub.c if c.name not in sums]
    stmt = (select(*keys, func.count().label("n"),
                   *[func.sum(sub.c[src]).label(dst) for src, dst in sums.items()])
            .group_by(*keys))
    return _frame(uow, stmt)


def _split(uow: UnitOfWork, stmt: Any, who: Any, several: Any) -> pd.DataFrame:
    """Rows of women with one row each, grouped and counted; rows of the others, with her id.

    Distinct-woman KPIs need ids only to avoid counting a woman twice, so a woman with a single
    relevant row travels as part of a count (see ``kpis._distinct``).
    """
    alone = _grouped(uow, stmt.where(who.not_in(several)))
    alone.insert(0, "beneficiary_id", pd.array([pd.NA] * len(alone), dtype="Int64"))
    many = _frame(uow, stmt.add_columns(who.label("beneficiary_id")).where(who.in_(several)))
    many["n"] = 1
    many["beneficiary_id"] = many["beneficiary_id"].astype("Int64")
    return pd.concat([alone, many[alone.columns]], ignore_index=True) if len(many) else alone


def _program_id(uow: UnitOfWork, code: str | None) -> int | None:
    if code is None:
        return None
    pid = uow.session.scalar(select(Program.id).where(Program.code == code))
    if pid is None:
        raise NotFound(f"program: no program with code '{code}'", code="report.unknown_program",
                       params={"code": code}, field="program", value=code)
    return pid


def _check_region(uow: UnitOfWork, code: str | None) -> None:
    if code is not None and uow.session.get(Region, code) is None:
        raise NotFound(f"region: no region with code '{code}'", code="report.unknown_region",
                       params={"code": code}, field="region", value=code)


def extract(uow: UnitOfWork, first: Month, last: Month, scope: Scope | None = None, *,
            dimensions: bool = True, frames: Collection[str] | None = None) -> Facts:
    """Read the facts for the months ``first``..``last`` (one for a report, twelve for a trend).

    With ``dimensions`` the rows carry region, province, age band (at ``last``'s end) and milieu;
    without, those columns are empty strings and only totals can be computed (cheaper). With
    ``frames`` only those frames are read (a trend reads what its KPIs need); the others stay
    empty. An unknown region or program code raises :class:`~empower.errors.NotFound`.
    """
    scope = scope or Scope()

    def wanted(name: str) -> bool:
        return frames is None or name in frames

    _check_region(uow, scope.region)
    pid = _program_id(uow, scope.program)
    w = _Window(first, last, last.end if dimensions else None, uow.dialect)
    b, p = Beneficiary.__table__.alias("b"), Province.__table__.alias("p")
    person = b.join(p, p.c.code == b.c.province_code)

    def person_scope(stmt: Any) -> Any:
        if scope.region:
            stmt = stmt.where(p.c.region_code == scope.region)
        if pid is not None:
            e2 = Enrollment.__table__.alias("e2")
            stmt = stmt.where(exists().where(e2.c.beneficiary_id == b.c.id, e2.c.program_id == pid))
        return stmt

    dims = w.person_dims(b.c, p.c)

    people = _grouped(uow, person_scope(
        select(*dims, w.clamp(b.c.registered_on, "registered_on"),
               w.archive_periods(b.c.id))
        .select_from(person).where(w.upto(b.c.registered_on))))

    def enrollment_rows(alias: Any) -> list[Any]:
        conds = [alias.c.enrolled_on.is_not(None), w.upto(alias.c.enrolled_on),
                 or_(alias.c.exited_on.is_(None), alias.c.exited_on >= w.start)]
        return conds + ([alias.c.program_id == pid] if pid is not None else [])

    e, e_many = Enrollment.__table__.alias("e"), Enrollment.__table__.alias("e_many")
    enroll_stmt = (
        select(*dims, w.archive_periods(b.c.id),
               w.clamp(e.c.enrolled_on, "enrolled_on"), w.clamp(e.c.exited_on, "exited_on"),
               type_coerce(e.c.exit_reason, String).label("exit_reason"))
        .select_from(e.join(b, b.c.id == e.c.beneficiary_id).join(p, p.c.code == b.c.province_code))
        .where(*enrollment_rows(e)))
    if scope.region:
        enroll_stmt = enroll_stmt.where(p.c.region_code == scope.region)
    several = (select(e_many.c.beneficiary_id).where(*enrollment_rows(e_many))
               .group_by(e_many.c.beneficiary_id).having(func.count() > 1))
    enrolments = _split(uow, enroll_stmt, e.c.beneficiary_id, several)

    c, pc = Cooperative.__table__.alias("c"), Province.__table__.alias("pc")
    m = Membership.__table__.alias("m")
    e3 = Enrollment.__table__.alias("e3")
    m2 = Membership.__table__.alias("m2")
    coop_dims = ([pc.c.region_code.label("region"), c.c.province_code.label("province")]
                 if dimensions else [literal("").label("region"), literal("").label("province")])
    coop_stmt = (select(*coop_dims, w.clamp(c.c.founded_on, "founded_on"),
                        w.clamp(c.c.dissolved_on, "dissolved_on"), c.c.women_led)
                 .select_from(c.join(pc, pc.c.code == c.c.province_code))
                 .where(c.c.founded_on <= w.end))
    if scope.region:
        coop_stmt = coop_stmt.where(pc.c.region_code == scope.region)
    if pid is not None:
        coop_stmt = coop_stmt.where(exists().where(
            m2.c.cooperative_id == c.c.id, e3.c.beneficiary_id == m2.c.beneficiary_id,
            e3.c.program_id == pid))
    cooperatives = _grouped(uow, coop_stmt)

    def membership_rows(alias: Any) -> list[Any]:
        return [alias.c.joined_on <= w.end,
                or_(alias.c.left_on.is_(None), alias.c.left_on >= w.start)]

    m_many = Membership.__table__.alias("m_many")
    member_stmt = (
        select(*dims, w.archive_periods(b.c.id),
               w.clamp(m.c.joined_on, "joined_on"), w.clamp(m.c.left_on, "left_on"),
               w.clamp(c.c.founded_on, "founded_on"), w.clamp(c.c.dissolved_on, "dissolved_on"))
        .select_from(m.join(c, c.c.id == m.c.cooperative_id)
                     .join(b, b.c.id == m.c.beneficiary_id)
                     .join(p, p.c.code == b.c.province_code))
        .where(*membership_rows(m)))
    several = (select(m_many.c.beneficiary_id).where(*membership_rows(m_many))
               .group_by(m_many.c.beneficiary_id).having(func.count() > 1))
    memberships = (_split(uow, person_scope(member_stmt), m.c.beneficiary_id, several)
                   if wanted("memberships") else pd.DataFrame())

    # Grants: the recipient is a woman (her dimensions) or a cooperative (its place).
    g = Grant.__table__.alias("g")
    gb, gpb = Beneficiary.__table__.alias("gb"), Province.__table__.alias("gpb")
    gc, gpc = Cooperative.__table__.alias("gc"), Province.__table__.alias("gpc")
    recipients = (g.outerjoin(gb, gb.c.id == g.c.beneficiary_id)
                  .outerjoin(gpb, gpb.c.code == gb.c.province_code)
                  .outerjoin(gc, gc.c.id == g.c.cooperative_id)
                  .outerjoin(gpc, gpc.c.code == gc.c.province_code))
    if dimensions:
        is_coop = g.c.cooperative_id.is_not(None)
        grant_dims = [
            func.coalesce(gpb.c.region_code, gpc.c.region_code).label("region"),
            func.coalesce(gb.c.province_code, gc.c.province_code).label("province"),
            case((is_coop, "cooperative"), else_=w.age_band(gb.c.birth_date)).label("age_band"),
            case((is_coop, "cooperative"),
                 else_=func.coalesce(type_coerce(gb.c.milieu, String), "unknown")).label("milieu")]
    else:
        grant_dims = [literal("").label(n) for n in ("region", "province", "age_band", "milieu")]

    def grant_scope(stmt: Any) -> Any:
        if scope.region:
            stmt = stmt.where(func.coalesce(gpb.c.region_code, gpc.c.region_code) == scope.region)
        if pid is not None:
            stmt = stmt.where(g.c.program_id == pid)
        return stmt

    grants = _grouped(uow, grant_scope(
        select(*grant_dims, w.clamp(g.c.approved_on, "approved_on"),
               w.clamp(g.c.cancelled_on, "cancelled_on"),
               g.c.amount_approved_centimes.label("amount"))
        .select_from(recipients).where(w.upto(g.c.approved_on))),
        sums={"amount": "amount_centimes"})

    d = Disbursement.__table__.alias("d")
    disbursements = _grouped(uow, grant_scope(
        select(*grant_dims, w.clamp(d.c.paid_on, "paid_on"), d.c.amount_centimes.label("amount"))
        .select_from(d.join(recipients, g.c.id == d.c.grant_id)).where(w.upto(d.c.paid_on))),
        sums={"amount": "amount_centimes"})

    firsts = (select(Disbursement.grant_id, func.min(Disbursement.paid_on).label("first_paid_on"))
              .group_by(Disbursement.grant_id).subquery("firsts"))
    first_stmt = grant_scope(
        select(*grant_dims, g.c.approved_on, firsts.c.first_paid_on)
        .select_from(recipients.join(firsts, firsts.c.grant_id == g.c.id))
        .where(firsts.c.first_paid_on >= w.start, firsts.c.first_paid_on <= w.end))
    first_disbursements = (_frame(uow, first_stmt) if wanted("first_disbursements")
                           else pd.DataFrame())

    g2 = Grant.__table__.alias("g2")
    her_first = (select(g2.c.beneficiary_id, func.min(Disbursement.paid_on).label("first_paid_on"))
                 .select_from(Disbursement.__table__.join(g2, g2.c.id == Disbursement.grant_id))
                 .where(g2.c.beneficiary_id.is_not(None),
                        *([g2.c.program_id == pid] if pid is not None else []))
                 .group_by(g2.c.beneficiary_id)
                 .having(func.min(Disbursement.paid_on) <= survival_cutoff(last))
                 .subquery("her_first"))
    cohort_stmt = (select(b.c.id.label("beneficiary_id"), *dims, w.archive_periods(b.c.id),
                          her_first.c.first_paid_on)
                   .select_from(person.join(her_first, her_first.c.beneficiary_id == b.c.id)))
    if scope.region:
        cohort_stmt = cohort_stmt.where(p.c.region_code == scope.region)
    cohort = _frame(uow, cohort_stmt) if wanted("cohort") else pd.DataFrame()

    s = SurveyRecord.__table__.alias("s")
    surveyed = s.join(b, b.c.id == s.c.beneficiary_id).join(p, p.c.code == b.c.province_code)
    survey_stmt = (
        select(s.c.id, s.c.beneficiary_id, s.c.program_id,
               type_coerce(s.c.round, String).label("round"), s.c.surveyed_on,
               s.c.monthly_income_centimes, s.c.has_account, s.c.business_operating,
               w.archive_periods(b.c.id), *dims)
        .select_from(surveyed).where(w.upto(s.c.surveyed_on)))
    # Jobs are a sum over the month's follow-ups: the database adds them up per cell and date.
    jobs_stmt = (select(*dims, type_coerce(s.c.round, String).label("round"),
                        w.clamp(s.c.surveyed_on, "surveyed_on"), s.c.jobs_created.label("jobs"))
                 .select_from(surveyed)
                 .where(s.c.surveyed_on >= w.start, s.c.surveyed_on <= w.end,
                        s.c.round != "baseline", s.c.jobs_created.is_not(None)))
    if scope.region:
        survey_stmt = survey_stmt.where(p.c.region_code == scope.region)
        jobs_stmt = jobs_stmt.where(p.c.region_code == scope.region)
    if pid is not None:
        survey_stmt = survey_stmt.where(s.c.program_id == pid)
        jobs_stmt = jobs_stmt.where(s.c.program_id == pid)
    surveys = _frame(uow, survey_stmt) if wanted("surveys") else pd.DataFrame()
    jobs = (_grouped(uow, jobs_stmt, sums={"jobs": "jobs_created"}) if wanted("jobs")
            else pd.DataFrame())

    def group(name: str, read: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
        if any(map(wanted, _GROUPS[name])):
            return read()
        return {frame: pd.DataFrame() for frame in _GROUPS[name]}

    trainings = group("trainings", lambda: _trainings(uow, w, scope, pid, dims, b, p))
    payments = group("payments",
                     lambda: _payments(uow, w, g, recipients, grant_dims, grant_scope))
    targeting = group("targeting", lambda: _targeting(uow, w, scope, pid, b, p))
    grievances = group("grievances", lambda: _grievances(uow, w, scope, pid, dimensions))
    region_codes = [scope.region] if scope.region else sorted(
        uow.session.scalars(select(Region.code)).all())
    return Facts(first=first, last=last, people=people, enrolments=enrolments,
                 cooperatives=cooperatives, memberships=memberships, grants=grants,
                 disbursements=disbursements, first_disbursements=first_disbursements, cohort=cohort,
                 surveys=surveys, jobs=jobs, **trainings, **payments, **targeting,
                 regions=region_codes, **grievances)


def rewindow(uow: UnitOfWork, frame: pd.DataFrame, first: Month, last: Month) -> pd.DataFrame:
    """``frame`` (rows with ``beneficiary_id`` and ``archive_periods``, read for another window)
    with each woman's archive periods as an extract of ``first``..``last`` would give them.

    A trend reuses the report's survey records this way instead of reading them again: the
    records are the same (every one surveyed by ``last``'s end), only the dates of the archive
    periods are clamped to a different window.
    """
    w = _Window(first, last, None, uow.dialect)
    periods = Base.metadata.tables[ARCHIVED.period.table]
    owners = select(periods.c[ARCHIVED.owner].label("owner")).distinct().subquery("owners")
    texts = {int(owner): text for owner, text in uow.session.execute(
        select(owners.c.owner, w.archive_periods(owners.c.owner))) if text is not None}
    column = frame["beneficiary_id"].map(texts) if len(frame) else frame.get(ARCHIVED.column)
    if column is None:
        return frame
    return frame.assign(**{ARCHIVED.column: column.astype(object).where(column.notna(), None)})


# The frames read together by one helper: a trend that needs none of them skips it.
_GROUPS = {"trainings": ["sessions", "roster", "training_lines", "visits", "funded", "visited"],
           "payments": ["instructions", "paid_lines"],
           "targeting": ["intakes", "applications"],
           "grievances": ["grievances", "answers"]}

# Categories never broken down (docs/kpis.md, grievances): one cell of their own.
_CONFIDENTIAL = ("conduct", "sexual_exploitation_abuse")


def _grievances(uow: UnitOfWork, w: _Window, scope: Scope, pid: int | None,
                dimensions: bool) -> dict[str, pd.DataFrame]:
    """The facts of the grievance KPIs: cases received in the window grouped by region,
    category (confidential ones as ``confidential``, region ``confidential`` too) and date
    (``grievances``), and the answers given in the window, one row each, with the deadline in
    force and since when the request was open (``answers``). No description, answer or note
    is read."""
    gv, pv = Grievance.__table__.alias("gv"), Province.__table__.alias("pv")
    st = GrievanceStep.__table__.alias("st")
    category = type_coerce(gv.c.category, String)
    secret = category.in_(_CONFIDENTIAL)
    if dimensions:
        dims = [case((secret, "confidential"), else_=pv.c.region_code).label("region"),
                case((secret, "confidential"), else_=category).label("category")]
    else:
        dims = [literal("").label("region"), literal("").label("category")]
    cases = gv.join(pv, pv.c.code == gv.c.province_code)
    conds: list[ColumnElement[bool]] = []
    if scope.region:
        conds.append(pv.c.region_code == scope.region)
    if pid is not None:
        conds.append(gv.c.program_id == pid)
    received = _grouped(uow, select(*dims, w.clamp(gv.c.received_on, "received_on"))
                        .select_from(cases)
                        .where(gv.c.received_on >= w.start, gv.c.received_on <= w.end, *conds))
    answers = _frame(uow, select(*dims, st.c.on, st.c.opened_on, st.c.due_on)
                     .select_from(st.join(cases, gv.c.id == st.c.grievance_id))
                     .where(type_coerce(st.c.kind, String).in_(("resolve", "unfounded")),
                            st.c.on >= w.start, st.c.on <= w.end, *conds))
    return {"grievances": received, "answers": answers}


def _recipient(w: _Window, t: Any) -> tuple[Any, list[ColumnElement[Any]], Any]:
    """A table with ``beneficiary_id`` / ``cooperative_id`` joined to its recipient: the join,
    the recipient's dimensions (hers, or the cooperative's place as for grants) and her or
    its region (for the region filter)."""
    rb, rpb = Beneficiary.__table__.alias("rb"), Province.__table__.alias("rpb")
    rc, rpc = Cooperative.__table__.alias("rc"), Province.__table__.alias("rpc")
    joined = (t.outerjoin(rb, rb.c.id == t.c.beneficiary_id)
              .outerjoin(rpb, rpb.c.code == rb.c.province_code)
              .outerjoin(rc, rc.c.id == t.c.cooperative_id)
              .outerjoin(rpc, rpc.c.code == rc.c.province_code))
    region = func.coalesce(rpb.c.region_code, rpc.c.region_code)
    if w.band_end is None:
        dims = [literal("").label(n) for n in ("region", "province", "age_band", "milieu")]
    else:
        is_coop = t.c.cooperative_id.is_not(None)
        dims = [region.label("region"),
                func.coalesce(rb.c.province_code, rc.c.province_code).label("province"),
                case((is_coop, "cooperative"), else_=w.age_band(rb.c.birth_date)).label("age_band"),
                case((is_coop, "cooperative"),
                     else_=func.coalesce(type_coerce(rb.c.milieu, String), "unknown"))
                .label("milieu")]
    extra = [w.archive_periods(rb.c.id), w.clamp(rc.c.founded_on, "founded_on"),
             w.clamp(rc.c.dissolved_on, "dissolved_on")]
    return joined, dims + extra, region


def _with_recipient(frame: pd.DataFrame) -> pd.DataFrame:
    """``recipient``: "b<id>" for a woman, "c<id>" for a cooperative (one key for both)."""
    ids = [f"b{int(bid)}" if pd.notna(bid) else f"c{int(cid)}"
           for bid, cid in zip(frame["beneficiary_id"], frame["cooperative_id"], strict=True)]
    return frame.assign(recipient=pd.Series(ids, index=frame.index, dtype="object"))


def _training_pairs(uow: UnitOfWork, w: _Window, program: list[Any], her_region: list[Any],
                    dims: list[ColumnElement[Any]], b: Any, p: Any, a: Any, s: Any,
                    at: Any) -> pd.DataFrame:
    """The training roster lines of a one-month extract, at most two rows per woman and activity.

    Completion is decided as of the month's end only, so the database counts each woman's lines
    per activity that :func:`empower.predicates.attended_sql` says count by then, and the others,
    before joining her dimensions and archive periods (once per pair, not once per line). The
    rows keep the lines' shape: the counted ones as ``present`` at a ``held`` session, the others
    as ``absent``, dated the day before the month (every line read is dated by ``end``), so
    :func:`empower.predicates.attended` over them gives the same answer line by line.
    """
    flag = case((attended_sql(w.end, at, s), 1), else_=0).label("attended")
    woman = w.unindexed(at.c.beneficiary_id)
    pairs = (select(woman.label("beneficiary_id"), s.c.activity_id, flag,
                    func.count().label("n"))
             .select_from(at.join(s, s.c.id == at.c.session_id)
                          .join(a, a.c.id == s.c.activity_id))
             .where(a.c.kind == ActivityKind.TRAINING, w.upto(s.c.scheduled_on), *program)
             .group_by(woman, s.c.activity_id, flag)
             .subquery("pairs"))
    lo = literal(w.lo, Date)
    frame = _frame(uow, select(
        pairs.c.beneficiary_id, *dims, w.archive_periods(b.c.id), pairs.c.activity_id,
        a.c.planned_sessions, a.c.completion_share, w.clamp(a.c.ends_on, "ends_on"),
        case((pairs.c.attended == 1, "present"), else_="absent").label("status"),
        literal("held").label("session_status"), lo.label("scheduled_on"), pairs.c.n)
        .select_from(pairs.join(a, a.c.id == pairs.c.activity_id)
                     .join(b, b.c.id == pairs.c.beneficiary_id)
                     .join(p, p.c.code == b.c.province_code))
        .where(*her_region))
    frame["n"] = frame["n"].astype("int64")
    return frame


def _trainings(uow: UnitOfWork, w: _Window, scope: Scope, pid: int | None,
               dims: list[ColumnElement[Any]], b: Any, p: Any) -> dict[str, pd.DataFrame]:
    """The facts of the trainings and coaching KPIs (``docs/kpis.md``, trainings and coaching)."""
    a, s = Activity.__table__.alias("a"), ActivitySession.__table__.alias("s")
    pa = Province.__table__.alias("pa")
    at = Attendance.__table__.alias("at")
    in_window = [s.c.scheduled_on >= w.start, s.c.scheduled_on <= w.end]
    program = [a.c.program_id == pid] if pid is not None else []
    if w.band_end is None:
        place = [literal("").label("region"), literal("").label("province")]
    else:
        place = [func.coalesce(pa.c.region_code, "unknown").label("region"),
                 func.coalesce(a.c.province_code, "unknown").label("province")]
    session_stmt = (select(*place, type_coerce(s.c.status, String).label("status"),
                           w.clamp(s.c.scheduled_on, "scheduled_on"))
                    .select_from(s.join(a, a.c.id == s.c.activity_id)
                                 .outerjoin(pa, pa.c.code == a.c.province_code))
                    .where(*in_window, *program))
    if scope.region:
        session_stmt = session_stmt.where(pa.c.region_code == scope.region)
    sessions = _grouped(uow, session_stmt)

    lines = (at.join(s, s.c.id == at.c.session_id).join(a, a.c.id == s.c.activity_id)
             .join(b, b.c.id == at.c.beneficiary_id).join(p, p.c.code == b.c.province_code))
    her_region = [p.c.region_code == scope.region] if scope.region else []
    line_cols = [type_coerce(at.c.status, String).label("status"),
                 type_coerce(s.c.status, String).label("session_status"),
                 w.clamp(s.c.scheduled_on, "scheduled_on")]
    roster = _grouped(uow, select(*dims, *line_cols).select_from(lines)
                      .where(*in_window, *program, *her_region))
    if w.single_month:
        training_lines = _training_pairs(uow, w, program, her_region, dims, b, p, a, s, at)
    else:
        training_lines = _grouped(uow, select(
            at.c.beneficiary_id, *dims, w.archive_periods(b.c.id), s.c.activity_id,
            a.c.planned_sessions, a.c.completion_share, w.clamp(a.c.ends_on, "ends_on"),
            *line_cols)
            .select_from(lines)
            .where(a.c.kind == ActivityKind.TRAINING, w.upto(s.c.scheduled_on), *program,
                   *her_region))
    training_lines["beneficiary_id"] = training_lines["beneficiary_id"].astype("Int64")

    v = CoachingVisit.__table__.alias("v")
    visit_join, visit_dims, visit_region = _recipient(w, v)
    visit_scope = [*([visit_region == scope.region] if scope.region else []),
                   *([v.c.program_id == pid] if pid is not None else [])]
    visits = _grouped(uow, select(*visit_dims[:4], w.clamp(v.c.visited_on, "visited_on"))
                      .select_from(visit_join)
                      .where(v.c.visited_on >= w.start, v.c.visited_on <= w.end, *visit_scope))
    visited = _with_recipient(_frame(uow, select(v.c.beneficiary_id, v.c.cooperative_id,
                                                 v.c.visited_on).distinct()
                                     .select_from(visit_join)
                                     .where(v.c.visited_on >= visit_window_start(w.first),
                                            v.c.visited_on <= w.end, *visit_scope)))

    g, d = Grant.__table__.alias("fg"), Disbursement.__table__.alias("fd")
    firsts = (select(g.c.beneficiary_id, g.c.cooperative_id,
                     func.min(d.c.paid_on).label("first_paid_on"))
              .select_from(d.join(g, g.c.id == d.c.grant_id))
              .where(*([g.c.program_id == pid] if pid is not None else []))
              .group_by(g.c.beneficiary_id, g.c.cooperative_id)
              .having(func.min(d.c.paid_on) <= w.end)
              .subquery("funded"))
    funded_join, funded_dims, funded_region = _recipient(w, firsts)
    funded = _with_recipient(_frame(uow, select(
        firsts.c.beneficiary_id, firsts.c.cooperative_id, *funded_dims,
        w.clamp(firsts.c.first_paid_on, "first_paid_on"))
        .select_from(funded_join)
        .where(*([funded_region == scope.region] if scope.region else []))))
    return {"sessions": sessions, "roster": roster, "training_lines": training_lines,
            "visits": visits, "funded": funded, "visited": visited}



def _payments(uow: UnitOfWork, w: _Window, g: Any, recipients: Any,
              grant_dims: list[Any], grant_scope: Any) -> dict[str, pd.DataFrame]:
    """The facts of the payments KPIs (``docs/kpis.md``, payments): instruction lines grouped by
    their grant's recipient, channel, status and clamped dates (``instructions``), and the lines
    paid in the window with their batch's exact approval date (``paid_lines``)."""
    i, pb = PaymentInstruction.__table__.alias("pi"), PaymentBatch.__table__.alias("pb")
    joined = (i.join(pb, pb.c.id == i.c.batch_id)
              .join(recipients, g.c.id == i.c.grant_id))
    channel = type_coerce(pb.c.channel, String).label("channel")
    status = type_coerce(i.c.status, String)
    counted = [status != "cancelled", i.c.sent_on.is_not(None),
               or_(i.c.sent_on <= w.end, i.c.settled_on <= w.end),
               or_(i.c.settled_on.is_(None), i.c.settled_on >= w.start)]
    instructions = _grouped(uow, grant_scope(
        select(*grant_dims, channel, status.label("status"),
               w.clamp(i.c.sent_on, "sent_on"), w.clamp(i.c.settled_on, "settled_on"),
               w.clamp(i.c.paid_on, "paid_on"), i.c.amount_centimes.label("amount"))
        .select_from(joined).where(*counted)),
        sums={"amount": "amount_centimes"})
    paid_lines = _grouped(uow, grant_scope(
        select(*grant_dims, channel, pb.c.approved_on, i.c.paid_on)
        .select_from(joined)
        .where(status == "paid", i.c.paid_on >= w.start, i.c.paid_on <= w.end)))
    return {"instructions": instructions, "paid_lines": paid_lines}


def _covers(region: str, provinces: list[Any] | None, regions: list[Any] | None,
            program_region: str | None, province_region: dict[str, str]) -> bool:
    """Whether an intake is open in ``region``: named in its regions, one of its provinces
    there, or (neither set) open where its program runs (the program's region, or anywhere)."""
    if not provinces and not regions:
        return program_region is None or program_region == region
    return region in (regions or []) or any(province_region.get(str(c)) == region
                                            for c in provinces or [])


def _targeting(uow: UnitOfWork, w: _Window, scope: Scope, pid: int | None, b: Any,
               p: Any) -> dict[str, pd.DataFrame]:
    """The facts of the targeting KPIs (``docs/kpis.md``, targeting).

    ``intakes``: the intakes selected in the window, grouped by ``selected_on`` (clamped) with
    ``n`` intakes and their ``places``. ``applications``: the applications to those intakes and
    the ones promoted from a waiting list in the window, grouped: her dimensions (age band at
    the intake's closing date), ``disability``, ``selected_on`` (clamped), the 0/1 facts
    ``eligible``, ``overridden``, ``selected``, ``waitlisted`` and ``promoted_on`` (her
    ``enrolled_on`` when she came from a waiting list, clamped), ``n``.
    """
    i, pr = Intake.__table__.alias("i"), Program.__table__.alias("ipr")
    e = Enrollment.__table__.alias("te")
    program = [i.c.program_id == pid] if pid is not None else []
    in_window = [i.c.selected_on >= w.start, i.c.selected_on <= w.end]
    rows = uow.session.execute(
        select(i.c.selected_on, i.c.places, i.c.province_codes, i.c.region_codes,
               pr.c.region_code)
        .select_from(i.join(pr, pr.c.id == i.c.program_id)).where(*in_window, *program)).all()
    if scope.region and rows:
        province_region = {code: region for code, region in uow.session.execute(
            select(Province.code, Province.region_code))}
        rows = [r for r in rows if _covers(scope.region, r[2], r[3], r[4], province_region)]
    lo, hi = w.lo, w.hi
    intakes = pd.DataFrame({
        "selected_on": [min(max(r[0], lo), hi) for r in rows],
        "places": [int(r[1]) for r in rows], "n": [1] * len(rows)},
        columns=["selected_on", "places", "n"])
    if len(intakes):
        intakes = intakes.groupby("selected_on", as_index=False)[["places", "n"]].sum()
    intakes = intakes.astype({"places": "int64", "n": "int64"})

    promoted = and_(e.c.waitlisted_on.is_not(None), e.c.enrolled_on >= w.start,
                    e.c.enrolled_on <= w.end)
    relevant = [or_(and_(*in_window), promoted), *program]
    # Her age band at the closing date of her intake: one CASE per closing date in play.
    if w.band_end is None:
        band: ColumnElement[Any] = literal("").label("age_band")
        disability: ColumnElement[Any] = literal("").label("disability")
        dims = [literal("").label(n) for n in ("region", "province")]
        milieu: list[ColumnElement[Any]] = [literal("").label("milieu")]
    else:
        closing = sorted(uow.session.scalars(
            select(i.c.closes_on).distinct().select_from(e.join(i, i.c.id == e.c.intake_id))
            .where(*relevant)).all())
        band = (case(*[(i.c.closes_on == day, age_band_sql(b.c.birth_date, day))
                       for day in closing], else_=literal(""))
                if closing else literal("")).label("age_band")
        disability = case((b.c.disability.is_(True), "yes"), (b.c.disability.is_(False), "no"),
                          else_="unknown").label("disability")
        dims = [p.c.region_code.label("region"), b.c.province_code.label("province")]
        milieu = [func.coalesce(type_coerce(b.c.milieu, String), "unknown").label("milieu")]

    def flag(condition: Any, name: str) -> ColumnElement[Any]:
        return case((condition, 1), else_=0).label(name)

    stmt = (select(*dims, band, *milieu, disability, w.clamp(i.c.selected_on, "selected_on"),
                   flag(e.c.eligible.is_(True), "eligible"),
                   flag(e.c.override_reason.is_not(None), "overridden"),
                   flag(and_(e.c.rank.is_not(None), e.c.waitlisted_on.is_(None),
                             e.c.enrolled_on == i.c.selected_on), "selected"),
                   flag(e.c.waitlisted_on.is_not(None), "waitlisted"),
                   w.clamp(case((e.c.waitlisted_on.is_not(None), e.c.enrolled_on)), "promoted_on"))
            .select_from(e.join(i, i.c.id == e.c.intake_id)
                         .join(b, b.c.id == e.c.beneficiary_id)
                         .join(p, p.c.code == b.c.province_code))
            .where(*relevant, *([p.c.region_code == scope.region] if scope.region else [])))
    applications = _grouped(uow, stmt)
    for col in ("eligible", "overridden", "selected", "waitlisted", "n"):
        applications[col] = applications[col].astype("int64")
    return {"intakes": intakes, "applications": applications}
