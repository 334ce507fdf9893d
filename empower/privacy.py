"""A woman's identifiers in free text: finding them and blanking them out (law 09-08).

Officers type reasons, notes and grant purposes in their own words, and those words sometimes
name the woman ("Atelier de couture de Fatima Benali, tél. 06 12 34 56 78"). The audit log is
append-only, so what it must never keep is blanked out before it is written; an erasure blanks
out the same identifiers from the free text of her records. Both use :func:`identifier_pattern`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Protocol

import phonenumbers

__all__ = ["REDACTED", "identifier_pattern", "may_hold_identifiers", "scrub"]

REDACTED = "[redacted]"
# A separator people put inside numbers and dates: space, dot, dash, slash.
_SEP = r"[\s.\-/]*"


class _Person(Protocol):
    @property
    def cin(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def first_name_ar(self) -> str | None: ...
    @property
    def last_name_ar(self) -> str | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def commune(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...


def _phone_pattern(e164: str) -> str:
    """The number in every form people write it: ``+212 6 12..``, ``00212..``, ``06 12 ..``."""
    try:
        number = phonenumbers.parse(e164, None)
        country, national = str(number.country_code), str(number.national_number)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", e164)
        country, national = "", digits
    body = _SEP.join(national)
    prefix = rf"(?:(?:\+|00){_SEP}{country}{_SEP}(?:\(0\){_SEP})?|0{_SEP})?" if country else ""
    return rf"(?<!\d){prefix}{body}(?!\d)"


def _date_pattern(day: date) -> str:
    """ISO (``1990-02-03``, ``1990/02/03``) and day first (``03/02/1990``, ``3.2.1990``)."""
    d, m, y = day.day, day.month, day.year
    iso = rf"{y}[\-/.]0?{m}[\-/.]0?{d}"
    dmy = rf"0?{d}[\-/.]0?{m}[\-/.]{y}"
    return rf"(?<!\d)(?:{iso}|{dmy})(?!\d)"


def _words(text: str) -> str:
    # Word boundaries that work for Arabic script too; inner spaces match any run of spaces.
    return r"(?<!\w)" + r"\s+".join(map(re.escape, text.split())) + r"(?!\w)"


def identifier_pattern(people: Iterable[_Person]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for the identifiers of ``people``; None when they have none.

    Identifiers: CIN, each name in either script, phone (E.164 and national forms), commune,
    exact birth date (ISO and day-first). Names shorter than two letters are left alone, as
    they would blank out parts of ordinary words.
    """
    parts: list[str] = []
    for person in people:
        for text in (person.cin, person.first_name, person.last_name, person.first_name_ar,
                     person.last_name_ar, person.commune):
            if text and len(text.strip()) >= 2:
                parts.append(_words(text.strip()))
        if person.phone:
            parts.append(_phone_pattern(person.phone))
        if person.birth_date is not None:
            parts.append(_date_pattern(person.birth_date))
    if not parts:
        return None
    # Longest first, so "Fatima Zahra" is blanked out whole rather than as "Fatima".
    parts.sort(key=len, reverse=True)
    return re.compile("|".join(parts), re.IGNORECASE)


def may_hold_identifiers(text: str, people: Iterable[_Person]) -> bool:
    """False only when :func:`identifier_pattern` of ``people`` cannot match in ``text``: it
    has no digit (every CIN, phone and date has one) and some word of each of their names and
    communes is missing from it (compared folded: case, accents, Arabic letter forms). A quick
    test that spares compiling a woman's pattern for the many reasons that never name her."""
    if any(c.isdigit() for c in text):
        return True
    from empower.search import fold_word

    folded = fold_word(text)
    for person in people:
        for name in (person.cin, person.first_name, person.last_name, person.first_name_ar,
                     person.last_name_ar, person.commune):
            if name and len(name.strip()) >= 2 and all(fold_word(w) in folded
                                                       for w in name.split()):
                return True
    return False


def scrub(text: str | None, pattern: re.Pattern[str] | None) -> str | None:
    """``text`` with every match of ``pattern`` replaced by ``[redacted]``."""
    if text is None or pattern is None:
        return text
    return pattern.sub(REDACTED, text)
