"""The docs the code points at are in the repository, and the README's map matches the tree:
every path in "Where things live" exists, every relative link in the README and docs/ resolves,
and nothing refers to a folder outside the repository."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# Folders that are not the project's text (installed packages, caches, build output).
SKIP_DIRS = {".git", ".venv", "node_modules", "build", "dist", "__pycache__", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", ".hypothesis", "artifacts"}
TEXT_SUFFIXES = {".py", ".md", ".toml", ".cfg", ".ini", ".sh", ".j2", ".html", ".css", ".po",
                 ".json", ".txt", ".yml", ".yaml", ".mako", ""}
# What a reference to a folder outside the repository looks like: the notes folder this project
# started from, a parent-relative path, or this machine's work folders.
OUTSIDE = re.compile(r"\.\./shared|shared/notes|/work/(?:shared|main|wt)\b")


def _section(text: str, heading: str) -> str:
    assert heading in text, f"README.md has no '{heading}'"
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


def _where_things_live_paths() -> list[str]:
    section = _section(README.read_text(encoding="utf-8"), "## Where things live")
    paths = []
    for row in re.findall(r"^\| (`[^|]+`) \|", section, re.M):
        paths += re.findall(r"`([^`]+)`", row)
    return paths


def test_the_where_things_live_table_names_real_paths() -> None:
    paths = _where_things_live_paths()
    assert len(paths) > 10, paths
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == []


@pytest.mark.parametrize("writer", ["admin/accounts.py", "empower/demo.py", "reports/snapshots.py"])
def test_the_writers_outside_the_services_are_named(writer: str) -> None:
    assert writer in _where_things_live_paths()


def _markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_in_the_docs_resolves() -> None:
    broken = []
    for doc in _markdown_files():
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert broken == []


def test_the_notes_the_code_cites_are_in_docs() -> None:
    for name in ("kpis.md", "fastapi-admin.md"):
        assert (ROOT / "docs" / name).is_file(), name
    from empower.reports.render.i18n import LANGS, labels

    # The printed report sends its readers to the definitions: the path must be real.
    for lang in LANGS:
        assert "docs/kpis.md" in labels(lang)("definitions"), lang


def _project_text_files() -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        out += [Path(folder) / f for f in files if Path(f).suffix in TEXT_SUFFIXES and f not in SKIP_DIRS]
    return out


def test_nothing_refers_to_a_folder_outside_the_repository() -> None:
    offenders = []
    for path in _project_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and path != Path(__file__):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert offenders == []
