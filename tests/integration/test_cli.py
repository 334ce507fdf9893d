"""The command line as a newcomer meets it: clear output, one-line errors, honest exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from empower.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMPOWER_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return tmp_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``empower`` entry point in a child process, as a user runs it."""
    return subprocess.run([sys.executable, "-c", "from empower.cli import main; main()", *args],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=300)


def test_upgrade_demo_stats(workdir: Path) -> None:
    upgrade = run("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "Database ready" in upgrade.stdout
    again = run("db", "upgrade")
    assert again.returncode == 0, again.stderr

    demo = run("demo", "--beneficiaries", "120", "--seed", "3", "--as-of", "2026-06-30")
    assert demo.returncode == 0, demo.stderr
    assert "120" in demo.stdout and "Demo data up to 2026-06-30" in demo.stdout

    stats = run("stats")
    assert stats.returncode == 0, stats.stderr
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in stats.stdout.splitlines() if line.count("│") == 3}
    assert lines["beneficiaries"] == "120"
    assert lines["provinces"] == "75"
    assert lines["regions"] == "12"
    assert int(lines["audit events"].replace(",", "")) > 120


def test_demo_twice_is_one_clear_line(workdir: Path) -> None:
    assert run("demo", "--beneficiaries", "20").returncode == 0
    second = run("demo", "--beneficiaries", "20")
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert "error: the database already holds 20 beneficiaries" in second.stderr


def test_stats_before_upgrade_says_what_to_do(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert "empower db upgrade" in err
    assert "Traceback" not in err


def test_unreachable_database_is_one_line(workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EMPOWER_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert main(["stats"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: database:")
    assert "Traceback" not in err


def test_bad_option_is_a_usage_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--beneficiaries", "zero"]) == 2
    assert main(["demo", "--as-of", "31/12/2025"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "31/12/2025" in err


def test_help_lists_the_contract(workdir: Path) -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("db", "demo", "stats"):
        assert command in result.stdout
