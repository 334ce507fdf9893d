"""The command line (exit statuses, errors file, template) and exports (round trip, safety)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

import empower
from empower.io.exporting import export_kind
from empower.io.importing import import_file
from tests.io import fixtures_data as data
from tests.io.helpers import cli, snapshot, wipe, write_csv

TODAY = date(2025, 1, 15)
KINDS = list(data.ALL)


def load_all(db: empower.Database, folder: Path) -> None:
    for kind, rows in data.ALL.items():
        report = import_file(db, kind, write_csv(folder / f"{kind}.csv", rows), today=TODAY)
        assert report.rejections == [], (kind, report.rejections)


def test_cli_import_exit_statuses_and_errors_file(db: empower.Database, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "programs.csv", data.PROGRAMS)
    result = cli(db, "import", "programs", str(good))
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    rows = [list(r) for r in data.BENEFICIARIES] + [
        ["AB100001", "Dup", "", "", "", "1990-01-01", "", "04.441", "", "", "", "", "", "", "",
         "2024-01-10", "2024-01-10"],
        ["AB100005", "Sara", "", "", "", "1990-01-01", "", "Atlantis", "", "", "", "", "", "", "",
         "2024-01-10", "2024-01-10"]]
    bad = write_csv(tmp_path / "b.csv", rows, delimiter=";")
    errors = tmp_path / "errors.csv"
    result = cli(db, "import", "beneficiaries", str(bad), "--errors", str(errors))
    assert result.exit_code == 1, result.output
    assert "Nothing was written" in result.output and "2 rejected" in result.output
    assert snapshot(db)["beneficiaries"] == 0
    with errors.open(encoding="utf-8-sig") as fh:
        lines = list(csv.DictReader(fh))
    assert [(r["line"], r["column"], r["value"]) for r in lines] == [
        ("5", "cin", "AB100001"), ("6", "province_code", "Atlantis")]
    assert "line 2" in lines[0]["reason"]
    result = cli(db, "import", "beneficiaries", str(bad), "--mode", "valid-only")
    assert result.exit_code == 1 and snapshot(db)["beneficiaries"] == 3
    result = cli(db, "import", "beneficiaries", str(bad), "--mode", "dry-run")
    assert result.exit_code == 1 and "Dry run" in result.output


@pytest.mark.parametrize("args, message", [
    (["import", "people", "x.csv"], "not one of programs"),
    (["import", "programs", "missing.csv"], "no such file"),
    (["import", "programs", "x.csv", "--mode", "sometimes"], "--mode"),
    (["import", "programs"], "give the FILE"),
    (["export", "people", "x.csv"], "not one of programs"),
    (["export", "programs", "x.txt"], ".csv or .xlsx"),
])
def test_cli_usage_errors_exit_2(db: empower.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("code,name\nA,B\n")
    result = cli(db, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_template_has_headers_and_notes(db: empower.Database, tmp_path: Path) -> None:
    for kind in KINDS:
        path = tmp_path / f"{kind}.xlsx"
        result = cli(db, "import", kind, "--template", str(path))
        assert result.exit_code == 0, result.output
        wb = load_workbook(path, read_only=True)
        headers = next(wb[kind].iter_rows(values_only=True))
        assert list(headers) == list(data.ALL[kind][0]) or set(data.ALL[kind][0]) <= set(headers)
        notes = list(wb["notes"].iter_rows(values_only=True))
        assert notes[0][0] == "column"
        described = {row[0] for row in notes[1:] if row and row[0]}
        assert set(headers) <= described
        wb.close()
    # An empty template imports as a file with a header and no rows: nothing to do, exit 0.
    result = cli(db, "import", "programs", str(tmp_path / "programs.xlsx"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_export_import_gives_the_same_records(db: empower.Database, tmp_path: Path,
                                                         suffix: str) -> None:
    load_all(db, tmp_path)
    counts = snapshot(db)
    first = {k: tmp_path / f"a-{k}{suffix}" for k in KINDS}
    for kind in KINDS:
        assert export_kind(db, kind, first[kind]) == counts[kind]
    wipe(db)
    assert snapshot(db)["beneficiaries"] == 0
    for kind in KINDS:
        report = import_file(db, kind, first[kind], today=TODAY)
        assert report.rejections == [], (kind, report.rejections)
        assert report.created == counts[kind]
    after = snapshot(db)
    for kind in KINDS:
        assert after[kind] == counts[kind]
        second = tmp_path / f"b-{kind}{suffix}"
        export_kind(db, kind, second)
        assert _cells(first[kind]) == _cells(second)


def _cells(path: Path) -> list[list[object]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig") as fh:
            return list(csv.reader(fh))
    wb = load_workbook(path, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    return rows


def test_export_neutralises_formulas(db: empower.Database, tmp_path: Path) -> None:
    rows = [data.PROGRAMS[0], ["EVIL", "=HYPERLINK(\"http://x\")", "+33 cmd", "2024-01-01", "",
                               "1000", "", ""],
            ["EVIL2", "@SUM(A1)", "-2+3", "2024-01-01", "", "1000", "", ""]]
    report = import_file(db, "programs", write_csv(tmp_path / "p.csv", rows), today=TODAY)
    assert report.rejections == []
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"out{suffix}"
        result = cli(db, "export", "programs", str(out))
        assert result.exit_code == 0, result.output
        cells = [str(c) for row in _cells(out) for c in row if c is not None]
        assert "'=HYPERLINK(\"http://x\")" in cells and "'+33 cmd" in cells
        assert "'@SUM(A1)" in cells and "'-2+3" in cells
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
        # Importing the export gives the original text back.
        report = import_file(db, "programs", out, today=TODAY)
        assert report.unchanged == 2 and report.updated == 0


def test_pseudonymised_export(db: empower.Database, tmp_path: Path) -> None:
    load_all(db, tmp_path)
    out = tmp_path / "b.csv"
    result = cli(db, "export", "beneficiaries", str(out), "--pseudonymize")
    assert result.exit_code == 2 and "EMPOWER_PSEUDONYM_KEY" in result.output
    assert not out.exists()
    key = {"EMPOWER_PSEUDONYM_KEY": "s3cret-" * 5}
    result = cli(db, "export", "beneficiaries", str(out), "--pseudonymize", env=key)
    assert result.exit_code == 0, result.output
    rows = _cells(out)
    assert "first_name" not in rows[0] and "last_name_ar" not in rows[0]
    text = out.read_text(encoding="utf-8-sig")
    for secret in ("AB100001", "612345678", "Fatima", "فاطمة"):
        assert secret not in text
    cin = rows[0].index("cin")
    assert rows[1][cin].startswith("P-") and len(rows[1][cin]) == 18
    # Stable for one key (partners can join files), different for another.
    cli(db, "export", "enrollments", str(tmp_path / "e.csv"), "--pseudonymize", env=key)
    assert rows[1][cin] in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    cli(db, "export", "beneficiaries", str(tmp_path / "b2.csv"), "--pseudonymize",
        env={"EMPOWER_PSEUDONYM_KEY": "other-key-" * 4})
    assert rows[1][cin] not in (tmp_path / "b2.csv").read_text(encoding="utf-8-sig")


def test_through_the_empower_command(db: empower.Database, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from empower.cli import main

    monkeypatch.setenv("EMPOWER_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    good = write_csv(tmp_path / "programs.csv", data.PROGRAMS)
    assert main(["import", "programs", str(good)]) == 0
    assert main(["import", "programs", str(good), "--mode", "dry-run"]) == 0
    assert main(["import", "programs", str(tmp_path / "nope.csv")]) == 2
    assert main(["import", "grants", str(good)]) == 2  # no grant column in a programs file
    assert main(["export", "programs", str(tmp_path / "out.xlsx")]) == 0
    assert main(["import", "programs", str(tmp_path / "out.xlsx")]) == 0
