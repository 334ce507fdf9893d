"""docs/import.md lists exactly the columns the importer reads."""

from __future__ import annotations

import re
from pathlib import Path

from empower.io.importing.columns import KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"


def test_documented_columns_match_the_importer() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind in KINDS.values():
        section = text.split(f"### `{kind.name}` (key: {' + '.join(kind.key)})", 1)[1]
        section = section.split("###", 1)[0]
        documented = re.findall(r"^\| `(\w+)` \|", section, flags=re.M)
        assert documented == [c.name for c in kind.columns], kind.name
