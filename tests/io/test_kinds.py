"""Every kind imports through the core services; re-imports are idempotent; changes update."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

import empower
from empower.io.importing import import_file
from empower.models import AuditEvent, Beneficiary, Grant, Program
from tests.io import fixtures_data as data
from tests.io.helpers import audit_count, snapshot, write_csv

TODAY = date(2025, 1, 15)


def load_all(db: empower.Database, folder: Path, mode: str = "atomic") -> dict[str, object]:
    reports = {}
    for kind, rows in data.ALL.items():
        path = write_csv(folder / f"{kind}.csv", rows)
        reports[kind] = import_file(db, kind, path, mode=mode, today=TODAY)
    return reports


def test_every_kind_imports_then_reimports_unchanged(db: empower.Database, tmp_path: Path) -> None:
    reports = load_all(db, tmp_path)
    for kind, report in reports.items():
        assert report.rejections == [], (kind, report.rejections)
        assert report.created == len(data.ALL[kind]) - 1, kind
        assert report.committed is True
    before = snapshot(db)
    assert before["grants"] == 4 and before["disbursements"] == 3 and before["surveys"] == 3
    with db.unit_of_work(readonly=True) as uow:
        g1 = uow.session.scalar(select(Grant).where(Grant.reference == "G-1"))
        assert g1.status.value == "closed" and g1.disbursed_centimes == 1_500_000
        g3 = uow.session.scalar(select(Grant).where(Grant.reference == "G-3"))
        assert g3.status.value == "rejected"
        awal = uow.session.scalar(select(Program).where(Program.code == "AWAL"))
        assert awal.budget_centimes == 100_000_000 and awal.grant_cap_centimes == 5_000_000
        fatima = uow.session.scalar(select(Beneficiary).where(Beneficiary.cin == "AB100001"))
        assert fatima.phone == "+212612345678" and fatima.first_name_ar == "فاطمة"
        assert fatima.vulnerability_score == 42.5 and fatima.household_size == 5
        assert fatima.education_level.value == "primary"
        actors = set(uow.session.scalars(select(AuditEvent.actor)))
        assert actors == {f"import:{k}.csv" for k in data.ALL}
    again = load_all(db, tmp_path)
    for kind, report in again.items():
        assert report.rejections == [], (kind, report.rejections)
        assert (report.created, report.updated) == (0, 0), kind
        assert report.unchanged == len(data.ALL[kind]) - 1
    assert snapshot(db) == before


def test_changed_rows_update_with_an_audit_event(db: empower.Database, tmp_path: Path) -> None:
    load_all(db, tmp_path)
    events = audit_count(db)
    rows = [list(r) for r in data.BENEFICIARIES]
    rows[1][6] = "0661000000"
    rows[2][8] = "Fès"
    path = write_csv(tmp_path / "b2.csv", rows)
    report = import_file(db, "beneficiaries", path, today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert audit_count(db) == events + 2
    programs = [list(r) for r in data.PROGRAMS]
    programs[1][2] = "INDH phase 3"
    report = import_file(db, "programs", write_csv(tmp_path / "p2.csv", programs), today=TODAY)
    assert (report.updated, report.unchanged) == (1, 1)
    surveys = [list(r) for r in data.SURVEYS]
    surveys[2][4] = "650"
    report = import_file(db, "surveys", write_csv(tmp_path / "s2.csv", surveys), today=TODAY)
    assert (report.updated, report.unchanged) == (1, 2)
    enrollments = [list(r) for r in data.ENROLLMENTS]
    enrollments[4][3] = "2024-07-01"  # TIRSAL application now enrolled
    enrollments[1][3] = "2024-02-02"  # correction of an enrolment date
    report = import_file(db, "enrollments", write_csv(tmp_path / "e2.csv", enrollments),
                         today=TODAY)
    assert report.rejections == []
    assert (report.updated, report.unchanged) == (2, 2)
    with db.unit_of_work(readonly=True) as uow:
        actions = [e.action for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "enrollment").order_by(AuditEvent.id))]
        assert actions[-2:] == ["correct", "enroll"]
    assert audit_count(db) == events + 2 + 1 + 1 + 2


@pytest.mark.parametrize("mode", ["atomic", "valid-only", "dry-run"])
def test_modes(db: empower.Database, tmp_path: Path, mode: str) -> None:
    rows = [list(r) for r in data.BENEFICIARIES]
    rows.append(["AB100009", "Sara", "", "", "", "2015-01-01", "", "04.441", "", "", "", "", "",
                 "", "", "2024-01-10", "2024-01-10"])
    report = import_file(db, "beneficiaries", write_csv(tmp_path / "b.csv", rows), mode=mode,
                         today=TODAY)
    assert report.rejected == 1 and report.exit_code == 1
    assert report.rejections[0].line == 5 and report.rejections[0].column == "birth_date"
    assert "18 or older" in report.rejections[0].reason
    written = snapshot(db)["beneficiaries"]
    assert written == {"atomic": 0, "valid-only": 3, "dry-run": 0}[mode]
    assert report.committed == (mode == "valid-only")


def test_row_refused_half_way_leaves_nothing(db: empower.Database, tmp_path: Path) -> None:
    load_all(db, tmp_path)
    before = snapshot(db)
    rows = [data.ENROLLMENTS[0],
            # applies fine, then the enrolment date is outside the program: nothing may remain
            ["AB100003", "TIRSAL", "2024-06-02", "2030-01-01", "", "", ""]]
    report = import_file(db, "enrollments", write_csv(tmp_path / "e.csv", rows),
                         mode="valid-only", today=TODAY)
    assert report.rejected == 1 and "outside" in report.rejections[0].reason
    assert report.rejections[0].column == "enrolled_on"
    assert snapshot(db) == before


def test_reimport_takes_new_steps_and_refuses_money_changes(db: empower.Database,
                                                             tmp_path: Path) -> None:
    load_all(db, tmp_path)
    events = audit_count(db)
    coops = [list(r) for r in data.COOPERATIVES]
    coops[1][6] = "Berkane"
    coops[1][8] = "2025-01-01"  # dissolved since
    report = import_file(db, "cooperatives", write_csv(tmp_path / "c.csv", coops), today=TODAY)
    assert (report.updated, report.unchanged, report.rejected) == (1, 1, 0)
    members = [list(r) for r in data.MEMBERSHIPS]
    members[2][2] = "trésorière"
    report = import_file(db, "memberships", write_csv(tmp_path / "m.csv", members), today=TODAY)
    # Her role changed; the other member left on the dissolution day, a blank left_on keeps it.
    assert (report.updated, report.unchanged) == (1, 1)
    grants = [list(r) for r in data.GRANTS]
    grants[4][8] = "2024-04-10"  # G-4 approved since
    grants[1][4] = "Métier à tisser et fils"
    report = import_file(db, "grants", write_csv(tmp_path / "g.csv", grants), today=TODAY)
    assert report.rejections == [] and (report.updated, report.unchanged) == (2, 2)
    grants[2][5] = "45000"  # requested amount of an existing grant: not changed by import
    report = import_file(db, "grants", write_csv(tmp_path / "g2.csv", grants), today=TODAY)
    assert report.rejected == 1 and report.rejections[0].column == "amount_requested"
    tranches = [list(r) for r in data.DISBURSEMENTS]
    tranches[3][2] = "9000"
    report = import_file(db, "disbursements", write_csv(tmp_path / "d.csv", tranches),
                         today=TODAY)
    assert report.rejected == 1 and "not changed by import" in report.rejections[0].reason
    with db.unit_of_work(readonly=True) as uow:
        g4 = uow.session.scalar(select(Grant).where(Grant.reference == "G-4"))
        assert g4.status.value == "approved" and g4.approved_on == date(2024, 4, 10)
        actions = sorted(e.action for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.id > events)))
    assert actions == sorted(["update", "dissolve", "correct", "approve", "correct"])


def test_blank_cells_do_not_undo_steps(db: empower.Database, tmp_path: Path) -> None:
    load_all(db, tmp_path)
    enrollments = [list(r) for r in data.ENROLLMENTS]
    enrollments[2][6] = ""  # exit reason left blank on an enrolment that has exited
    enrollments[1][3] = ""  # enrolment date left blank
    report = import_file(db, "enrollments", write_csv(tmp_path / "e.csv", enrollments),
                         today=TODAY)
    assert report.rejections == [] and report.unchanged == 4
    grants = [["reference", "program_code", "cin", "amount_requested", "amount_approved",
               "submitted_on"], ["G-9", "AWAL", "AB100001", "100", "90", "2024-05-01"]]
    report = import_file(db, "grants", write_csv(tmp_path / "g.csv", grants), today=TODAY)
    assert report.rejected == 1 and report.rejections[0].column == "approved_on"
