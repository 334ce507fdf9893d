"""The README's script snippet runs as written and prints what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Scripting with the library"


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.find(HEADING)
    if start < 0:
        pytest.fail(f"README.md has no '{HEADING}' section")
    end = text.find("\n## ", start + len(HEADING))
    return text[start:end if end > 0 else len(text)]


def snippet_and_expected_output() -> tuple[str, str]:
    section = readme_section()
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "no ```python block under the scripting heading"
    said = re.search(r"prints\s+`([^`]+)`", section[block.end():])
    assert said, "the README does not say what the snippet prints"
    return block.group(1), said.group(1)


def test_readme_snippet_runs_and_prints_what_the_readme_says(tmp_path: Path, db_url: str,
                                                              db) -> None:
    # ``db`` is requested for its clean-up: it empties the PostgreSQL database afterwards.
    code, expected = snippet_and_expected_output()
    url = db_url if db_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'readme.db'}"
    code, n = re.subn(r"""empower\.connect\((["'])[^"']*\1""", f"empower.connect({url!r}",
                      code, count=1)
    assert n == 1, "the snippet does not call empower.connect('...') with a URL"
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
    # It wrote nowhere but where it was pointed.
    assert not (tmp_path / "quickstart.db").exists()
