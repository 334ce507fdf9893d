"""CSV and XLSX exports of a list, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook

from empower.io.safety import neutralise

__all__ = ["csv_rows", "xlsx_bytes"]


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(value) if isinstance(value, str) else value


def csv_rows(keys: Sequence[str], rows: Sequence[dict[str, Any]]) -> Iterator[list[Any]]:
    yield list(keys)
    for row in rows:
        yield [_plain(row.get(k)) for k in keys]


def xlsx_bytes(title: str, keys: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(list(keys))
    for row in rows:
        out = []
        for k in keys:
            v = row.get(k)
            if isinstance(v, str):
                v = neutralise(v)
            out.append(v)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
