"""Archive and restore are dated facts: a past month re-runs to the same figures.

Before archive periods, restoring a woman cleared her archive date, so a month in which she was
archived counted her again after the fact (July went from 7 to 8). Now each archive is a period
(archived on, restored on): the reports count each day against the periods, acts dated inside
one are refused, and the migration carries existing archives and their history over.
"""

from __future__ import annotations

from datetime import date

import pytest
from empower.reports import build_monthly_report
from sqlalchemy import select

import empower
from empower.errors import InvalidInput, NotEligible, RuleViolation
from empower.models import ArchivePeriod, AuditEvent, Beneficiary, table_of
from empower.schemas import EnrollmentCreate
from tests.factories import make_beneficiary, make_program

D = date
ACTOR = "test:archive"
HEADLINE = ("beneficiaries_registered", "active_enrollments")


def _figures(db: empower.Database, month: str) -> dict[str, object]:
    report = build_monthly_report(db, month, threshold=0, now=None)
    return {key: report.figures[key]["value"] for key in HEADLINE}


def _periods(uow: empower.UnitOfWork, bid: int) -> list[tuple[date, date | None]]:
    return [(p.archived_on, p.restored_on) for p in uow.session.scalars(
        select(ArchivePeriod).where(ArchivePeriod.beneficiary_id == bid)
        .order_by(ArchivePeriod.archived_on))]


def test_july_re_runs_to_the_same_figures_after_an_archive_and_a_restore(db) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow, start_date=D(2026, 1, 1))
        women = [make_beneficiary(uow, registered_on=D(2026, 6, 1), consent_date=D(2026, 6, 1))
                 for _ in range(8)]
        for woman in women:
            empower.apply(uow, EnrollmentCreate(
                beneficiary_id=woman.id, program_id=program.id, applied_on=D(2026, 6, 2),
                enrolled_on=D(2026, 6, 10)), actor=ACTOR)
        uow.commit()
    july = _figures(db, "2026-07")
    assert july == {"beneficiaries_registered": 8, "active_enrollments": 8}

    leaving = women[0].id
    with db.unit_of_work() as uow:
        empower.archive_beneficiary(uow, leaving, actor=ACTOR, on=D(2026, 8, 10),
                                    reason="moved away")
        uow.commit()
    assert _figures(db, "2026-07") == july
    assert _figures(db, "2026-08")["beneficiaries_registered"] == 7

    with db.unit_of_work() as uow:
        # Acts dated while she was archived are refused; the archive cannot overlap it.
        with pytest.raises(InvalidInput) as early:
            empower.restore_beneficiary(uow, leaving, actor=ACTOR, on=D(2026, 8, 1))
        assert early.value.code == "beneficiary.restored_before_archive"
        empower.restore_beneficiary(uow, leaving, actor=ACTOR, on=D(2026, 9, 5))
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        assert _periods(uow, leaving) == [(D(2026, 8, 10), D(2026, 9, 5))]
        assert uow.session.get(Beneficiary, leaving).archived_on is None
    # July, the month before her archive, and August, the month she was archived at its end,
    # re-run to the figures they had; September counts her again.
    assert _figures(db, "2026-07") == july
    assert _figures(db, "2026-08")["beneficiaries_registered"] == 7
    assert _figures(db, "2026-09")["beneficiaries_registered"] == 8
    # The trend reads 12 months in one extract: each month as its own report says.
    report = build_monthly_report(db, "2026-09", threshold=0, trend=True)
    trend = {month: figure["value"]
             for month, figure in report.trend["beneficiaries_registered"]}
    assert (trend["2026-07"], trend["2026-08"], trend["2026-09"]) == (8, 7, 8)

    with db.unit_of_work() as uow:
        person = uow.session.get(Beneficiary, leaving)
        from empower.services._common import check_not_archived
        with pytest.raises(NotEligible) as during:
            check_not_archived(person, D(2026, 8, 20))
        assert during.value.code == "beneficiary.archived"
        assert during.value.params["archived_on"] == D(2026, 8, 10)
        check_not_archived(person, D(2026, 9, 5))  # the day of the restore: fine
        with pytest.raises(InvalidInput) as overlap:
            empower.archive_beneficiary(uow, leaving, actor=ACTOR, on=D(2026, 9, 1))
        assert overlap.value.code == "beneficiary.archived_before_restore"
        # A second archive opens a second period; the first is kept.
        empower.archive_beneficiary(uow, leaving, actor=ACTOR, on=D(2026, 10, 1))
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        assert _periods(uow, leaving) == [(D(2026, 8, 10), D(2026, 9, 5)), (D(2026, 10, 1), None)]
    assert _figures(db, "2026-09")["beneficiaries_registered"] == 8
    assert _figures(db, "2026-10")["beneficiaries_registered"] == 7


def test_erasure_and_merge_open_an_archive_period(db) -> None:
    with db.unit_of_work() as uow:
        woman = make_beneficiary(uow, registered_on=D(2026, 1, 5), consent_date=D(2026, 1, 5))
        empower.archive_beneficiary(uow, woman.id, actor=ACTOR, on=D(2026, 3, 1))
        empower.restore_beneficiary(uow, woman.id, actor=ACTOR, on=D(2026, 4, 1))
        empower.erase_beneficiary(uow, woman.id, actor=ACTOR, on=D(2026, 5, 2))
        uow.commit()
    with db.unit_of_work() as uow:
        assert _periods(uow, woman.id) == [(D(2026, 3, 1), D(2026, 4, 1)), (D(2026, 5, 2), None)]
        with pytest.raises(RuleViolation):
            empower.restore_beneficiary(uow, woman.id, actor=ACTOR)


def test_the_migration_carries_archives_and_their_history_over(scratch_url: str) -> None:
    """Archives written before 0003: the record's date, and archive/restore audit events."""
    db = empower.connect(scratch_url)
    try:
        db.upgrade("0002")
        with db.unit_of_work() as uow:
            # Written straight into the tables: the 0.x services are gone.
            beneficiaries = table_of(Beneficiary)
            base = {"first_name": "Itto", "birth_date": D(1990, 1, 1), "province_code": "04.441",
                    "consent_date": D(2025, 1, 1), "registered_on": D(2025, 1, 1)}
            uow.session.execute(beneficiaries.insert(), [
                {**base, "cin": "MG1", "archived_on": D(2026, 5, 1)},   # archived now
                {**base, "cin": "MG2", "archived_on": None},            # archived, restored
                {**base, "cin": "MG3", "archived_on": D(2026, 9, 1)},   # twice: 2nd still open
                {**base, "cin": "MG4", "archived_on": None},            # never
            ])
            ids = dict(uow.session.execute(select(Beneficiary.cin, Beneficiary.id)).all())
            uow.session.execute(table_of(AuditEvent).insert(), [
                {"at": D(2026, 5, 1), "actor": "old", "action": "archive", "entity": "beneficiary",
                 "entity_id": ids["MG1"], "changes": {"archived_on": [None, "2026-05-01"]}},
                {"at": D(2026, 8, 12), "actor": "old", "action": "archive",
                 "entity": "beneficiary", "entity_id": ids["MG2"],
                 "changes": {"archived_on": [None, "2026-08-10"]}},
                {"at": D(2026, 9, 5), "actor": "old", "action": "restore",
                 "entity": "beneficiary", "entity_id": ids["MG2"],
                 "changes": {"archived_on": ["2026-08-10", None]}},
                {"at": D(2026, 3, 1), "actor": "old", "action": "archive",
                 "entity": "beneficiary", "entity_id": ids["MG3"],
                 "changes": {"archived_on": [None, "2026-03-01"]}},
                {"at": D(2026, 4, 2), "actor": "old", "action": "restore",
                 "entity": "beneficiary", "entity_id": ids["MG3"],
                 "changes": {"archived_on": ["2026-03-01", None]}},
                {"at": D(2026, 9, 1), "actor": "old", "action": "archive",
                 "entity": "beneficiary", "entity_id": ids["MG3"],
                 "changes": {"archived_on": [None, "2026-09-01"]}},
            ])
            uow.commit()
        db.upgrade()
        with db.unit_of_work(readonly=True) as uow:
            assert _periods(uow, ids["MG1"]) == [(D(2026, 5, 1), None)]
            assert _periods(uow, ids["MG2"]) == [(D(2026, 8, 10), D(2026, 9, 5))]
            assert _periods(uow, ids["MG3"]) == [(D(2026, 3, 1), D(2026, 4, 2)),
                                                 (D(2026, 9, 1), None)]
            assert _periods(uow, ids["MG4"]) == []
        # August no longer counts the woman archived then and restored since.
        figures = build_monthly_report(db, "2026-08", threshold=0).figures
        assert figures["beneficiaries_registered"]["value"] == 2
    finally:
        db.dispose()
