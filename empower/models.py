"""SQLAlchemy 2 typed models: the program's domain as the database stores it.

Conventions (shared with the panel's Tortoise models, which read the same tables):
money is integer centimes (``*_centimes``, 64-bit: a national program's budget overflows 32
bits); business dates are ``date``; timestamps are naive UTC ``datetime``; vocabularies are their
string values with a CHECK constraint; every constraint is named by the metadata's naming
convention so Alembic can alter it on every backend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from empower.vocab import (
    ActivityKind,
    AgreementStatus,
    AttendanceStatus,
    BatchStatus,
    Channel,
    CooperativeRole,
    DataRequestKind,
    DuplicateRule,
    DuplicateStatus,
    EducationLevel,
    EnrollmentStatus,
    ExitReason,
    GrantStatus,
    GrievanceCategory,
    GrievanceChannel,
    GrievanceStatus,
    GrievanceStepKind,
    InstructionStatus,
    IntakeStatus,
    MaritalStatus,
    Milieu,
    PartnerKind,
    PaymentChannel,
    Role,
    Sector,
    Sensitivity,
    SessionStatus,
    SurveyRound,
    VisitKind,
)

__all__ = [
    "Activity",
    "ActivitySession",
    "Agreement",
    "Attendance",
    "ArchivePeriod",
    "AuditEvent",
    "Base",
    "Beneficiary",
    "CoachingVisit",
    "Cooperative",
    "DuplicateCandidate",
    "Enrollment",
    "Grant",
    "Grievance",
    "GrievanceStep",
    "Disbursement",
    "Intake",
    "Membership",
    "Partner",
    "PaymentBatch",
    "PaymentInstruction",
    "Program",
    "Province",
    "Region",
    "ReportSnapshot",
    "SurveyRecord",
    "User",
    "UserRegion",
    "table_of",
    "utcnow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Current time as naive UTC (the stored form of every timestamp)."""
    return datetime.now(UTC).replace(tzinfo=None)


def person_display_name(first_name: str | None, last_name: str | None,
                        first_name_ar: str | None, last_name_ar: str | None,
                        person_id: int | None) -> str:
    """How a woman is named on screen and on a payment line: her names in Latin script, else
    in Arabic script, else her number."""
    if first_name or last_name:
        return f"{first_name} {last_name}" if first_name and last_name else first_name or last_name or ""
    if first_name_ar or last_name_ar:
        return (f"{first_name_ar} {last_name_ar}" if first_name_ar and last_name_ar
                else first_name_ar or last_name_ar or "")
    return f"#{person_id}"


def table_of(model: type[Base]) -> Table:
    """The Core table of a model, typed, for multi-row inserts that bypass the ORM."""
    return Base.metadata.tables[model.__tablename__]


def vocab(enum: type[StrEnum], name: str) -> SAEnum:
    """A vocabulary column: stores the value (not the member name) with a named CHECK."""
    return SAEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        length=max(len(m.value) for m in enum),
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(100))
    name_ar: Mapped[str] = mapped_column(String(100))
    population_2024: Mapped[int | None] = mapped_column(Integer)

    provinces: Mapped[list[Province]] = relationship(back_populates="region")


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(100))
    name_ar: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    population_2024: Mapped[int | None] = mapped_column(Integer)

    region: Mapped[Region] = relationship(back_populates="provinces")


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint("budget_centimes >= 0", name="budget_non_negative"),
        CheckConstraint("grant_cap_centimes IS NULL OR grant_cap_centimes >= 0", name="cap_non_negative"),
        CheckConstraint("committed_centimes >= 0", name="committed_non_negative"),
        CheckConstraint("committed_centimes <= budget_centimes", name="committed_within_budget"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint("min_completion_share IS NULL OR "
                        "(min_completion_share > 0 AND min_completion_share <= 1)",
                        name="min_completion_share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget_centimes: Mapped[int] = mapped_column(BigInteger)
    grant_cap_centimes: Mapped[int | None] = mapped_column(BigInteger)
    # Sum of approved amounts still owed or spent (cancellations give back what was not paid).
    # Kept on the row so approvals can reserve budget with one conditional UPDATE, which is what
    # keeps two officers approving at once from overspending.
    committed_centimes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    # Set, a woman's grant is approved, and tranches after her first are paid, only once she
    # has attended this share of the sessions of each of the program's training activities
    # she is on the roster of.
    min_completion_share: Mapped[float | None] = mapped_column(Float)
    # Four eyes on money: who submitted a grant does not approve it, and who approved it does
    # not pay its tranches (empower.rules.check_four_eyes). On unless the program turns it off.
    four_eyes: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Tranche plan: the shares of the approved amount paid in turn, in percent ([40, 40, 20]),
    # and what must hold before each tranche after the first goes into a payment batch
    # (TrancheCondition values). Unset: one tranche of what is left, no condition.
    tranche_shares: Mapped[list[Any] | None] = mapped_column(JSON)
    tranche_conditions: Mapped[list[Any] | None] = mapped_column(JSON)
    # Whether an admin may still record a one-off tranche from the panel ("pay"), outside a
    # payment batch. Off by default: money goes through batches approved by a second person.
    panel_payments: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    region: Mapped[Region | None] = relationship()


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_ar: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[PartnerKind] = mapped_column(vocab(PartnerKind, "partner_kind"))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint("committed_centimes >= 0", name="committed_non_negative"),
        UniqueConstraint("program_id", "partner_id", "signed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    committed_centimes: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[AgreementStatus] = mapped_column(
        vocab(AgreementStatus, "agreement_status"), default=AgreementStatus.ACTIVE
    )

    program: Mapped[Program] = relationship()
    partner: Mapped[Partner] = relationship()


class Beneficiary(Base):
    __tablename__ = "beneficiaries"
    __table_args__ = (
        CheckConstraint(
            "erased_on IS NOT NULL OR first_name IS NOT NULL OR last_name IS NOT NULL "
            "OR first_name_ar IS NOT NULL OR last_name_ar IS NOT NULL",
            name="has_a_name",
        ),
        CheckConstraint("erased_on IS NOT NULL OR cin IS NOT NULL", name="has_cin"),
        CheckConstraint("household_size IS NULL OR household_size >= 1", name="household_positive"),
        Index("ix_beneficiaries_birth_date_match_key", "birth_date", "match_key"),
        # The panel's list sorts by each column through one of these (migration 0009): ties
        # go by id in the sort's direction, so the index is read one way or the other.
        *(Index(f"ix_beneficiaries_{c}_id", c, "id") for c in (
            "first_name", "last_name", "first_name_ar", "last_name_ar", "birth_date", "phone",
            "milieu", "archived_on")),
        # Counting a region's (an officer's) women of one milieu reads this index alone.
        Index("ix_beneficiaries_province_code_milieu", "province_code", "milieu"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable only so that an erased record (law 09-08) keeps no CIN; unique otherwise.
    cin: Mapped[str | None] = mapped_column(String(12), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    first_name_ar: Mapped[str | None] = mapped_column(String(100))
    last_name_ar: Mapped[str | None] = mapped_column(String(100))
    match_key: Mapped[str | None] = mapped_column(String(200))
    # The folded words of her names in both scripts (empower.search.search_key), behind the
    # full-text index of the search box (migration 0008). Cleared by an erasure.
    search_key: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    # Her bank account (RIB, 24 digits) for transfers: personal, like her CIN.
    rib: Mapped[str | None] = mapped_column(String(24))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    commune: Mapped[str | None] = mapped_column(String(100))
    milieu: Mapped[Milieu | None] = mapped_column(vocab(Milieu, "milieu"))
    education_level: Mapped[EducationLevel | None] = mapped_column(
        vocab(EducationLevel, "education_level")
    )
    marital_status: Mapped[MaritalStatus | None] = mapped_column(
        vocab(MaritalStatus, "marital_status")
    )
    household_size: Mapped[int | None] = mapped_column(Integer)
    disability: Mapped[bool | None] = mapped_column(Boolean)
    vulnerability_score: Mapped[float | None] = mapped_column(Float)
    consent_date: Mapped[date] = mapped_column(Date)
    consent_version: Mapped[str] = mapped_column(String(20), default="v1")
    registered_on: Mapped[date] = mapped_column(Date, index=True)
    archived_on: Mapped[date | None] = mapped_column(Date)
    erased_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    province: Mapped[Province] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="beneficiary")
    archive_periods: Mapped[list[ArchivePeriod]] = relationship(
        back_populates="beneficiary", order_by="ArchivePeriod.archived_on")

    @property
    def display_name(self) -> str:
        return person_display_name(self.first_name, self.last_name, self.first_name_ar,
                                   self.last_name_ar, self.id)


class ArchivePeriod(Base):
    """A period during which a woman was archived, a dated fact like an enrolment.

    From ``archived_on`` (included) to ``restored_on`` (excluded), or open while she is still
    archived; a woman's periods never overlap and she has at most one open period. Her
    ``Beneficiary.archived_on`` repeats the open period's start ("archived now, since").
    """

    __tablename__ = "archive_periods"
    __table_args__ = (
        CheckConstraint("restored_on IS NULL OR restored_on >= archived_on",
                        name="restored_after_archived"),
        Index("ix_archive_periods_beneficiary_id_archived_on", "beneficiary_id", "archived_on"),
        Index("uq_archive_periods_open", "beneficiary_id", unique=True,
              sqlite_where=text("restored_on IS NULL"),
              postgresql_where=text("restored_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"))
    archived_on: Mapped[date] = mapped_column(Date)
    restored_on: Mapped[date | None] = mapped_column(Date)

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="archive_periods")


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "program_id"),
        CheckConstraint("enrolled_on IS NULL OR enrolled_on >= applied_on", name="enrolled_after_applied"),
        CheckConstraint("exited_on IS NULL OR exited_on >= enrolled_on", name="exited_after_enrolled"),
        CheckConstraint(
            "(status = 'exited') = (exited_on IS NOT NULL AND exit_reason IS NOT NULL)",
            name="exit_complete",
        ),
        # The panel's enrolment-status filter reads its women from it (migration 0009).
        Index("ix_enrollments_status_beneficiary_id", "status", "beneficiary_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    status: Mapped[EnrollmentStatus] = mapped_column(vocab(EnrollmentStatus, "enrollment_status"))
    applied_on: Mapped[date] = mapped_column(Date)
    enrolled_on: Mapped[date | None] = mapped_column(Date, index=True)
    rejected_on: Mapped[date | None] = mapped_column(Date)
    exited_on: Mapped[date | None] = mapped_column(Date, index=True)
    exit_reason: Mapped[ExitReason | None] = mapped_column(vocab(ExitReason, "exit_reason"))
    # An application to an intake (a call) records what its rules said of her on the day she
    # applied: each rule's result (passed / failed / missing) with the rules version used, her
    # score, and after selection her rank. A refusal an officer overrides keeps the reason.
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"), index=True)
    rules_version: Mapped[int | None] = mapped_column(Integer)
    rule_results: Mapped[list[Any] | None] = mapped_column(JSON)
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    waitlisted_on: Mapped[date | None] = mapped_column(Date)
    override_reason: Mapped[str | None] = mapped_column(Text)
    overridden_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="enrollments")
    program: Mapped[Program] = relationship()
    intake: Mapped[Intake | None] = relationship()


class Intake(Base):
    """A call for applications of a program: where, how many places, who is eligible (rules as
    data, :mod:`empower.targeting`), how applicants are ranked (weights)."""

    __tablename__ = "intakes"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
        CheckConstraint("places >= 1", name="places_positive"),
        CheckConstraint("rules_version >= 1", name="rules_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    places: Mapped[int] = mapped_column(Integer)
    # Where it is open: HCP province and/or region codes; both empty means the program's area.
    province_codes: Mapped[list[Any] | None] = mapped_column(JSON)
    region_codes: Mapped[list[Any] | None] = mapped_column(JSON)
    rules: Mapped[list[Any]] = mapped_column(JSON)
    weights: Mapped[list[Any]] = mapped_column(JSON)
    # Bumped whenever rules or weights change; each application records the one it was judged by.
    rules_version: Mapped[int] = mapped_column(Integer, default=1)
    # Until this day (included) a place freed by a selected woman goes to the waiting list.
    promote_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[IntakeStatus] = mapped_column(vocab(IntakeStatus, "intake_status"))
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    selected_on: Mapped[date | None] = mapped_column(Date, index=True)
    selected_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    program: Mapped[Program] = relationship()


class Cooperative(Base):
    __tablename__ = "cooperatives"
    __table_args__ = (
        CheckConstraint("name IS NOT NULL OR name_ar IS NOT NULL", name="has_a_name"),
        CheckConstraint("dissolved_on IS NULL OR dissolved_on >= founded_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    odco_registration: Mapped[str | None] = mapped_column(String(60))
    sector: Mapped[Sector] = mapped_column(vocab(Sector, "sector"))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    commune: Mapped[str | None] = mapped_column(String(100))
    founded_on: Mapped[date] = mapped_column(Date)
    dissolved_on: Mapped[date | None] = mapped_column(Date)
    women_led: Mapped[bool] = mapped_column(Boolean, default=False)
    rib: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    province: Mapped[Province] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="cooperative")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("cooperative_id", "beneficiary_id"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    role: Mapped[CooperativeRole] = mapped_column(
        vocab(CooperativeRole, "cooperative_role"), default=CooperativeRole.MEMBER
    )
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)

    cooperative: Mapped[Cooperative] = relationship(back_populates="memberships")
    beneficiary: Mapped[Beneficiary] = relationship()


class Grant(Base):
    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint(
            "(beneficiary_id IS NULL) <> (cooperative_id IS NULL)", name="exactly_one_recipient"
        ),
        CheckConstraint("amount_requested_centimes >= 0", name="requested_non_negative"),
        CheckConstraint(
            "amount_approved_centimes IS NULL OR amount_approved_centimes >= 0",
            name="approved_non_negative",
        ),
        CheckConstraint("disbursed_centimes >= 0", name="disbursed_non_negative"),
        # The last line of defence for "never pay above the approved amount".
        CheckConstraint(
            "disbursed_centimes <= COALESCE(amount_approved_centimes, 0)",
            name="disbursed_within_approved",
        ),
        # ... and for "never send more than is left": paid plus in flight within approved.
        CheckConstraint(
            "in_flight_centimes >= 0 AND disbursed_centimes + in_flight_centimes"
            " <= COALESCE(amount_approved_centimes, 0)",
            name="in_flight_within_approved",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    purpose: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[GrantStatus] = mapped_column(vocab(GrantStatus, "grant_status"))
    amount_requested_centimes: Mapped[int] = mapped_column(BigInteger)
    amount_approved_centimes: Mapped[int | None] = mapped_column(BigInteger)
    disbursed_centimes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # What open payment instructions (pending or sent) hold of it: reserved with one conditional
    # UPDATE when a batch is built, released when the provider says paid, failed or returned.
    in_flight_centimes: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    submitted_on: Mapped[date] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date, index=True)
    rejected_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The actors who took the two steps the four-eyes rule compares (``user:amina``,
    # ``import:grants.csv``). Empty only for grants recorded before migration 0004 whose audit
    # log did not say.
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    program: Mapped[Program] = relationship()
    beneficiary: Mapped[Beneficiary | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()
    disbursements: Mapped[list[Disbursement]] = relationship(
        back_populates="grant", order_by="Disbursement.paid_on"
    )


class Disbursement(Base):
    __tablename__ = "disbursements"
    __table_args__ = (CheckConstraint("amount_centimes > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    amount_centimes: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    channel: Mapped[Channel] = mapped_column(vocab(Channel, "channel"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    grant: Mapped[Grant] = relationship(back_populates="disbursements")


class Activity(Base):
    """A training, coaching, mentoring, fair or exchange visit a program runs in sessions."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("planned_sessions >= 1", name="planned_sessions_positive"),
        CheckConstraint("completion_share > 0 AND completion_share <= 1",
                        name="completion_share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[ActivityKind] = mapped_column(vocab(ActivityKind, "activity_kind"))
    title: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    planned_sessions: Mapped[int] = mapped_column(Integer)
    completion_share: Mapped[float] = mapped_column(Float, default=0.8, server_default="0.8")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    program: Mapped[Program] = relationship()
    partner: Mapped[Partner | None] = relationship()
    province: Mapped[Province | None] = relationship()
    sessions: Mapped[list[ActivitySession]] = relationship(
        back_populates="activity", order_by="ActivitySession.scheduled_on")


class ActivitySession(Base):
    """One session of an activity, on one day: planned, then held or cancelled."""

    __tablename__ = "activity_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    scheduled_on: Mapped[date] = mapped_column(Date, index=True)
    commune: Mapped[str | None] = mapped_column(String(100))
    facilitator: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[SessionStatus] = mapped_column(vocab(SessionStatus, "session_status"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    activity: Mapped[Activity] = relationship(back_populates="sessions")


class Attendance(Base):
    """A woman's presence at a held session: one row per session and woman."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("session_id", "beneficiary_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("activity_sessions.id"))
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(vocab(AttendanceStatus, "attendance_status"))

    session: Mapped[ActivitySession] = relationship()
    beneficiary: Mapped[Beneficiary] = relationship()


class CoachingVisit(Base):
    """A coach's visit to a woman's or a cooperative's project (exactly one of them)."""

    __tablename__ = "coaching_visits"
    __table_args__ = (
        CheckConstraint(
            "(beneficiary_id IS NULL) <> (cooperative_id IS NULL)", name="exactly_one_visited"
        ),
        CheckConstraint("next_visit_due IS NULL OR next_visit_due >= visited_on",
                        name="next_visit_after_visit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[VisitKind] = mapped_column(vocab(VisitKind, "visit_kind"))
    next_visit_due: Mapped[date | None] = mapped_column(Date, index=True)
    # Personal: the coach's words about a woman's project and household. Redacted in the audit
    # log, never in a published output or a partner export.
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    program: Mapped[Program] = relationship()
    beneficiary: Mapped[Beneficiary | None] = relationship()
    cooperative: Mapped[Cooperative | None] = relationship()


class PaymentBatch(Base):
    """A batch of tranches sent together to one paying institution, signed off by a second
    person, then reconciled from the institution's return file."""

    __tablename__ = "payment_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    channel: Mapped[PaymentChannel] = mapped_column(vocab(PaymentChannel, "payment_channel"))
    provider: Mapped[str | None] = mapped_column(String(100))
    # The batch's business date: tranche conditions are checked as of it.
    planned_on: Mapped[date] = mapped_column(Date, index=True)
    # Set when the batch was built for one region's grants only.
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    status: Mapped[BatchStatus] = mapped_column(vocab(BatchStatus, "batch_status"))
    created_by: Mapped[str] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_on: Mapped[date | None] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    reconciled_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    program: Mapped[Program] = relationship()
    instructions: Mapped[list[PaymentInstruction]] = relationship(
        back_populates="batch", order_by="PaymentInstruction.id")


class PaymentInstruction(Base):
    """One tranche of one grant in a batch, with the payee as she was when the batch was made.

    Open (pending or sent) it holds its amount in the grant's ``in_flight_centimes``; a grant
    has at most one open instruction (``uq_payment_instructions_open_grant``). Paid, it is the
    tranche ``disbursement_id`` that ``disburse`` recorded.
    """

    __tablename__ = "payment_instructions"
    __table_args__ = (
        CheckConstraint("amount_centimes > 0", name="amount_positive"),
        CheckConstraint("tranche_number >= 1", name="tranche_number_positive"),
        Index("uq_payment_instructions_open_grant", "grant_id", unique=True,
              sqlite_where=text("status IN ('pending', 'sent')"),
              postgresql_where=text("status IN ('pending', 'sent')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id"), index=True)
    # The line's reference in the provider's files (payment reference, "motif").
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    tranche_number: Mapped[int] = mapped_column(Integer)
    amount_centimes: Mapped[int] = mapped_column(BigInteger)
    # The payee as she was when the batch was made (personal: never in an audit diff).
    payee_name: Mapped[str | None] = mapped_column(String(200))
    payee_cin: Mapped[str | None] = mapped_column(String(12))
    payee_rib: Mapped[str | None] = mapped_column(String(24))
    payee_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[InstructionStatus] = mapped_column(
        vocab(InstructionStatus, "instruction_status"), index=True)
    sent_on: Mapped[date | None] = mapped_column(Date, index=True)
    # When the provider's return said what happened (the payment date for a paid line).
    settled_on: Mapped[date | None] = mapped_column(Date, index=True)
    paid_on: Mapped[date | None] = mapped_column(Date)
    provider_reference: Mapped[str | None] = mapped_column(String(60))
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    disbursement_id: Mapped[int | None] = mapped_column(ForeignKey("disbursements.id"),
                                                        unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    batch: Mapped[PaymentBatch] = relationship(back_populates="instructions")
    grant: Mapped[Grant] = relationship()
    disbursement: Mapped[Disbursement | None] = relationship()


class SurveyRecord(Base):
    __tablename__ = "survey_records"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "program_id", "round"),
        CheckConstraint("monthly_income_centimes IS NULL OR monthly_income_centimes >= 0",
                        name="income_non_negative"),
        CheckConstraint("jobs_created IS NULL OR jobs_created >= 0", name="jobs_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    round: Mapped[SurveyRound] = mapped_column(vocab(SurveyRound, "survey_round"))
    surveyed_on: Mapped[date] = mapped_column(Date, index=True)
    monthly_income_centimes: Mapped[int | None] = mapped_column(BigInteger)
    has_savings: Mapped[bool | None] = mapped_column(Boolean)
    has_account: Mapped[bool | None] = mapped_column(Boolean)
    borrowed_formal: Mapped[bool | None] = mapped_column(Boolean)
    business_operating: Mapped[bool | None] = mapped_column(Boolean)
    jobs_created: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    beneficiary: Mapped[Beneficiary] = relationship()
    program: Mapped[Program] = relationship()


class DuplicateCandidate(Base):
    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "other_beneficiary_id", "rule"),
        CheckConstraint("beneficiary_id < other_beneficiary_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    other_beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    rule: Mapped[DuplicateRule] = mapped_column(vocab(DuplicateRule, "duplicate_rule"))
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[DuplicateStatus] = mapped_column(
        vocab(DuplicateStatus, "duplicate_status"), default=DuplicateStatus.OPEN, index=True
    )
    detected_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)

    beneficiary: Mapped[Beneficiary] = relationship(foreign_keys=[beneficiary_id])
    other_beneficiary: Mapped[Beneficiary] = relationship(foreign_keys=[other_beneficiary_id])


class Grievance(Base):
    """A complaint or a data-protection request (law 09-08), from receipt to closing.

    The woman is optional (anonymous complaints are allowed); the province always says whose
    the case is (hers when she is known). ``description`` and ``resolution`` are personal:
    redacted in the audit log, never exported, never in a report. Conduct and sexual
    exploitation and abuse cases are confidential (``sensitivity``): only a focal point sees
    them (:func:`empower.grievances.access_level`).
    """

    __tablename__ = "grievances"
    __table_args__ = (
        CheckConstraint("(category = 'data_protection') = (request_kind IS NOT NULL)",
                        name="request_kind_for_data_protection"),
        CheckConstraint("category NOT IN ('conduct', 'sexual_exploitation_abuse') "
                        "OR sensitivity = 'confidential'", name="confidential_categories"),
        CheckConstraint("status <> 'closed' OR (resolution IS NOT NULL "
                        "AND complainant_told_on IS NOT NULL)", name="closed_when_answered"),
        CheckConstraint("due_on >= received_on AND acknowledge_due_on >= received_on",
                        name="due_after_received"),
        Index("ix_grievances_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    received_by: Mapped[str] = mapped_column(String(100))
    channel: Mapped[GrievanceChannel] = mapped_column(vocab(GrievanceChannel, "grievance_channel"))
    category: Mapped[GrievanceCategory] = mapped_column(
        vocab(GrievanceCategory, "grievance_category"), index=True)
    request_kind: Mapped[DataRequestKind | None] = mapped_column(
        vocab(DataRequestKind, "data_request_kind"))
    sensitivity: Mapped[Sensitivity] = mapped_column(vocab(Sensitivity, "sensitivity"))
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"), index=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"), index=True)
    payment_instruction_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_instructions.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[GrievanceStatus] = mapped_column(vocab(GrievanceStatus, "grievance_status"))
    acknowledge_due_on: Mapped[date] = mapped_column(Date)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(100), index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date, index=True)
    complainant_told_on: Mapped[date | None] = mapped_column(Date)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    appealed_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # A data-protection request is fulfilled by what the law asks: erasure_beneficiary ran, or
    # her subject file was produced ("erasure", "subject_file").
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    fulfilment: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    beneficiary: Mapped[Beneficiary | None] = relationship()
    program: Mapped[Program | None] = relationship()
    province: Mapped[Province] = relationship()
    steps: Mapped[list[GrievanceStep]] = relationship(
        back_populates="grievance", order_by="GrievanceStep.id")


class GrievanceStep(Base):
    """A line of a grievance's log (append-only): an action, an assignment or a note."""

    __tablename__ = "grievance_steps"
    __table_args__ = (Index("ix_grievance_steps_kind_on", "kind", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(ForeignKey("grievances.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[GrievanceStepKind] = mapped_column(vocab(GrievanceStepKind, "grievance_step_kind"))
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    # Personal, like the description: redacted in the audit log, never exported.
    note: Mapped[str | None] = mapped_column(Text)
    # An answer (resolve, unfounded) records the deadline in force and since when the request
    # it answers was open (received, or appealed): the report's dated facts.
    due_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date | None] = mapped_column(Date)

    grievance: Mapped[Grievance] = relationship(back_populates="steps")


class AuditEvent(Base):
    """Append-only record of every write: who, when, what, with sensitive values redacted."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class User(Base):
    """A panel account. The password hash is written by the panel; the core never reads it."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(vocab(Role, "user_role"))
    language: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped on logout-everywhere events (password change, deactivation) to end every session.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Holds the focal_point role on top of ``role`` (migration 0010): sees the confidential
    # grievances (conduct, sexual exploitation and abuse) of her regions.
    focal_point: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    regions: Mapped[list[UserRegion]] = relationship(cascade="all, delete-orphan")


class UserRegion(Base):
    __tablename__ = "user_regions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)


class ReportSnapshot(Base):
    """A frozen month of KPI figures (``empower report monthly --freeze``)."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("month", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    # Filters that produced it, e.g. "all" or "region=02;program=AWAL".
    scope: Mapped[str] = mapped_column(String(200), default="all")
    frozen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    frozen_by: Mapped[str] = mapped_column(String(100))
    checksum: Mapped[str] = mapped_column(String(64))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
