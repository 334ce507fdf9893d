"""Cell parsing: from what a file holds to the Python value the core services take.

A cell arrives as text (CSV) or as whatever openpyxl read (``str``, ``int``, ``float``,
``datetime``, ``bool``). :func:`clean` trims it; text follows the text rule
(:func:`empower.text.clean_text`: invisible characters removed, control characters refused);
each parser returns the value or raises :class:`~empower.errors.InvalidInput` with a
plain-language reason; :func:`parse_row` parses the
mapped cells of one row, remembering each distinct spelling per column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from empower.errors import EmpowerError, InvalidInput
from empower.io.importing.headers import header_key
from empower.io.importing.report import Issue
from empower.io.safety import strip_neutralisation
from empower.reference import provinces, regions
from empower.rules import centimes, mad
from empower.text import clean_text
from empower.vocab import fold, parse_choice

if TYPE_CHECKING:
    from empower.io.importing.columns import Column

__all__ = ["Memo", "choice", "clean", "parse_row"]

# Vocabularies, provinces, dates and amounts repeat down a column: parse each spelling once.
_MEMO_SIZE = 100_000
_MISS = object()
Memo = dict[str, dict[Any, Any]]


def clean(raw: Any) -> Any:
    """Trim text, undo export neutralisation, and turn blanks into ``None``."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if text[0] == "'":
            text = strip_neutralisation(text)
        return text
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return int(raw)
    return raw


# ----------------------------------------------------------------------------- parsers


def _not(col: str, raw: Any, what: str, code: str) -> InvalidInput:
    return InvalidInput(f"{col}: '{raw}' is not {what}", code=code, params={"value": str(raw)},
                        field=col, value=raw)


def text(raw: Any, col: str) -> str:
    """Any cell as text (dates as ISO dates); never raises."""
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


_EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](.*))?$")
# The time part an ISO date may carry: HH:MM[:SS[.ffffff]], then Z or an offset.
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?"
                   r"(?:Z|[+-](\d{2}):?(\d{2}))?$")
# A number written as text ("1980", "12.5", "4,5e3"): not a date, whatever Excel would make of it.
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?$")
_MIDNIGHT = datetime.min.time()


def a_date(raw: Any, col: str) -> date:
    """``2024-01-31``, ``31/01/2024`` (or ``-``, ``.``), an Excel date, or an Excel serial number
    from a number cell of an XLSX file.

    Raises :class:`InvalidInput` for anything else: a number written as text (a CSV cell is
    always text, so ``1980`` is a year or a typo, not serial day 1980:
    ``import.date_number_text``), a date that does not exist, a time part that is not a time
    (``import.datetime_invalid``) or a real time of day (``import.date_has_time``: the column
    holds a date, and dropping the time would change what the file says).
    """
    if isinstance(raw, datetime):
        if raw.time() != _MIDNIGHT:
            raise _has_time(col, raw)
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise _not(col, raw, "a date", "import.date_invalid")
    if isinstance(raw, int | float):
        return _serial(raw, col, raw)
    cell = str(raw)
    iso = _ISO.match(cell)
    dmy = None if iso else _DMY.match(cell)
    try:
        if iso:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif dmy:
            day = date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
    except ValueError as exc:
        raise InvalidInput(f"{col}: '{raw}' is not a real date", code="import.date_unreal",
                           params={"value": str(raw)}, field=col, value=raw) from exc
    if iso or dmy:
        if iso and iso[4] is not None:
            _check_time(iso[4], col, raw)
        return day
    if _NUMBER_TEXT.match(cell):
        raise InvalidInput(
            f"{col}: '{raw}' is a number written as text, not a date (use YYYY-MM-DD or "
            f"dd/mm/yyyy; Excel serial numbers are read only from number cells of an .xlsx "
            f"file)", code="import.date_number_text", params={"value": str(raw)}, field=col,
            value=raw)
    raise InvalidInput(f"{col}: '{raw}' is not a date (use YYYY-MM-DD or dd/mm/yyyy)",
                       code="import.date_unreadable", params={"value": str(raw)}, field=col,
                       value=raw)


def _has_time(col: str, raw: Any) -> InvalidInput:
    shown = raw.isoformat(sep=" ") if isinstance(raw, datetime) else str(raw)
    return InvalidInput(f"{col}: '{shown}' carries a time of day; this column takes a date only "
                        f"(YYYY-MM-DD)", code="import.date_has_time", params={"value": shown},
                        field=col, value=raw)


def _check_time(part: str, col: str, raw: Any) -> None:
    """Accept a midnight time part; refuse one that is not a time, or a real time of day."""
    m = _TIME.match(part)
    if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59 \
            or int(m[5] or 0) > 23 or int(m[6] or 0) > 59:
        raise InvalidInput(f"{col}: '{raw}' has a time part that is not a valid time",
                           code="import.datetime_invalid", params={"value": str(raw)},
                           field=col, value=raw)
    if any(int(g or 0) for g in (m[1], m[2], m[3], m[4])):
        raise _has_time(col, raw)


def _serial(number: float, col: str, raw: Any) -> date:
    # Excel serials: day 1 is 1900-01-01; beyond 9999-12-31 nothing is a date. A fraction is a
    # time of day, which a date column does not hold.
    if not 1 <= number <= 2958465:
        raise _not(col, raw, "a date", "import.date_invalid")
    if number != int(number):
        raise _has_time(col, raw)
    return _EXCEL_EPOCH + timedelta(days=int(number))


def amount(raw: Any, col: str) -> Decimal:
    """An amount in MAD, through the core's one conversion to centimes (and back, exact).

    Raises :class:`InvalidInput` as :func:`empower.rules.centimes` does.
    """
    if isinstance(raw, bool):
        raise _not(col, raw, "an amount", "amount.invalid")
    if isinstance(raw, float):
        # repr is the shortest text that reads back as this float: 0.1, not 0.1000000000000000055.
        raw = repr(raw)
    value = mad(centimes(raw, field=col))
    assert value is not None
    return value


_TRUE = frozenset({"yes", "y", "oui", "o", "true", "vrai", "1", "نعم", "x"})
_FALSE = frozenset({"no", "n", "non", "false", "faux", "0", "لا"})


def yes_no(raw: Any, col: str) -> bool:
    """yes/no, oui/non, true/false, vrai/faux, 1/0, نعم/لا; :class:`InvalidInput` otherwise."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    key = fold(str(raw))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise InvalidInput(f"{col}: '{raw}' is not yes/no (oui/non, true/false, 1/0, نعم/لا)",
                       code="import.yes_no_invalid", params={"value": str(raw)}, field=col,
                       value=raw)


def whole_number(raw: Any, col: str) -> int:
    """A whole number (``5``, ``5.0``, ``"5,0"``); :class:`InvalidInput` otherwise."""
    if isinstance(raw, bool):
        raise _not(col, raw, "a whole number", "import.whole_number_invalid")
    if isinstance(raw, int):
        return raw
    try:
        dec = Decimal(str(raw).replace(",", ".").replace(" ", ""))
        if dec.is_finite() and dec == dec.to_integral_value() and abs(dec) < 10**12:
            return int(dec)
    except InvalidOperation:
        pass
    raise _not(col, raw, "a whole number", "import.whole_number_invalid")


def number(raw: Any, col: str) -> float:
    """A finite number, with ``.`` or ``,`` as decimal separator; :class:`InvalidInput` otherwise."""
    if isinstance(raw, bool):
        raise _not(col, raw, "a number", "import.number_invalid")
    if isinstance(raw, int | float):
        return float(raw)
    try:
        value = float(str(raw).replace(",", ".").replace(" ", ""))
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        raise _not(col, raw, "a number", "import.number_invalid")
    return value


@lru_cache(maxsize=1)
def _province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in provinces():
        index[row["code"]] = row["code"]
        index[header_key(row["name_fr"])] = row["code"]
        index[header_key(row["name_ar"])] = row["code"]
        index[unicodedata.normalize("NFC", row["name_ar"]).strip()] = row["code"]
    return index


def province(raw: Any, col: str) -> str:
    """An HCP province code, or the province's French or Arabic name; the code is returned.

    Raises :class:`InvalidInput` when no province matches.
    """
    index = _province_index()
    if isinstance(raw, float):
        # Excel turns "04.441" into the number 4.441.
        whole, frac = f"{raw:.3f}".split(".")
        raw = f"{int(whole):02d}.{frac}"
    cell = str(raw).strip()
    code = index.get(cell) or index.get(header_key(cell))
    if code is None:
        raise InvalidInput(
            f"{col}: '{raw}' is not a province (an HCP code such as 04.441, or its French or "
            f"Arabic name)", code="import.province_unknown", params={"value": str(raw)},
            field=col, value=raw)
    return code


@lru_cache(maxsize=1)
def _region_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in regions():
        index[row["code"]] = row["code"]
        index[str(int(row["code"]))] = row["code"]
        index[header_key(row["name_fr"])] = row["code"]
        index[header_key(row["name_ar"])] = row["code"]
    return index


def region(raw: Any, col: str) -> str:
    """An HCP region code (``01``..``12``, ``4``) or name; :class:`InvalidInput` otherwise."""
    cell = str(raw).strip()
    code = _region_index().get(cell) or _region_index().get(header_key(cell))
    if code is None:
        raise InvalidInput(f"{col}: '{raw}' is not a region (an HCP code 01 to 12, or its name)",
                           code="import.region_unknown", params={"value": str(raw)}, field=col,
                           value=raw)
    return code


def choice(enum: type[StrEnum]) -> Callable[[Any, str], StrEnum]:
    """A parser of one vocabulary: stored values or French labels (see :func:`parse_choice`)."""
    def parse(raw: Any, col: str) -> StrEnum:
        return parse_choice(enum, text(raw, col), field=col)

    return parse


# ----------------------------------------------------------------------------- one row


def new_memo(columns: tuple[Column, ...]) -> Memo:
    """An empty cache per column whose parser does work (text cells are their own value)."""
    return {c.name: {} for c in columns if c.parse is not text}


def parse_row(positions: list[tuple[int, Column]], width: int, cells: list[Any],
              required: list[str], memo: Memo) -> tuple[dict[str, Any], dict[str, Any],
                                                        list[Issue]]:
    """Parse the mapped cells of one row: ``(values, raw cells, issues)``; never raises.

    ``values`` holds the parsed value (or ``None``) of every mapped column whose cell parsed;
    ``raw`` the cleaned cell as the file had it (for the report); ``issues`` one entry per bad
    cell, or a single one when the row has more cells than the header.
    """
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    n = len(cells)
    if n > width and any(clean(c) is not None for c in cells[width:]):
        # Every cell after a stray separator is shifted: report the cause, not each symptom.
        return values, raw, [(None, "", InvalidInput(
            f"the row has {n} cells but the header has {width} (a separator inside an unquoted "
            f"value?)", code="import.row_too_wide", params={"cells": n, "width": width}))]
    issues: list[Issue] = []
    for pos, col in positions:
        name = col.name
        cell = cells[pos] if pos < n else None
        # Text cells (every CSV cell) are trimmed inline: this runs once per cell of the file.
        if type(cell) is str:
            cell = cell.strip() or None
            if cell is not None and cell[0] == "'":
                cell = clean(cell)
        else:
            cell = clean(cell)
        raw[name] = cell
        if type(cell) is str and not cell.isprintable():
            # The text rule, before any lookup (a NUL in a program code would reach the
            # database): invisible characters go, control characters are refused.
            try:
                cell = clean_text(cell, field=name).strip() or None
            except EmpowerError as exc:
                issues.append((name, cell, exc))
                continue
        if cell is None:
            values[name] = None
            continue
        if type(cell) is str and col.parse is text:
            # Text is its own value (what text() returns for it), without a call per cell.
            values[name] = cell
            continue
        cache = memo.get(name)
        if cache is not None:
            # Text cells are their own key; other types keep theirs ("1" is not True).
            key = cell if type(cell) is str else (type(cell), cell)
            hit = cache.get(key, _MISS)
            if hit is not _MISS:
                if isinstance(hit, EmpowerError):
                    issues.append((name, cell, hit))
                else:
                    values[name] = hit
                continue
        try:
            value = col.parse(cell, name)
        except EmpowerError as exc:
            value = exc
            issues.append((name, cell, exc))
        else:
            values[name] = value
        if cache is not None:
            if len(cache) >= _MEMO_SIZE:
                cache.clear()
            cache[key] = value
    for name in required:
        if name in values and values[name] is None and not any(i[0] == name for i in issues):
            issues.append((name, None, InvalidInput(f"{name}: a value is required",
                                                      code="import.value_required", field=name)))
    return values, raw, issues


def a_list(raw: Any, col: str) -> list[str]:
    """Values separated by ``/``, ``;`` or ``|`` (``40/40/20``; a comma stays a decimal
    comma); :class:`InvalidInput` for a cell that holds none."""
    parts = [p.strip() for p in re.split(r"[/;|]", str(raw))] if not isinstance(raw, list) \
        else [str(p).strip() for p in raw]
    values = [p for p in parts if p]
    if not values:
        raise _not(col, raw, "a list (40/40/20)", "import.list_invalid")
    return values


def separated(parse: Callable[[Any, str], Any]) -> Callable[[Any, str], list[Any]]:
    """A parser of a cell listing values separated by commas (or ``;``, ``/``, ``|``), each
    read by ``parse`` (``04.441, 04.421``; ``Rabat-Salé-Kénitra, 01``); doubles dropped."""
    def parse_list(raw: Any, col: str) -> list[Any]:
        if isinstance(raw, float):  # one province code Excel read as a number
            return [parse(raw, col)]
        values: list[Any] = []
        for part in re.split(r"[,;/|]", str(raw)):
            if part.strip():
                value = parse(part.strip(), col)
                if value not in values:
                    values.append(value)
        if not values:
            raise _not(col, raw, "a list (04.441, 04.421)", "import.list_invalid")
        return values

    return parse_list


def json_list(raw: Any, col: str) -> list[Any]:
    """A JSON list (``[{"field": "age", "op": "between", "value": [18, 45]}]``); Excel's curly
    quotes are read as straight ones. :class:`InvalidInput` (``import.json_invalid``) naming
    the line and column of the JSON where it stops parsing."""
    import json

    cell = str(raw).translate({0x201C: '"', 0x201D: '"', 0x201E: '"', 0x00AB: '"',
                               0x00BB: '"', 0x2018: "'", 0x2019: "'"})
    try:
        value = json.loads(cell)
    except ValueError as exc:
        where = getattr(exc, "msg", str(exc))
        pos = getattr(exc, "colno", None)
        raise InvalidInput(f"{col}: not valid JSON ({where} at character {pos})",
                           code="import.json_invalid",
                           params={"why": str(where), "position": pos or 0}, field=col,
                           value=raw) from None
    if not isinstance(value, list):
        raise InvalidInput(f"{col}: a JSON list [ ... ] is expected", code="import.json_not_list",
                           field=col, value=raw)
    return value
