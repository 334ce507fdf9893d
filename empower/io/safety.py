"""Spreadsheet safety: the one function every CSV and XLSX the project writes passes text through.

Excel, LibreOffice and Google Sheets run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, after a leading tab, carriage return or line feed, what follows) as a formula:
``=HYPERLINK("http://evil", "x")`` in a woman's commune would run on the laptop of whoever opens
an export. Such text is written with a leading apostrophe, which spreadsheets show as nothing
and treat as "this is text". A value that is only a number or an E.164 phone number
(``-250.50``, ``+212612345678``) cannot run as a formula and is written as it is, so exported
phones read back as ``+212...`` everywhere. The importer removes the apostrophe again
(:func:`strip_neutralisation`), so an export imports back unchanged.

Used by the core exports (:mod:`empower.io.exporting`), the importer's errors file and the
panel's list exports.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FORMULA_START", "neutralise", "strip_neutralisation"]

# Full-width signs are read as their ASCII twins by some spreadsheets (Excel in CJK locales).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A signed number, with an optional decimal part (either separator): a value, nothing to run.
# An E.164 phone number (+ and up to 15 digits) is one of these.
_INERT = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
_NEUTRALISED = re.compile("^'(?=[" + re.escape("".join(FORMULA_START)) + "])")


def neutralise(value: Any) -> Any:
    """``value`` as a spreadsheet cell that cannot run: risky text gets a leading apostrophe.

    Text starting with one of :data:`FORMULA_START` is prefixed with ``'`` unless it is only a
    number or an E.164 phone number; any other value (numbers, dates, ``None``, other text) is
    returned as it is. Never raises.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and _INERT.fullmatch(value) is None:
        return "'" + value
    return value


def strip_neutralisation(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a file (``'=1`` is ``=1``)."""
    return _NEUTRALISED.sub("", text, count=1)
