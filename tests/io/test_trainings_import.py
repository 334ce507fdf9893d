"""Import and export of trainings: activities, sessions, attendance rosters, coaching visits.

Each kind through ``empower import``, its row errors (line, column, value), re-imports that
change nothing, both write modes, and a KoboToolbox roster export (CSV and XLSX) as it is.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import empower
from empower.io.exporting import export_kind
from empower.io.importing import import_file
from empower.models import Activity, ActivitySession, Attendance, AuditEvent, CoachingVisit
from empower.schemas import PartnerCreate
from empower.services.programs import create_partner
from empower.vocab import PartnerKind
from tests.io import fixtures_data as data
from tests.io.helpers import audit_count, cli, snapshot, write_csv, write_xlsx

TODAY = date(2025, 1, 15)
CORPUS = Path(__file__).parent / "corpus"
BASE = ("programs", "beneficiaries", "cooperatives", "enrollments")
TRAININGS = ("activities", "sessions", "attendance", "visits")


def load(db: empower.Database, folder: Path, kinds: tuple[str, ...]) -> None:
    for kind in kinds:
        report = import_file(db, kind, write_csv(folder / f"{kind}.csv", data.ALL[kind]),
                             today=TODAY)
        assert report.rejections == [], (kind, report.rejections)


def roster(db: empower.Database) -> dict[tuple[str, str], str]:
    with db.unit_of_work(readonly=True) as uow:
        rows = uow.session.execute(
            select(ActivitySession.reference, empower.models.Beneficiary.cin, Attendance.status)
            .join(ActivitySession, Attendance.session_id == ActivitySession.id)
            .join(empower.models.Beneficiary,
                  Attendance.beneficiary_id == empower.models.Beneficiary.id))
        return {(ref, cin): status.value for ref, cin, status in rows}


def errors_of(report: Any) -> list[tuple[int, str, str, str]]:
    return sorted((r.line, r.column, r.value, r.code) for r in report.rejections)


# ----------------------------------------------------------------------------- each kind


def test_each_kind_imports_through_the_services(db: empower.Database, tmp_path: Path) -> None:
    load(db, tmp_path, BASE + TRAININGS)
    with db.unit_of_work(readonly=True) as uow:
        get = uow.session.scalar
        activity = get(select(Activity).where(Activity.code == "AWAL-GET"))
        assert activity.kind.value == "training" and activity.completion_share == 0.75
        assert activity.planned_sessions == 4 and activity.province_code == "04.441"
        fair = get(select(Activity).where(Activity.code == "AWAL-FOIRE"))
        assert fair.kind.value == "fair" and fair.completion_share == 0.8
        status = dict(uow.session.execute(select(ActivitySession.reference,
                                                 ActivitySession.status)).tuples().all())
        assert {k: v.value for k, v in status.items()} == {
            "S-1": "held", "S-2": "held", "S-3": "cancelled", "S-4": "planned"}
        actions = set(uow.session.scalars(select(AuditEvent.action).where(
            AuditEvent.entity == "session")))
        assert actions == {"plan", "hold", "cancel", "record_roster"}
        v1 = get(select(CoachingVisit).where(CoachingVisit.reference == "V-1"))
        assert v1.kind.value == "on_site" and v1.next_visit_due == date(2024, 7, 1)
        assert v1.note == "Métier installé chez elle"
        v2 = get(select(CoachingVisit).where(CoachingVisit.reference == "V-2"))
        assert v2.cooperative_id is not None and v2.beneficiary_id is None
        # The note is personal: the audit log records that there was one, not what it said.
        changes = [e.changes for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "visit"))]
        assert "Métier" not in repr(changes)
    assert roster(db) == {("S-1", "AB100001"): "present", ("S-1", "AB100002"): "absent",
                          ("S-2", "AB100001"): "present", ("S-2", "AB100002"): "excused"}


def test_a_partner_is_named_and_must_exist(db: empower.Database, tmp_path: Path) -> None:
    load(db, tmp_path, ("programs",))
    with db.unit_of_work() as uow:
        create_partner(uow, PartnerCreate(name="Association Tanmia",
                                          kind=PartnerKind.ASSOCIATION), actor="test:admin")
        uow.commit()
    rows = [data.ACTIVITIES[0],
            ["AWAL", "A-1", "training", "Alphabétisation", "Association Tanmia", "", "2024-02-01",
             "2024-03-01", "10", ""],
            ["AWAL", "A-2", "training", "Gestion", "Association Inconnue", "", "2024-02-01",
             "2024-03-01", "10", ""]]
    report = import_file(db, "activities", write_csv(tmp_path / "a.csv", rows),
                         mode="valid-only", today=TODAY)
    assert errors_of(report) == [(3, "partner", "Association Inconnue", "import.partner_unknown")]
    assert report.created == 1
    out = tmp_path / "out.csv"
    export_kind(db, "activities", out)
    assert "Association Tanmia" in out.read_text(encoding="utf-8-sig")


def test_activity_and_session_row_errors(db: empower.Database, tmp_path: Path) -> None:
    load(db, tmp_path, BASE + ("activities",))
    activities = [data.ACTIVITIES[0],
                  ["AWAL", "A-BAD", "atelier", "X", "", "", "2024-02-01", "2024-03-01", "0", ""],
                  ["NOPE", "A-NOPE", "formation", "X", "", "", "2024-02-01", "2024-03-01", "3",
                   ""],
                  ["AWAL", "A-EARLY", "formation", "X", "", "", "2023-02-01", "2024-03-01", "3",
                   ""]]
    report = import_file(db, "activities", write_csv(tmp_path / "a2.csv", activities),
                         today=TODAY)
    assert errors_of(report) == [
        (2, "kind", "atelier", "choice.invalid"),
        (3, "program_code", "NOPE", "program.unknown"),
        (4, "starts_on", "2023-02-01", "program.before_start"),
    ]
    sessions = [data.SESSIONS[0],
                ["AWAL-GET", "S-OUT", "2024-08-01", "", "", "planned"],
                ["AWAL-GET", "S-FUT", "2024-06-01", "", "", "held"],
                ["AWAL-NONE", "S-X", "2024-03-01", "", "", ""],
                ["AWAL-GET", "S-OK", "2024-03-03", "", "", "peut-être"]]
    report = import_file(db, "sessions", write_csv(tmp_path / "s.csv", sessions),
                         today=date(2024, 5, 1))
    assert errors_of(report) == [
        (2, "scheduled_on", "2024-08-01", "session.outside_activity"),
        (3, "scheduled_on", "2024-06-01", "date.in_future"),
        (4, "activity_code", "AWAL-NONE", "import.activity_unknown"),
        (5, "status", "peut-être", "choice.invalid"),
    ]
    assert snapshot(db)["sessions"] == 0 and report.committed is False


def test_sessions_move_forward_and_refuse_other_changes(db: empower.Database,
                                                        tmp_path: Path) -> None:
    load(db, tmp_path, BASE + ("activities", "sessions"))
    audit = audit_count(db)
    sessions = [list(r) for r in data.SESSIONS]
    sessions[4][5] = "tenue"          # S-4 planned -> held
    sessions[1][3] = "Berkane"        # S-1's commune differs
    sessions[2][5] = "planned"        # S-2 held -> planned: no way back
    sessions[3][5] = "held"           # S-3 cancelled -> held: refused by the state machine
    report = import_file(db, "sessions", write_csv(tmp_path / "s2.csv", sessions),
                         mode="valid-only", today=TODAY)
    assert errors_of(report) == [
        (2, "commune", "Berkane", "import.session_differs"),
        (3, "status", "planned", "import.session_differs"),
        (4, "status", "held", "transition.final"),
    ]
    assert (report.updated, report.unchanged) == (1, 0)
    assert audit_count(db) == audit + 1
    with db.unit_of_work(readonly=True) as uow:
        s4 = uow.session.scalar(select(ActivitySession).where(ActivitySession.reference == "S-4"))
        assert s4.status.value == "held"


# ----------------------------------------------------------------------------- attendance


def _bad_roster() -> list[list[str]]:
    return [["séance", "CIN", "Présence"],
            ["S-1", "AB100001", "présente"],     # 2 fine
            ["S-4", "AB100001", "présente"],     # 3 planned session
            ["S-3", "AB100001", "absente"],      # 4 cancelled session
            ["S-9", "AB100001", "absente"],      # 5 no such session
            ["S-1", "ZZ999999", "absente"],      # 6 no such woman
            ["S-1", "AB100003", "absente"],      # 7 her application was rejected
            ["S-1", "AB100002", "peut-être"],    # 8 not a status
            ["S-2", "AB100002", "غائبة"],        # 9 fine (Arabic label)
            ["S-1", "ab-100001", "absente"]]     # 10 the same woman again (key repeated)


# What _bad_roster's rows are refused for, as (line, column, value, code), whatever the mode.
BAD_ROSTER_ERRORS = [
    (3, "séance", "S-4", "session.not_held"),
    (4, "séance", "S-3", "session.cancelled"),
    (5, "séance", "S-9", "import.session_unknown"),
    (6, "CIN", "ZZ999999", "beneficiary.unknown_cin"),
    (7, "CIN", "AB100003", "attendance.not_enrolled"),
    (8, "Présence", "peut-être", "choice.invalid"),
    (10, "séance", "S-1", "import.key_repeated"),
]


def test_attendance_row_errors_atomic_writes_nothing(db: empower.Database,
                                                     tmp_path: Path) -> None:
    load(db, tmp_path, BASE + ("activities", "sessions"))
    before = snapshot(db)
    errors = tmp_path / "errors.csv"
    path = write_csv(tmp_path / "r.csv", _bad_roster(), delimiter=";")
    result = cli(db, "import", "attendance", str(path), "--errors", str(errors))
    assert result.exit_code == 1, result.output
    assert snapshot(db) == before
    with errors.open(encoding="utf-8-sig") as fh:
        got = sorted((int(r["line"]), r["column"], r["value"], r["code"])
                     for r in csv.DictReader(fh))
    assert got == BAD_ROSTER_ERRORS


def test_attendance_valid_only_writes_the_good_rows(db: empower.Database,
                                                    tmp_path: Path) -> None:
    load(db, tmp_path, BASE + ("activities", "sessions"))
    path = write_csv(tmp_path / "r.csv", _bad_roster())
    report = import_file(db, "attendance", path, mode="valid-only", today=TODAY)
    assert report.rejected == 7 and report.created == 2 and report.committed
    assert roster(db) == {("S-1", "AB100001"): "present", ("S-2", "AB100002"): "absent"}


def test_attendance_reimport_is_idempotent_and_corrects_a_mark(db: empower.Database,
                                                                tmp_path: Path) -> None:
    load(db, tmp_path, BASE + TRAININGS)
    before, audit = snapshot(db), audit_count(db)
    path = write_csv(tmp_path / "again.csv", data.ATTENDANCE)
    report = import_file(db, "attendance", path, today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert snapshot(db) == before and audit_count(db) == audit
    rows = [list(r) for r in data.ATTENDANCE]
    rows[2][2] = "excusée"
    report = import_file(db, "attendance", write_csv(tmp_path / "fix.csv", rows), today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert roster(db)[("S-1", "AB100002")] == "excused"
    assert audit_count(db) == audit + 1
    assert snapshot(db)["attendance"] == 4


# ----------------------------------------------------------------------------- KoboToolbox


def _kobo_rows() -> list[list[str]]:
    with (CORPUS / "kobo_roster.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("mode", ["atomic", "valid-only"])
def test_a_kobo_roster_imports_as_it_is(db: empower.Database, tmp_path: Path, fmt: str,
                                        mode: str) -> None:
    load(db, tmp_path, BASE + ("activities", "sessions"))
    if fmt == "csv":
        path = tmp_path / "kobo_roster.csv"
        path.write_bytes((CORPUS / "kobo_roster.csv").read_bytes())
    else:
        path = write_xlsx(tmp_path / "kobo_roster.xlsx", _kobo_rows())
    report = import_file(db, "attendance", path, mode=mode, today=TODAY)
    # Kobo's own columns are not reported; the form's other questions are ignored by name.
    assert report.ignored_columns == ["roster/nom_complet"]
    assert errors_of(report) == [(6, "roster/session_ref", "S-4", "session.not_held")]
    if mode == "atomic":
        assert roster(db) == {}
        return
    assert roster(db) == {("S-1", "AB100001"): "present", ("S-1", "AB100002"): "absent",
                          ("S-2", "AB100001"): "present", ("S-2", "AB100002"): "excused"}
    again = import_file(db, "attendance", path, mode=mode, today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_kobo_status_column_of_the_submission_is_not_the_roster_status(
        db: empower.Database, tmp_path: Path) -> None:
    load(db, tmp_path, BASE + ("activities", "sessions"))
    rows = [["roster/session_ref", "roster/cin", "roster/status", "_status", "_uuid"],
            ["S-1", "AB100001", "Absente", "submitted_via_web", "u-1"]]
    report = import_file(db, "attendance", write_csv(tmp_path / "k.csv", rows), today=TODAY)
    assert report.rejections == [] and report.created == 1
    assert roster(db) == {("S-1", "AB100001"): "absent"}


# ----------------------------------------------------------------------------- visits


def test_visit_row_errors(db: empower.Database, tmp_path: Path) -> None:
    load(db, tmp_path, BASE)
    rows = [data.VISITS[0],
            ["V-A", "AWAL", "AB100001", "COOP-1", "2024-04-01", "groupe", "", ""],
            ["V-B", "AWAL", "", "", "2024-04-01", "groupe", "", ""],
            ["V-C", "AWAL", "AB100001", "", "2024-04-01", "appel", "2024-03-01", ""],
            ["V-D", "AWAL", "AB100001", "", "2025-06-01", "appel", "", ""],
            ["V-E", "AWAL", "AB100001", "", "2024-04-01", "visioconférence", "", ""],
            ["V-F", "AWAL", "", "COOP-1", "2024-04-01", "جماعية", "", ""]]
    report = import_file(db, "visits", write_csv(tmp_path / "v.csv", rows), mode="valid-only",
                         today=TODAY)
    assert errors_of(report) == [
        (2, "cin", "AB100001", "visit.one_recipient"),
        (3, "cin", "", "visit.one_recipient"),
        (4, "next_visit_due", "2024-03-01", "visit.next_before_visit"),
        (5, "visited_on", "2025-06-01", "date.in_future"),
        (6, "kind", "visioconférence", "choice.invalid"),
    ]
    assert report.created == 1


def test_a_recorded_visit_is_not_changed_and_its_note_not_echoed(db: empower.Database,
                                                                 tmp_path: Path) -> None:
    load(db, tmp_path, BASE + ("visits",))
    rows = [list(r) for r in data.VISITS]
    rows[1][7] = "Autre chose de personnel"
    report = import_file(db, "visits", write_csv(tmp_path / "v.csv", rows), today=TODAY)
    assert errors_of(report) == [(2, "reference", "V-1", "import.visit_differs")]
    assert "personnel" not in repr(report.rejections)
    assert report.unchanged == 1 and not report.committed


# ----------------------------------------------------------------------------- export, template


def test_pseudonymised_exports_leave_the_note_out(db: empower.Database, tmp_path: Path) -> None:
    load(db, tmp_path, BASE + TRAININGS)
    key = "k" * 32
    visits = tmp_path / "visits.csv"
    export_kind(db, "visits", visits, pseudonym_key=key, pseudonymize=True)
    text = visits.read_text(encoding="utf-8-sig")
    assert "Métier" not in text and "AB100001" not in text and "note" not in text.splitlines()[0]
    assert "P-" in text
    attendance = tmp_path / "attendance.xlsx"
    export_kind(db, "attendance", attendance, pseudonym_key=key, pseudonymize=True)
    from openpyxl import load_workbook

    wb = load_workbook(attendance, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert rows[0] == ("session_reference", "cin", "status")
    assert all(str(r[1]).startswith("P-") for r in rows[1:]) and len(rows) == 5
    # The full export keeps the note, to import back.
    export_kind(db, "visits", visits)
    assert "Métier installé chez elle" in visits.read_text(encoding="utf-8-sig")


def test_templates_of_the_new_kinds(db: empower.Database, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    for kind in TRAININGS:
        path = tmp_path / f"{kind}.xlsx"
        result = cli(db, "import", kind, "--template", str(path))
        assert result.exit_code == 0, result.output
        wb = load_workbook(path, read_only=True)
        assert list(next(wb[kind].iter_rows(values_only=True))) == data.ALL[kind][0]
        notes = {r[0]: r for r in wb["notes"].iter_rows(values_only=True) if r}
        wb.close()
        assert "status" in notes or "kind" in notes or "visited_on" in notes


# ----------------------------------------------------------------------------- chunks


def _roster_events(db: empower.Database) -> list[tuple[int | None, Any]]:
    with db.unit_of_work(readonly=True) as uow:
        return sorted(((e.entity_id, e.changes) for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "record_roster"))),
            key=lambda e: e[0] or 0)


def _mixed_roster() -> list[list[str]]:
    # Good and bad rows of two sessions interleaved, so a small chunk cuts through both.
    return _bad_roster() + [["S-2", "AB100001", "présente"]]


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, None])
def test_attendance_chunks_change_nothing_but_the_chunk(db: empower.Database, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         chunk: int | None) -> None:
    from empower.io.importing.kinds import attendance

    load(db, tmp_path, BASE + ("activities", "sessions"))
    if chunk is not None:
        monkeypatch.setattr(attendance, "CHUNK_ROWS", chunk)
    path = write_csv(tmp_path / "r.csv", _mixed_roster(), delimiter=";")
    report = import_file(db, "attendance", path, mode="valid-only", today=TODAY)
    # The same rejections, outcomes and roster as the whole file in one chunk (None).
    assert errors_of(report) == BAD_ROSTER_ERRORS
    assert (report.created, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 7)
    assert roster(db) == {("S-1", "AB100001"): "present", ("S-2", "AB100002"): "absent",
                          ("S-2", "AB100001"): "present"}
    # One event per session whose roster changed in a chunk (a session cut by chunks gets one
    # per chunk), each counting what it added. Women are named by id, never by CIN.
    events = _roster_events(db)
    with db.unit_of_work(readonly=True) as uow:
        ids = dict(uow.session.execute(
            select(ActivitySession.reference, ActivitySession.id)).all())
    assert {e[0] for e in events} == {ids["S-1"], ids["S-2"]}
    assert sum(e[1]["added"] for e in events) == 3
    if chunk is None:
        assert len(events) == 2
    assert "AB1000" not in repr(events)


def test_attendance_error_in_a_later_chunk_leaves_nothing_written(
        db: empower.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from empower.io.importing.kinds import attendance

    load(db, tmp_path, BASE + ("activities", "sessions"))
    before, audit = snapshot(db), audit_count(db)
    monkeypatch.setattr(attendance, "CHUNK_ROWS", 2)
    rows = [list(r) for r in data.ATTENDANCE] + [["S-1", "AB100003", "absente"]]
    report = import_file(db, "attendance", write_csv(tmp_path / "r.csv", rows), today=TODAY)
    # The first two chunks were written in the transaction, the third refused a row: nothing
    # is committed.
    assert errors_of(report) == [(6, "cin", "AB100003", "attendance.not_enrolled")]
    assert report.created == 4 and not report.committed
    assert snapshot(db) == before and audit_count(db) == audit and roster(db) == {}


def test_attendance_reimport_in_chunks_is_idempotent(db: empower.Database, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from empower.io.importing.kinds import attendance

    load(db, tmp_path, BASE + TRAININGS)
    monkeypatch.setattr(attendance, "CHUNK_ROWS", 3)
    rows = [list(r) for r in data.ATTENDANCE]
    rows[4][2] = "absente"
    audit = audit_count(db)
    report = import_file(db, "attendance", write_csv(tmp_path / "fix.csv", rows), today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert roster(db)[("S-2", "AB100002")] == "absent"
    events = _roster_events(db)[-1:]
    assert audit_count(db) == audit + 1
    assert events[0][1]["changed"][0][1:] == ["excused", "absent"]
    again = import_file(db, "attendance", write_csv(tmp_path / "fix.csv", rows), today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert audit_count(db) == audit + 1
