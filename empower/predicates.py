"""The domain's predicates, each defined once: a pure function beside its SQL twin.

A rule such as "an enrolment is active on a date" used to be written in the services, the
dashboard, the report and the panel's filters, and the copies drifted. Here each rule has one
definition, and every rendering of it is derived from that definition:

- ``holds(record, on)``: the pure function, on a record (an ORM object, a dict, any object with
  the columns as attributes) and a date;
- ``sql(on, target)``: the SQL twin, a ``ColumnElement[bool]`` over the columns of a model, a
  table or an alias, for the queries of the services, the dashboard and the report extract;
- ``mask(frame, on)``: the same rule over the date columns of a pandas frame of facts, for the
  report's KPI functions (duck-typed: the core does not import pandas).

Dated states (:class:`Span`): a program runs, a cooperative is active, an enrolment is active, a
membership is active, a grant stands. A woman is archived during her archive periods, rows of
their own (:class:`Periods`: archived on, restored on), and on the register from her
registration on, except while archived (:class:`SpanUnless`). Ages and
age bands (:data:`AGE_BANDS`, the report's bands) and the CIN (pattern and normalisation, from
the configured rules) follow the same shape: a pure function and a SQL twin.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Date, String, and_, case, cast, exists, func, literal, or_, select, true
from sqlalchemy.sql import ColumnElement

from empower.errors import InvalidInput
from empower.models import Base, Beneficiary
from empower.text import clean_text, echo, strip_invisible

__all__ = [
    "ACTIVITY_RUNNING",
    "AGE_BANDS",
    "ARCHIVED",
    "ARCHIVE_PERIOD",
    "CIN_MAX_LENGTH",
    "COOPERATIVE_ACTIVE",
    "DEFAULT_CIN_PATTERN",
    "ENROLLMENT_ACTIVE",
    "GRANT_STANDING",
    "MEMBERSHIP_ACTIVE",
    "PROGRAM_RUNNING",
    "REGISTERED",
    "AgeBand",
    "Periods",
    "Span",
    "SpanUnless",
    "age_band",
    "age_band_birth_dates",
    "age_band_sql",
    "age_on",
    "attended",
    "attended_sql",
    "completion_met",
    "completion_met_sql",
    "archived_as_of",
    "birth_date_cutoff",
    "cin_pattern",
    "cin_search_prefix",
    "cin_search_sql",
    "clean_cin",
    "cooperative_active_on",
    "enrollment_active_on",
    "in_age_band_sql",
    "membership_active_on",
    "normalize_cin",
    "program_running_on",
]


def _column(target: Any, name: str) -> Any:
    """Column ``name`` of a table, an alias or a subquery (``.c``), or of a mapped class."""
    columns = getattr(target, "c", None)
    return columns[name] if columns is not None else getattr(target, name)


# Whether records of a type are mappings, asked once per type: an isinstance check against the
# Mapping ABC for every record was a good share of a roster import's checks.
_IS_MAPPING: dict[type, bool] = {}


def _value(record: Any, name: str) -> Any:
    kind = type(record)
    mapping = _IS_MAPPING.get(kind)
    if mapping is None:
        mapping = _IS_MAPPING[kind] = isinstance(record, Mapping)
    return record[name] if mapping else getattr(record, name)


# --- Dated states -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A state that begins on the date in column ``start`` and ends on the date in ``end``.

    It holds on day ``on`` when it has begun (``start`` is set and on or before ``on``; a span
    without a start column has always begun) and has not ended (``end`` is empty or later than
    ``on``; a span without an end column never ends). An end date is the first day the state no
    longer holds (an exit, a departure, a dissolution, an archive, a cancellation), except with
    ``end_inclusive``, where it is the last day it holds (a program's end date).
    """

    name: str
    table: str
    start: str | None
    end: str | None
    end_inclusive: bool = False

    def holds_between(self, start: date | None, end: date | None, on: date) -> bool:
        """The pure rule on the two dates themselves."""
        begun = self.start is None or (start is not None and start <= on)
        if self.end is None or end is None:
            return begun
        return begun and (end >= on if self.end_inclusive else end > on)

    def holds(self, record: Any, on: date) -> bool:
        """Whether the state holds on ``on`` for ``record`` (attributes or keys named as columns)."""
        start = _value(record, self.start) if self.start else None
        end = _value(record, self.end) if self.end else None
        return self.holds_between(start, end, on)

    def sql(self, on: Any, target: Any = None) -> ColumnElement[bool]:
        """The SQL twin of :meth:`holds` over ``target`` (default: the span's table).

        ``on`` is a date or a date column; ``target`` a mapped class, a table or an alias.
        """
        if target is None:
            target = Base.metadata.tables[self.table]
        parts: list[ColumnElement[bool]] = []
        if self.start is not None:
            start = _column(target, self.start)
            parts.append(and_(start.is_not(None), start <= on))
        if self.end is not None:
            end = _column(target, self.end)
            parts.append(or_(end.is_(None), end >= on if self.end_inclusive else end > on))
        return and_(*parts) if parts else true()

    def mask(self, frame: Any, on: Any) -> Any:
        """The rule over a pandas frame whose columns are named as the span's (a bool Series).

        Frames of the report may carry dates moved to the day before or after their window;
        that changes no comparison with a day inside it.
        """
        held = None
        if self.start is not None:
            start = frame[self.start]
            held = start.notna() & (start <= on)
        if self.end is not None:
            end = frame[self.end]
            still = end.isna() | ((end >= on) if self.end_inclusive else (end > on))
            held = still if held is None else held & still
        if held is None:
            raise ValueError(f"{self.name}: a span needs a start or an end column")
        return held


PROGRAM_RUNNING = Span("program running", "programs", "start_date", "end_date",
                       end_inclusive=True)
"""A program runs from its start date to its end date, both included (no end: open-ended)."""

COOPERATIVE_ACTIVE = Span("cooperative active", "cooperatives", "founded_on", "dissolved_on")
"""Founded on or before the day, and not dissolved on or before it."""

ENROLLMENT_ACTIVE = Span("enrolment active", "enrollments", "enrolled_on", "exited_on")
"""Enrolled on or before the day, and not exited on or before it (an exit dated that day ends
it). Only enrolled and exited enrolments have an enrolment date, so no status is needed."""

MEMBERSHIP_ACTIVE = Span("membership active", "memberships", "joined_on", "left_on")
"""Joined on or before the day, and not left on or before it."""

ACTIVITY_RUNNING = Span("activity running", "activities", "starts_on", "ends_on",
                        end_inclusive=True)
"""An activity runs from its start date to its end date, both included; its sessions fall in it."""


# --- Attendance and completion -------------------------------------------------------------------

# Shares are stored as floats (0.8); a woman with 8 of 10 sessions has reached 0.8 even when
# 0.8 * 10 rounds a hair above 8 in binary. Both twins compare with the same slack.
_SHARE_SLACK = 1e-9


def attended(attendance_status: str, session_status: str, session_on: date, as_of: date) -> bool:
    """Whether one roster line counts towards her completion as of ``as_of``: she was present
    at a held session dated on or before that day."""
    return (attendance_status == "present" and session_status == "held"
            and session_on <= as_of)


def attended_sql(as_of: Any, attendance: Any = None, session: Any = None) -> ColumnElement[bool]:
    """The SQL twin of :func:`attended` over an attendance table and its session table."""
    attendance = Base.metadata.tables["attendances"] if attendance is None else attendance
    session = Base.metadata.tables["activity_sessions"] if session is None else session
    return and_(_column(attendance, "status") == "present", _column(session, "status") == "held",
                _column(session, "scheduled_on") <= as_of)


def completion_met(present: int, planned: int, share: float) -> bool:
    """She completed an activity when her present sessions over the planned number reach
    ``share`` (the activity's completion share, or a program's minimum)."""
    return planned > 0 and present >= share * planned - _SHARE_SLACK


def completion_met_sql(present: Any, planned: Any, share: Any) -> ColumnElement[bool]:
    """The SQL twin of :func:`completion_met` over columns or expressions."""
    return and_(planned > 0, present >= share * planned - _SHARE_SLACK)

@dataclass(frozen=True)
class Periods:
    """A state that holds during dated periods kept one row each in a table of their own.

    The periods (``period``: a :class:`Span` over the period table, say ``archive_periods``) of
    one owner row never overlap; the state holds on day ``on`` when one of them does. Like a
    :class:`Span` it has the pure rule (:meth:`holds`, over ``record.<relationship>``), its SQL
    twin (:meth:`sql`, an ``EXISTS``) and its pandas twin (:meth:`mask`, over a text column of
    the periods that :meth:`frame_sql` writes for the report's extract).
    """

    name: str
    period: Span
    owner: str           # the period table's column naming the owner row (``beneficiary_id``)
    relationship: str    # the owner's attribute (or key) listing her periods
    column: str          # the frame column of the report's extract

    def covering(self, record: Any, on: date) -> Any:
        """The period of ``record`` (ORM objects or mappings) covering ``on``, or ``None``."""
        for period in _value(record, self.relationship) or ():
            if self.period.holds(period, on):
                return period
        return None

    def holds(self, record: Any, on: date) -> bool:
        """Whether one of ``record``'s periods covers ``on``."""
        return self.covering(record, on) is not None

    def sql(self, on: Any, target: Any = None) -> ColumnElement[bool]:
        """The SQL twin of :meth:`holds` over ``target`` (default: the beneficiaries table)."""
        target = Base.metadata.tables["beneficiaries"] if target is None else target
        t = Base.metadata.tables[self.period.table].alias(f"{self.period.table}_of")
        return exists().where(t.c[self.owner] == _column(target, "id"), self.period.sql(on, t))

    def sql_text(self, on: date, table: str, dialect: str, *, holds: bool = True) -> str:
        """:meth:`sql` over ``table`` (or its negation) as SQL text for ``dialect`` (``sqlite``
        or ``postgres``), the day written as a literal: a condition another query builder (the
        panel's ORM) puts in its ``WHERE``, correlated to ``table`` by name. Nothing else is
        written in, so the text is safe whatever ``on`` is (a date).
        """
        from sqlalchemy import literal_column, not_
        from sqlalchemy.dialects import postgresql, sqlite

        owner = Base.metadata.tables[table]
        cond = self.sql(on, owner)
        # Compiled inside a SELECT from the owner table so that the EXISTS correlates to it;
        # the condition is the text after WHERE.
        stmt: Any = select(literal_column("1")).select_from(owner).where(
            cond if holds else not_(cond))
        compiler = sqlite.dialect() if dialect == "sqlite" else postgresql.dialect()
        compiled = str(stmt.compile(dialect=compiler, compile_kwargs={"literal_binds": True}))
        return compiled.split("\nWHERE ", 1)[1]

    def frame_sql(self, owner_id: Any, lo: date, hi: date) -> ColumnElement[Any]:
        """The owner's periods meeting ``lo``..``hi`` as text, for the columns of a frame.

        ``"2026-08-01/2026-09-01;2026-10-03/"`` (an empty end: still open), dates moved into
        ``lo``..``hi`` so that equal histories group together, ``NULL`` without periods. The
        comparisons of :meth:`mask` with a day strictly inside ``lo``..``hi`` are unchanged.
        """
        t = Base.metadata.tables[self.period.table].alias(f"{self.period.table}_in")
        assert self.period.start is not None and self.period.end is not None
        start, end = t.c[self.period.start], t.c[self.period.end]
        lo_, hi_ = literal(lo, Date), literal(hi, Date)

        def text_of(d: Any) -> ColumnElement[str]:
            return cast(case((d < lo_, lo_), (d > hi_, hi_), else_=d), String)

        piece = text_of(start) + "/" + func.coalesce(text_of(end), "")
        return (select(func.aggregate_strings(piece, ";"))
                .where(t.c[self.owner] == owner_id, start <= hi_,
                       or_(end.is_(None), end > lo_))
                .scalar_subquery())

    def mask(self, frame: Any, on: Any) -> Any:
        """The rule over the frame column :attr:`column` (a bool Series; see :meth:`frame_sql`)."""
        values = frame[self.column]
        known = values.dropna().unique()
        covered = [v for v in known
                   if any(self.period.holds_between(a, b, on) for a, b in _parse_periods(v))]
        return values.isin(covered)


@lru_cache(maxsize=4096)
def _parse_periods(text: str) -> tuple[tuple[date, date | None], ...]:
    out = []
    for piece in text.split(";"):
        start, _, end = piece.partition("/")
        out.append((date.fromisoformat(start[:10]), date.fromisoformat(end[:10]) if end else None))
    return tuple(out)


@dataclass(frozen=True)
class SpanUnless:
    """A :class:`Span` that holds only while a :class:`Periods` state does not."""

    name: str
    span: Span
    unless: Periods

    def holds(self, record: Any, on: date) -> bool:
        """The pure rule: the span holds on ``on`` and the periods do not."""
        return self.span.holds(record, on) and not self.unless.holds(record, on)

    def sql(self, on: Any, target: Any = None) -> ColumnElement[bool]:
        """The SQL twin of :meth:`holds`."""
        return and_(self.span.sql(on, target), ~self.unless.sql(on, target))

    def mask(self, frame: Any, on: Any) -> Any:
        """The pandas twin of :meth:`holds`."""
        return self.span.mask(frame, on) & ~self.unless.mask(frame, on)


ARCHIVE_PERIOD = Span("archive period", "archive_periods", "archived_on", "restored_on")
"""One archive period: from its archive date (included) to its restore date (excluded)."""

ARCHIVED = Periods("archived", ARCHIVE_PERIOD, "beneficiary_id", "archive_periods",
                   "archive_periods")
"""Archived on the day: one of her archive periods covers it. While archived she no longer
counts and no act may be dated; a restore ends the period, so a past month still counts her
as it did (an erasure archives her too, on the day of the erasure at the latest)."""

REGISTERED = SpanUnless("on the register",
                        Span("registered", "beneficiaries", "registered_on", None), ARCHIVED)
"""Registered on or before the day, and not archived on that day."""

GRANT_STANDING = Span("grant standing", "grants", "approved_on", "cancelled_on")
"""Approved on or before the day, and not cancelled on or before it (closing does not end it)."""


def program_running_on(program: Any, on: date) -> bool:
    """Whether ``program`` runs on ``on`` (:data:`PROGRAM_RUNNING`)."""
    return PROGRAM_RUNNING.holds(program, on)


def cooperative_active_on(cooperative: Any, on: date) -> bool:
    """Whether ``cooperative`` is active on ``on`` (:data:`COOPERATIVE_ACTIVE`)."""
    return COOPERATIVE_ACTIVE.holds(cooperative, on)


def enrollment_active_on(enrollment: Any, on: date) -> bool:
    """Whether ``enrollment`` is active on ``on`` (:data:`ENROLLMENT_ACTIVE`)."""
    return ENROLLMENT_ACTIVE.holds(enrollment, on)


def membership_active_on(membership: Any, on: date) -> bool:
    """Whether ``membership`` is active on ``on`` (:data:`MEMBERSHIP_ACTIVE`)."""
    return MEMBERSHIP_ACTIVE.holds(membership, on)


def archived_as_of(beneficiary: Any, on: date) -> bool:
    """Whether she is archived as of ``on`` (:data:`ARCHIVED`)."""
    return ARCHIVED.holds(beneficiary, on)


# --- Age and age bands --------------------------------------------------------------------------

def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on a given date (a birthday on 29 February counts on 1 March)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birth_date_cutoff(years: int, on: date) -> date:
    """The latest birth date of a person ``years`` old or older on ``on``.

    ``age_on(birth, on) >= years`` exactly when ``birth <= birth_date_cutoff(years, on)``, which
    is how the SQL twins compare ages with plain dates on every backend (a birthday on 29
    February counts on 1 March, as in :func:`age_on`).
    """
    year = on.year - years
    return date(year, on.month, min(on.day, calendar.monthrange(year, on.month)[1]))


class AgeBand(NamedTuple):
    """An age band: its label and its youngest age (the next band's youngest age bounds it)."""

    label: str
    youngest: int


# The report's bands, youngest first. The youngest band also holds anyone younger than its
# youngest age (registration refuses minors, so only an error in the data lands there) and
# the oldest has no upper bound.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("18-24", 18), AgeBand("25-34", 25), AgeBand("35-44", 35), AgeBand("45-54", 45),
    AgeBand("55+", 55))
_BANDS_BY_LABEL = {band.label: i for i, band in enumerate(AGE_BANDS)}


def age_band(birth_date: date, on: date) -> str:
    """The label of her age band on ``on``."""
    age = age_on(birth_date, on)
    for band in reversed(AGE_BANDS[1:]):
        if age >= band.youngest:
            return band.label
    return AGE_BANDS[0].label


def age_band_birth_dates(label: str, on: date) -> tuple[date | None, date | None]:
    """Earliest and latest birth dates (inclusive; ``None``: unbounded) of the band on ``on``.

    Raises :class:`KeyError` for a label that is not one of :data:`AGE_BANDS`.
    """
    i = _BANDS_BY_LABEL[label]
    latest = None if i == 0 else birth_date_cutoff(AGE_BANDS[i].youngest, on)
    earliest = (None if i == len(AGE_BANDS) - 1
                else birth_date_cutoff(AGE_BANDS[i + 1].youngest, on) + timedelta(days=1))
    return earliest, latest


def age_band_sql(birth_date: Any, on: date) -> ColumnElement[str]:
    """The SQL twin of :func:`age_band`: a ``CASE`` over the birth-date column."""
    whens = [(birth_date <= literal(birth_date_cutoff(band.youngest, on), Date), band.label)
             for band in reversed(AGE_BANDS[1:])]
    return case(*whens, else_=AGE_BANDS[0].label)


def in_age_band_sql(label: str, on: date, birth_date: Any) -> ColumnElement[bool]:
    """``age_band(birth_date, on) == label`` as a range condition on the birth-date column.

    Raises :class:`KeyError` for an unknown label.
    """
    earliest, latest = age_band_birth_dates(label, on)
    parts = []
    if earliest is not None:
        parts.append(birth_date >= earliest)
    if latest is not None:
        parts.append(birth_date <= latest)
    return and_(*parts) if parts else true()


# --- CIN ----------------------------------------------------------------------------------------

DEFAULT_CIN_PATTERN = r"^[A-Z]{1,2}[0-9]{1,6}$"
CIN_MAX_LENGTH = 12  # beneficiaries.cin


class CinRules(Protocol):
    """What the CIN rules read from the configuration (``empower.rules.RulesConfig``)."""

    @property
    def cin_pattern(self) -> str: ...


# Spaces, dashes (every script's), dots and slashes people type inside a CIN.
_CIN_NOISE = re.compile(r"[\s\-./\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
# A CIN longer than this is refused before it is folded (a megabyte cell costs nothing).
_CIN_TYPED_MAX = 64
# What a folded CIN may hold, whatever the configured pattern: one spelling per CIN.
_CIN_FOLDED = re.compile(r"[A-Z0-9]+")


@lru_cache(maxsize=16)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def cin_pattern(config: CinRules | None = None) -> re.Pattern[str]:
    """The configured CIN pattern (``EMPOWER_CIN_PATTERN``), compiled."""
    return _compiled(config.cin_pattern if config is not None else DEFAULT_CIN_PATTERN)


def _fold_digits(text: str) -> str:
    # Arabic-Indic (٠١٢), Persian (۰۱۲) and every other script's decimal digits are 0-9.
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii()
                   and unicodedata.decimal(ch, None) is not None else ch for ch in text)


def clean_cin(raw: str) -> str:
    """A CIN folded to the one spelling the register keeps (not checked against the pattern).

    Compatibility forms first (NFKC: full-width ``ＡＢ１２``, ``ſ``, ligatures), every script's
    digits as ``0``-``9``, invisible characters (zero-width, bidi controls) removed, case folded
    and upper-cased (``ß`` is ``SS``); then spaces, dashes, dots and slashes removed. Two
    spellings of one CIN fold to the same text, and folding a folded CIN changes nothing.
    """
    text = str(raw)
    if text.isascii():
        return _CIN_NOISE.sub("", text).upper()
    # Folding can make text that folds further (removing a space between a letter and a mark,
    # a case-folded letter with a compatibility form): fold until nothing changes.
    for _ in range(4):
        folded = _fold_digits(unicodedata.normalize("NFKC", strip_invisible(text)))
        folded = _CIN_NOISE.sub("", unicodedata.normalize("NFKC", folded.casefold().upper()))
        if folded == text:
            break
        text = folded
    return text


def _is_cin(cin: str, config: CinRules | None) -> bool:
    # fullmatch: a configured pattern without anchors must still cover the whole CIN; and a
    # configured pattern cannot make it longer than the 12 characters the register stores, nor
    # let in anything but ASCII letters and digits (so no pattern lets two spellings of one CIN
    # be two women: Cyrillic А and Latin A, an accent or a stray mark are refused).
    return 0 < len(cin) <= CIN_MAX_LENGTH and _CIN_FOLDED.fullmatch(cin) is not None \
        and cin_pattern(config).fullmatch(cin) is not None


def normalize_cin(raw: str, config: CinRules | None = None) -> str:
    """Fold a CIN (:func:`clean_cin`) and only then check it against the configured pattern.

    Raises :class:`InvalidInput` (field ``cin``) for an empty or ill-formed CIN (the pattern,
    at most 12 characters, ASCII letters and digits once folded), or one that is not text
    (:func:`empower.text.clean_text`: a control character, a broken one).
    """
    text = str(raw)
    if len(text) <= _CIN_TYPED_MAX:
        clean_text(text, field="cin")
        cin = clean_cin(text)
        if not cin:
            raise InvalidInput("cin: a CIN is required", code="cin.required", field="cin",
                               value=raw)
        if _is_cin(cin, config):
            return cin
    raise InvalidInput(
        f"cin: '{echo(raw)}' is not a valid CIN (expected letters then digits, e.g. AB123456)",
        code="cin.invalid", params={"value": echo(raw)}, field="cin", value=raw,
    )


def cin_search_prefix(text: str, config: CinRules | None = None) -> str | None:
    """What a search box should look up as the start of a CIN, or ``None`` when it is no CIN.

    A text reads as a CIN when, cleaned as :func:`normalize_cin` cleans it, it matches the
    configured pattern (with the default pattern a partial CIN such as ``AB12`` does too).
    """
    cin = clean_cin(text)
    return cin if _is_cin(cin, config) else None


def cin_search_sql(text: str, config: CinRules | None = None,
                   column: Any = None) -> ColumnElement[bool] | None:
    """SQL twin of :func:`cin_search_prefix`: ``cin LIKE 'prefix%'``, or ``None`` (no CIN)."""
    prefix = cin_search_prefix(text, config)
    if prefix is None:
        return None
    column = Beneficiary.cin if column is None else column
    return column.startswith(prefix, autoescape=True)
