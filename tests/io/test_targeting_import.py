"""Import and export of targeting: intakes (rules and weights as JSON cells) and applications
to an intake through ``empower import enrollments`` with an ``intake_code`` column."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

import empower
from empower.io.exporting import export_kind
from empower.io.importing import import_file
from empower.models import Enrollment, Intake
from empower.services import targeting
from empower.vocab import EnrollmentStatus, IntakeStatus
from tests.factories import ACTOR, make_beneficiary, make_program
from tests.io.helpers import write_csv, write_xlsx

TODAY = date(2025, 1, 15)
RULES = [{"field": "age", "op": "between", "value": [18, 45]},
         {"field": "milieu", "op": "=", "value": "rural"},
         {"field": "vulnerability_score", "op": "<", "value": 40}]
WEIGHTS = [{"field": "household_size", "weight": 2},
           {"field": "marital_status", "weight": 10, "equals": "widowed"}]
HEADER = ["Programme", "Code appel", "Intitulé", "Date d'ouverture", "Date de clôture",
          "Nombre de places", "Provinces", "Régions", "Critères", "Pondérations",
          "Repêchage jusqu'au"]


def _row(code: str = "APPEL-1", rules: object = RULES, **extra: str) -> list[str]:
    cells = {"program": "AWAL", "code": code, "name": "Appel Rabat 2024",
             "opens": "01/02/2024", "closes": "29/02/2024", "places": "2",
             "provinces": "04.441, Rabat", "regions": "",
             "rules": rules if isinstance(rules, str) else json.dumps(rules),
             "weights": json.dumps(WEIGHTS), "promote": "30/04/2024"}
    cells.update(extra)
    return list(cells.values())


def _program(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        make_program(uow)
        uow.commit()


def test_an_intake_imports_with_french_headers_and_again_unchanged(
        db: empower.Database, tmp_path: Path) -> None:
    _program(db)
    path = write_csv(tmp_path / "appels.csv", [HEADER, _row()], delimiter=";")
    report = import_file(db, "intakes", path, today=TODAY)
    assert report.rejections == [] and report.created == 1
    with db.unit_of_work(readonly=True) as uow:
        intake = uow.session.scalars(select(Intake)).one()
        assert intake.status == IntakeStatus.DRAFT and intake.places == 2
        assert intake.province_codes == ["04.421", "04.441"]  # by code and by name
        assert [r["field"] for r in intake.rules] == ["age", "milieu", "vulnerability_score"]
        assert intake.rules_version == 1
    again = import_file(db, "intakes", path, today=TODAY)
    assert again.rejections == [] and again.unchanged == 1
    # a change of rules while it is a draft: updated, and the rules version goes up
    changed = write_csv(tmp_path / "appels2.csv", [HEADER, _row(rules=RULES[:2])],
                        delimiter=";")
    assert import_file(db, "intakes", changed, today=TODAY).updated == 1
    with db.unit_of_work() as uow:
        intake = uow.session.scalars(select(Intake)).one()
        assert intake.rules_version == 2
        targeting.open_intake(uow, intake.id, on=date(2024, 2, 1), actor=ACTOR)
        targeting.close_intake(uow, intake.id, on=date(2024, 3, 1), actor=ACTOR)
        uow.commit()
    # closed: the same row is unchanged, another is refused (its rules no longer change)
    assert import_file(db, "intakes", changed, today=TODAY).unchanged == 1
    locked = import_file(db, "intakes", path, today=TODAY)
    assert [r.code for r in locked.rejections] == ["intake.locked"]


def test_a_bad_rule_is_a_row_error_naming_the_rule(db: empower.Database,
                                                   tmp_path: Path) -> None:
    _program(db)
    bad = [RULES[0], {"field": "salaire", "op": "<", "value": 3000}]
    path = write_csv(tmp_path / "appels.csv", [
        HEADER, _row("A-1", bad), _row("A-2", '[{"field": "age", "op": "<"'),
        _row("A-3", [{"field": "milieu", "op": "between", "value": [1, 2]}]),
        _row("A-4", weights='[{"field": "marital_status", "weight": 3}]')], delimiter=";")
    report = import_file(db, "intakes", path, mode="valid-only", today=TODAY)
    assert report.created == 0 and report.rejected == 4
    by_line = {r.line: r for r in report.rejections}
    assert by_line[2].column == "Critères" and by_line[2].code == "targeting.rule_invalid"
    assert "rule 2" in by_line[2].reason and "salaire" in by_line[2].reason
    assert by_line[3].code == "import.json_invalid"
    assert "rule 1" in by_line[4].reason and "between" in by_line[4].reason
    assert by_line[5].column == "Pondérations" and "weight 1" in by_line[5].reason
    french = import_file(db, "intakes", path, mode="dry-run", today=TODAY, lang="fr")
    assert any("condition invalide" in r.reason for r in french.rejections)


def test_intakes_export_and_import_back(db: empower.Database, tmp_path: Path) -> None:
    _program(db)
    assert import_file(db, "intakes", write_csv(tmp_path / "a.csv", [HEADER, _row()]),
                       today=TODAY).created == 1
    out = tmp_path / "export.csv"
    assert export_kind(db, "intakes", out) == 1
    text = out.read_text(encoding="utf-8-sig")
    assert '""field"": ""age""' in text and "score" not in text.split("\n")[0]
    assert import_file(db, "intakes", out, today=TODAY).unchanged == 1
    assert export_kind(db, "intakes", tmp_path / "p.csv", pseudonymize=True,
                       pseudonym_key="k" * 40) == 1


def _open_intake(db: empower.Database) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        intake = targeting.create_intake(uow, empower.schemas.IntakeCreate.model_validate({
            "program_id": program.id, "code": "APPEL-1", "name": "Appel", "places": 1,
            "opens_on": date(2024, 2, 1), "closes_on": date(2024, 2, 29),
            "rules": RULES, "weights": WEIGHTS}), actor=ACTOR)
        targeting.open_intake(uow, intake.id, on=date(2024, 2, 1), actor=ACTOR)
        make_beneficiary(uow, cin="KB100001", vulnerability_score=20, household_size=5)
        make_beneficiary(uow, cin="KB100002", vulnerability_score=60)
        make_beneficiary(uow, cin="KB100003", milieu="urban", vulnerability_score=10)
        make_beneficiary(uow, cin="KB100004", vulnerability_score=None)
        uow.commit()


def _kobo(tmp_path: Path, fmt: str = "csv") -> Path:
    rows = [["start", "end", "identite/cin", "identite/nom", "candidature/programme",
             "candidature/code_appel", "candidature/date_de_candidature", "_uuid", "_index"],
            *[["2024-02-10T09:00:00", "2024-02-10T09:05:00", cin, "Fatima", "AWAL", "APPEL-1",
               "2024-02-10", f"uuid-{i}", str(i)]
              for i, cin in enumerate(["KB100001", "kb 100002", "KB100003", "KB100004"])]]
    if fmt == "xlsx":
        return write_xlsx(tmp_path / "kobo.xlsx", rows)
    return write_csv(tmp_path / "kobo.csv", rows)


def test_a_kobo_applications_file_goes_to_the_intake_judged_by_its_rules(
        db: empower.Database, tmp_path: Path) -> None:
    _open_intake(db)
    path = _kobo(tmp_path)
    report = import_file(db, "enrollments", path, today=TODAY)
    assert report.rejections == [] and report.created == 4
    with db.unit_of_work(readonly=True) as uow:
        apps = {e.beneficiary.cin: e for e in uow.session.scalars(select(Enrollment))}
        assert apps["KB100001"].status == EnrollmentStatus.APPLIED and apps["KB100001"].eligible
        assert apps["KB100001"].score == 10.0 and apps["KB100001"].rules_version == 1
        for cin, failed in [("KB100002", "vulnerability_score < 40"),
                            ("KB100003", "milieu = rural"), ("KB100004", "vulnerability_score < 40")]:
            e = apps[cin]
            assert e.status == EnrollmentStatus.REJECTED and e.rejected_on == date(2024, 2, 10)
            assert [r["rule"] for r in e.rule_results or [] if r["outcome"] != "passed"] == [
                failed]
        assert [r["outcome"] for r in apps["KB100004"].rule_results or []][2] == "missing"
    again = import_file(db, "enrollments", _kobo(tmp_path, "xlsx"), today=TODAY)
    assert again.rejections == [] and again.unchanged == 4


def test_an_application_row_that_moves_or_redates_is_refused(db: empower.Database,
                                                              tmp_path: Path) -> None:
    _open_intake(db)
    header = ["cin", "program_code", "applied_on", "intake_code", "enrolled_on"]
    assert import_file(db, "enrollments", write_csv(tmp_path / "a.csv", [
        header, ["KB100001", "AWAL", "2024-02-10", "APPEL-1", ""]]), today=TODAY).created == 1
    report = import_file(db, "enrollments", write_csv(tmp_path / "b.csv", [
        header, ["KB100001", "AWAL", "2024-02-12", "APPEL-1", ""],
        ["KB100002", "AWAL", "2024-02-12", "APPEL-1", "2024-02-12"],
        ["KB100003", "AWAL", "2024-02-12", "NOPE", ""],
        ["KB100004", "AWAL", "2024-03-12", "APPEL-1", ""]]), mode="valid-only", today=TODAY)
    codes = {r.line: (r.column, r.code) for r in report.rejections}
    assert codes == {2: ("applied_on", "import.intake_application_differs"),
                     3: ("enrolled_on", "intake.enrol_by_selection"),
                     4: ("intake_code", "intake.unknown"),
                     5: ("applied_on", "intake.outside_dates")}


def test_the_intakes_template_lists_the_columns(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from empower.io.template import write_template

    write_template("intakes", tmp_path / "appels.xlsx")
    book = load_workbook(tmp_path / "appels.xlsx")
    assert [c.value for c in book["intakes"][1]][:3] == ["program_code", "code", "name"]
    notes = " ".join(str(c.value) for row in book["notes"].iter_rows() for c in row)
    assert "a missing value is not a pass" in notes
