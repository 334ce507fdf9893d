"""The panel sits on the core and beside the reports: it never imports the reports, and the core
never imports the panel (checked on the source, so a lazy import inside a function counts)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(folder: Path) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update((str(path.relative_to(ROOT)), a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


def test_panel_never_imports_the_reports():
    bad = [(f, m) for f, m in _imports(ROOT / "admin") if m.startswith("empower.reports")]
    assert bad == []


def test_core_never_imports_the_panel():
    bad = [(f, m) for f, m in _imports(ROOT / "empower")
           if m.startswith(("empower.admin", "fastapi_admin", "tortoise"))]
    assert bad == []
