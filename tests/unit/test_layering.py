"""Layering: the core never imports the panel or the reports; those two never import each other.

Scanned from the source with ``ast`` (no imports run), relative imports resolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"empower": ROOT / "empower", "empower.admin": ROOT / "admin",
            "empower.reports": ROOT / "reports"}
FORBIDDEN = {
    "empower": ("empower.admin", "empower.reports"),
    "empower.admin": ("empower.reports",),
    "empower.reports": ("empower.admin",),
}


def _module_name(package: str, folder: Path, path: Path) -> str:
    parts = list(path.relative_to(folder).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([package, *parts])


def imported_modules(package: str, folder: Path, path: Path) -> set[str]:
    """Every module a file imports, as absolute dotted names (``from x import y`` gives x.y too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module = _module_name(package, folder, path)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            # __import__("x") and importlib.import_module("x") with a literal name.
            func = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if func in ("__import__", "import_module"):
                found.add(str(node.args[0].value))
    return found


def _violations(package: str) -> list[str]:
    folder = PACKAGES[package]
    out = []
    for path in sorted(folder.rglob("*.py")):
        # The panel and the reports are separate trees even though the core folder is scanned
        # whole; an "admin" folder inside empower/ would still count as core.
        for name in imported_modules(package, folder, path):
            for banned in FORBIDDEN[package]:
                if name == banned or name.startswith(banned + "."):
                    out.append(f"{path.relative_to(ROOT)} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_forbidden_imports(package: str) -> None:
    if not PACKAGES[package].is_dir():
        pytest.skip(f"{PACKAGES[package]} does not exist yet")
    assert _violations(package) == []


def test_the_scanner_sees_relative_and_absolute_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "admin"
    (pkg / "views").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "views" / "__init__.py").write_text("from ... import reports\n")
    (pkg / "views" / "a.py").write_text("from ...reports.kpi import x\nimport empower.reports\n")
    (pkg / "b.py").write_text("from .views import a\nfrom empower import reports\n")
    names = set()
    for path in pkg.rglob("*.py"):
        names |= imported_modules("empower.admin", pkg, path)
    assert {"empower.reports", "empower.reports.kpi", "empower.admin.views.a"} <= names
    assert "empower.reports.kpi.x" in names
