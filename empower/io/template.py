"""Empty import templates: the headers of a kind and a notes sheet explaining each column."""

from __future__ import annotations

from pathlib import Path

from empower.errors import InvalidInput
from empower.io.importing.columns import kind_spec

__all__ = ["write_template"]


def write_template(kind: str, path: str | Path) -> Path:
    """Write an .xlsx template for ``kind``: a data sheet with the headers, and a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    spec = kind_spec(kind)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput(f"template: '{path.name}' must end in .xlsx",
                           code="template.file_suffix", params={"name": path.name},
                           field="template", value=str(path))
    wb = Workbook()
    data = wb.active
    data.title = spec.name
    data.append([c.name for c in spec.columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(spec.columns):
        data.column_dimensions[_letter(i)].width = max(14, len(col.name) + 4)
    notes = wb.create_sheet("notes")
    notes.append(["column", "required", "what to write", "allowed values",
                  "also accepted as header"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for col in spec.columns:
        notes.append([col.name, "yes" if col.required else "", col.help, col.allowed,
                      "; ".join(col.aliases)])
    notes.append([])
    key = " + ".join(spec.key)
    notes.append(["key", "", f"Rows are matched on {key}: a row whose {key} is already "
                  "registered updates that record where values differ; re-importing the same "
                  "file changes nothing. A key repeated in one file: the first row counts, "
                  "later ones are rejected."])
    for group in spec.one_of:
        notes.append(["", "", f"At least one of {', '.join(group)} is required."])
    notes.append(["", "", "Headers may be in French, in any case, with or without accents. "
                  "Leading and trailing spaces are ignored."])
    for letter, width in zip("ABCDE", (22, 10, 60, 50, 50), strict=True):
        notes.column_dimensions[letter].width = width
    wb.save(path)
    return path


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
