"""Text is text and echoes are short, through the importer: control characters (a terminal
escape sequence), bidi controls and a 999,000-character CIN in the rows of a file give short,
visible lines in the terminal and the errors file; invisible characters in accepted rows are not
stored. (A NUL byte makes a CSV file "binary", refused whole in one line, and XML cannot hold
one, so NUL reaches the services only from scripts: tests/integration/test_text.py.)"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

import empower
from empower.models import Beneficiary, Enrollment
from tests.io import fixtures_data as data
from tests.io.helpers import cli, count, write_csv

HEADER = data.BENEFICIARIES[0]
GOOD = data.BENEFICIARIES[1]


def _row(**cells: str) -> list[str]:
    row = list(GOOD)
    for name, value in cells.items():
        row[HEADER.index(name)] = value
    return row


def _errors(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _import(db: empower.Database, tmp_path: Path, kind: str, rows: list[list[str]],
            *extra: str) -> tuple[object, list[list[str]]]:
    errors = tmp_path / "errors.csv"
    result = cli(db, "import", kind, str(write_csv(tmp_path / f"{kind}.csv", rows)),
                 "--mode", "valid-only", "--errors", str(errors), *extra)
    return result, _errors(errors)


def test_rows_with_nul_bidi_and_a_huge_cin_give_short_visible_error_lines(
        db: empower.Database, tmp_path: Path) -> None:
    huge = "A" * 999_000
    rows = [HEADER,
            _row(cin=huge),
            _row(cin="AB200001", first_name="Fa\x1b[2Jtima"),
            _row(cin="AB200002", commune="Ouj\x85da"),
            _row(cin="AB200004", phone="06\u202e12345678 / 0698765432"),
            _row(cin="AB200005", first_name="\u202eFatima\u200b", last_name="Ben\u2066ali",
                 commune="\ufeffOujda", phone="0612345678")]
    result, lines = _import(db, tmp_path, "beneficiaries", rows)
    assert result.exit_code == 1, result.output[:2000]
    # The terminal: a few short lines, nothing the size of the cell, no raw control character.
    assert len(result.output) < 5000
    for ch in ("\x1b", "\x85", "\u202e", "\u2066", "\ufeff", "\u200b"):
        assert ch not in result.output
    # The errors file: one short line per refused cell, values and reasons escaped.
    assert [(r[0], r[1], r[4]) for r in lines[1:]] == [
        ("2", "cin", "cin.invalid"),
        ("3", "first_name", "text.control_character"),
        ("4", "commune", "text.control_character"),
        ("5", "phone", "phone.two_numbers")]
    assert lines[1][2].startswith("A" * 60 + "…") and "999,000" in lines[1][2]
    assert lines[2][2] == "Fa\\x1b[2Jtima" and lines[3][2] == "Ouj\\x85da"
    assert lines[4][2] == "06\\u202e12345678 / 0698765432"
    assert all(len(",".join(r)) < 400 for r in lines)
    text = (tmp_path / "errors.csv").read_text(encoding="utf-8-sig")
    assert len(text) < 3000
    assert not any(ch in text for ch in ("\x1b", "\x85", "\u202e", "\u2066"))
    # The clean row is stored without its invisible characters.
    with db.unit_of_work(readonly=True) as uow:
        stored = uow.session.scalars(select(Beneficiary)).all()
        assert [(b.cin, b.first_name, b.last_name, b.commune) for b in stored] == [
            ("AB200005", "Fatima", "Benali", "Oujda")]


def test_the_errors_file_says_a_long_value_short_in_french(db: empower.Database,
                                                           tmp_path: Path) -> None:
    result, lines = _import(db, tmp_path, "beneficiaries",
                            [HEADER, _row(cin="Z" * 999_000)], "--lang", "fr")
    assert result.exit_code == 1
    assert "999\u202f000 caractères" in lines[1][2] and "999\u202f000 caractères" in lines[1][3]
    assert len(result.output) < 3000


def test_a_cin_spelled_with_arabic_indic_digits_is_the_same_woman(db: empower.Database,
                                                                  tmp_path: Path) -> None:
    rows = [HEADER, _row(cin="AB300001"), _row(cin="ＡＢ٣٠٠٠٠١", first_name="Khadija")]
    result, lines = _import(db, tmp_path, "beneficiaries", rows)
    assert result.exit_code == 1
    assert [(r[0], r[1], r[4]) for r in lines[1:]] == [("3", "cin", "import.key_repeated")]
    assert count(db, Beneficiary) == 1


def test_a_lookup_key_that_is_not_text_is_refused_naming_its_column(db: empower.Database,
                                                                    tmp_path: Path) -> None:
    # The program code and the CIN are looked up before any input model sees them: they
    # follow the text rule first (refused naming the column, an invisible character dropped).
    assert cli(db, "import", "programs",
               str(write_csv(tmp_path / "p.csv", data.PROGRAMS))).exit_code == 0
    assert cli(db, "import", "beneficiaries",
               str(write_csv(tmp_path / "b.csv", data.BENEFICIARIES))).exit_code == 0
    header = data.ENROLLMENTS[0]
    rows = [header, ["P" * 70_000, "AWAL", "2024-01-15", "", "", "", ""],
            ["AB100001", "AW\x1bAL", "2024-01-15", "", "", "", ""],
            ["AB10\x7f0002", "AWAL", "2024-01-15", "", "", "", ""],
            ["AB100003", "AWAL\u200b", "2024-01-20", "", "", "", ""]]
    result, lines = _import(db, tmp_path, "enrollments", rows)
    assert result.exit_code == 1, result.output
    assert [(r[0], r[1], r[4]) for r in lines[1:]] == [
        ("2", "cin", "cin.invalid"),
        ("3", "program_code", "text.control_character"),
        ("4", "cin", "text.control_character")]
    assert count(db, Enrollment) == 1

