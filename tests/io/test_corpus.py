"""The bad-input corpus: each file gets its one clear message (exit 2) or its row errors (exit 1)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import empower
from empower.io.importing import import_file
from tests.io import fixtures_data as data
from tests.io.helpers import cli, snapshot, write_csv

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
TODAY = date(2025, 1, 15)


def test_every_corpus_file_has_an_expectation() -> None:
    # payments/: providers' return files, read by tests/io/test_payment_files.py.
    files = {p.name for p in CORPUS.iterdir()
             if p.name not in ("expected.json", "README.md", "payments")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus(db: empower.Database, tmp_path: Path, name: str) -> None:
    spec = EXPECTED[name]
    for kind in spec.get("setup", []):
        report = import_file(db, kind, write_csv(tmp_path / f"{kind}.csv", data.ALL[kind]),
                             today=TODAY)
        assert report.rejections == [], report.rejections
    before = snapshot(db)
    path = tmp_path / name
    shutil.copy(CORPUS / name, path)
    errors = tmp_path / "errors.csv"
    result = cli(db, "import", spec["kind"], str(path), "--errors", str(errors))
    assert result.exit_code == spec["exit"], result.output
    assert "Traceback" not in result.output
    if spec["exit"] == 2:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert spec["message"] in lines[0]
    if spec["exit"] == 1:
        import csv

        with errors.open(encoding="utf-8-sig") as fh:
            got = [(int(r["line"]), r["column"], r["value"], r["reason"]) for r in csv.DictReader(fh)]
        assert len(got) == len(spec["errors"]), got
        for (line, column, value, reason), want in zip(got, spec["errors"], strict=True):
            assert (line, column, value) == tuple(want[:3]), got
            assert want[3] in reason, got
    if spec["exit"]:
        assert snapshot(db) == before


def test_a_200_mb_line_is_refused_without_reading_it_whole(db: empower.Database,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w") as fh:
        fh.write("cin,first_name,birth_date,province_code,consent_date\n")
        block = "A" * (1 << 20)
        for _ in range(200):
            fh.write(block)
        fh.write("\n")
    result = cli(db, "import", "beneficiaries", str(path))
    assert result.exit_code == 2
    assert "line 2 is longer than" in result.output


def test_unreadable_file(db: empower.Database, tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = write_csv(tmp_path / "locked.csv", data.PROGRAMS)
    path.chmod(0)
    result = cli(db, "import", "programs", str(path))
    assert result.exit_code == 2 and "permission denied" in result.output
