"""Characters: which ones are never stored, which are removed on the way in, and how a value
is shown back (:func:`echo`).

A name, a reference or a note is text a person reads. Some characters are not: NUL and the other
control characters (PostgreSQL refuses NUL outright, and a file holding it is damaged), and lone
UTF-16 surrogates (no encoding can write them). Others are invisible, or change the direction
of the text around them (U+202E RIGHT-TO-LEFT OVERRIDE makes ``CIN 1234AB`` display as something
else): two spellings of one name that look the same, and a line in a terminal or an error file
that does not read as what it holds. :data:`INVISIBLE` lists those the register removes. And
a letter carrying dozens of combining marks ("Zalgo" text) draws over the lines around it: at
most :data:`MAX_MARKS` in a row are kept. :func:`clean_text` is the rule, applied to every text
input (the services' schemas, the importer's cells, the CIN and the free text of the services).

When a refused value is said back (in an error message, the command line, the importer's error
file, a form), :func:`echo` shows it with what cannot be seen escaped (``\\u202e``) and at most
:data:`ECHO_LIMIT` characters of it, with its length: a 999,000-character CIN is refused in one
short line. This module imports nothing of the library at load time, so :mod:`empower.errors` can use it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["ECHO_LIMIT", "INVISIBLE", "MAX_MARKS", "NAME_LIMIT", "Shortened", "clean_text", "echo", "escape",
           "needs_echo", "strip_invisible"]

# At most this many characters of a refused value are said back; of another text a sentence
# names (a file's name, a reference looked up), at most NAME_LIMIT.
ECHO_LIMIT = 60
NAME_LIMIT = 200

# At most this many combining marks in a row (on one letter, as composed by NFC): Arabic writes
# a shadda with a vowel, and Vietnamese two accents; more is no writing system's spelling.
MAX_MARKS = 3

# Invisible and direction-changing characters (all of Unicode's "format" category but the few
# visible signs in it, such as the Arabic number sign U+0600): soft hyphen, Arabic letter mark,
# Mongolian vowel separator, zero-width space / joiners, LRM / RLM, the bidi embeddings and
# overrides, word joiner and invisible operators, the bidi isolates and deprecated formats, BOM,
# interlinear annotations, and the tag characters.
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x061C, 0x061C), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
INVISIBLE: frozenset[str] = frozenset(
    chr(c) for lo, hi in _INVISIBLE_RANGES for c in range(lo, hi + 1))
_REMOVE = dict.fromkeys(map(ord, INVISIBLE))

# What an echo escapes: control characters (C0, DEL, C1; tab and newlines too, an echo is one
# line), lone surrogates, the line and paragraph separators, and every format character
# (the invisible ones above and the few visible ones, which only make sense inside a text).
_ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    + "".join(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
             for lo, hi in _INVISIBLE_RANGES)
    + "]")


def strip_invisible(text: str) -> str:
    """``text`` without the :data:`INVISIBLE` characters (zero-width, bidi controls, BOM...)."""
    return text.translate(_REMOVE)


def _escaped_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape(text: str) -> str:
    """``text`` with every control, invisible or direction-changing character written as its
    code (``\\x00``, ``\\u202e``), so what is shown reads as what it holds, on one line."""
    return _ESCAPED.sub(lambda m: _escaped_char(m.group()), text)


class Shortened(str):
    """An echo of a value longer than :data:`ECHO_LIMIT`: its start, and its full length.

    It is the English text (``AB12…(999,000 characters)``); :mod:`empower.messages` says the
    length in the language of the message.
    """

    head: str
    length: int

    def __new__(cls, head: str, length: int) -> Shortened:
        self = super().__new__(cls, f"{head}… ({length:,} characters)")
        self.head = head
        self.length = length
        return self


def echo(value: Any, limit: int = ECHO_LIMIT) -> str:
    """A refused value as it is said back: escaped (:func:`escape`) and at most ``limit``
    characters of it, followed by an ellipsis and its length when it is longer. ``None`` is
    ``""``; an echo echoes as itself. Never raises."""
    if value is None:
        return ""
    if isinstance(value, Shortened):
        return value
    text = value if isinstance(value, str) else str(value)
    # Only the start is looked at: a megabyte value costs no more than a short one. An escape
    # is never cut in the middle.
    pieces: list[str] = []
    size = 0
    marks = 0
    for ch in text[:limit]:
        # Combining marks beyond what one letter carries are written as codes too.
        marks = marks + 1 if not ch.isascii() and unicodedata.category(ch)[0] == "M" else 0
        piece = _escaped_char(ch) if marks > MAX_MARKS or _ESCAPED.match(ch) else ch
        if size + len(piece) > limit:
            break
        pieces.append(piece)
        size += len(piece)
    head = "".join(pieces)
    if len(pieces) == len(text):
        return head
    return Shortened(head, len(text))


def needs_echo(text: str, limit: int = ECHO_LIMIT) -> bool:
    """Whether ``echo(text)`` differs from ``text`` (too long, or something to escape)."""
    if len(text) > limit or _ESCAPED.search(text) is not None:
        return True
    return not text.isascii() and _marks_run(text) > MAX_MARKS


def _marks_run(text: str) -> int:
    """The longest run of combining marks in ``text``."""
    longest = run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch)[0] == "M" else 0
        longest = max(longest, run)
    return longest


# Refused: C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone
# surrogates.
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def clean_text(value: str, *, field: str) -> str:
    """Text as the register keeps it: the :data:`INVISIBLE` characters removed, the rest kept
    as it is (not trimmed).

    Raises :class:`~empower.errors.InvalidInput` naming ``field`` when the text holds a control
    character (NUL and the others; tab and line breaks are text), a lone surrogate (what a
    damaged encoding leaves), or more than :data:`MAX_MARKS` combining marks in a row.
    """
    # Most text is printable ASCII: one C-level check and it is done.
    if value.isascii() and value.isprintable():
        return value
    # Names and codes repeat down a register: a short spelling is looked at once (a refusal
    # is not cached, so each refused cell gets its own error).
    if len(value) <= 64:
        return _clean_short(value, field)
    return _clean(value, field)


def _clean(value: str, field: str) -> str:
    bad = _NOT_TEXT.search(value)
    if bad is not None:
        raise _refused(value, field, bad.group())
    text = value.translate(_REMOVE)
    if not text.isascii() and _marks_run(unicodedata.normalize("NFC", text)) > MAX_MARKS:
        from empower.errors import InvalidInput

        raise InvalidInput(
            f"{field}: '{echo(value)}' has more than {MAX_MARKS} accents or marks on one letter",
            code="text.too_many_marks", params={"value": echo(value), "max": MAX_MARKS},
            field=field, value=value)
    return text


_clean_short = lru_cache(maxsize=1 << 14)(_clean)


def _refused(value: str, field: str, char: str) -> Exception:
    from empower.errors import InvalidInput

    if _SURROGATE.match(char):
        return InvalidInput(
            f"{field}: '{echo(value)}' holds a broken character ({_codepoint(char)}, "
            f"half of a UTF-16 pair: the text was damaged on its way)",
            code="text.lone_surrogate", params={"value": echo(value), "char": _codepoint(char)},
            field=field, value=value)
    return InvalidInput(
        f"{field}: '{echo(value)}' holds a control character ({_codepoint(char)}), "
        f"which is not text", code="text.control_character",
        params={"value": echo(value), "char": _codepoint(char)}, field=field, value=value)
