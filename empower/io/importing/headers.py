"""Header mapping: which column of the file is which canonical column of the kind.

Headers are matched on :func:`header_key` (case, accents, spacing and punctuation ignored),
against the canonical names and their French equivalents; KoboToolbox group prefixes are dropped
and Kobo's own columns ignored. A header that cannot be used raises
:class:`~empower.io.reading.FileRejected` (exit status 2).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from empower.io.reading import FileRejected
from empower.vocab import fold

if TYPE_CHECKING:
    from empower.io.importing.columns import Column, Kind

__all__ = ["header_key", "map_headers"]

# Kobo's own columns (and the group-less names of its metadata) carry no program data.
_KOBO_META = frozenset({"start", "end", "today", "deviceid", "username", "simserial",
                        "subscriberid", "phonenumber", "audit", "instanceid", "instancename",
                        "version", "uuid", "id", "index", "submission_time", "validation_status",
                        "notes", "status", "submitted_by", "tags", "parent_index"})
_NOT_WORD = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """Comparison key of a header: accents, case, spacing and punctuation ignored."""
    return _NOT_WORD.sub("_", fold(str(text))).strip("_")


def map_headers(kind: Kind, headers: list[Any], file_name: str) -> tuple[
        list[tuple[int, Column]], dict[str, str], list[str]]:
    """``(positions, labels, ignored)`` of a header row.

    ``positions`` pairs each used cell's index with its column; ``labels`` gives each canonical
    column the header as written in the file (for the report); ``ignored`` lists headers the
    importer does not know. Raises :class:`FileRejected` when no column is known, a required
    column is missing, or two columns mean the same thing.
    """
    index = kind.header_index()
    positions: list[tuple[int, Column]] = []
    labels: dict[str, str] = {}
    ignored: list[str] = []
    for pos, cell in enumerate(headers):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        # KoboToolbox prefixes questions with their group path: "identite/cin".
        leaf = text.rsplit("/", 1)[-1]
        if leaf.startswith("_"):
            # Kobo's own columns start with "_" (_uuid, _index, _status...): never program
            # data, even when their name without the "_" is a column ("_status" is the
            # submission's, not a roster's status).
            continue
        key = header_key(leaf)
        name = index.get(key) or index.get(header_key(text))
        if name is None:
            if key in _KOBO_META:
                continue
            ignored.append(text)
            continue
        if name in labels:
            raise FileRejected(f"{file_name}: columns '{labels[name]}' and '{text}' both give "
                               f"{name}; keep one", code="file.same_column_twice",
                               name=file_name, first=labels[name], second=text, column=name)
        labels[name] = text
        positions.append((pos, kind.by_name[name]))
    if not positions:
        expected = ", ".join(c.name for c in kind.columns)
        raise FileRejected(f"{file_name}: no known column in the header for {kind.name} "
                           f"(expected: {expected})", code="file.no_known_column",
                           name=file_name, kind=kind.name, expected=expected)
    missing = [c.name for c in kind.columns if c.required and c.name not in labels]
    for group in kind.one_of:
        if not any(g in labels for g in group):
            missing.append(" or ".join(group))
    if missing:
        raise FileRejected(f"{file_name}: required column(s) missing for {kind.name}: "
                           f"{', '.join(missing)}", code="file.required_missing",
                           name=file_name, kind=kind.name, missing=", ".join(missing))
    return positions, labels, ignored
