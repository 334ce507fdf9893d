"""The quick test in front of a woman's identifier pattern never lets an identifier through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from empower.privacy import identifier_pattern, may_hold_identifiers


@dataclass
class Person:
    cin: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    first_name_ar: str | None = None
    last_name_ar: str | None = None
    phone: str | None = None
    commune: str | None = None
    birth_date: date | None = None


PEOPLE = [
    Person("AB123456", "Fatima Zahra", "El Idrissi", "فاطمة الزهراء", "الإدريسي", "+212612345678",
           "Tamesloht", date(1990, 2, 3)),
    Person(None, "Hanane", "Aït Ali", "حنان", "آيت علي", None, "Aït Ourir", None),
    Person(None, "İlham", "Straße", None, None, None, None, None),
]

words = st.sampled_from(["part", "à", "de", "la", "Fatima", "FATIMA", "zahra", "Zahra", "el",
                         "IDRISSI", "idrissi", "فاطمة", "فاطمه", "الزهراء", "الادريسي",
                         "الإدريسي", "Hanane", "hanane", "AÏT", "ait", "Ali", "ali", "علي",
                         "آيت", "tamesloht", "TAMESLOHT", "Ourir", "ilham", "İLHAM", "strasse",
                         "STRASSE", "straße", "coopérative", "tél", "06", "12", "AB123456",
                         "ab123456", "03/02/1990", "\u00a0", "\t", "-", ","])


@settings(max_examples=400, deadline=None)
@given(st.lists(words, max_size=12), st.sampled_from(PEOPLE), st.sampled_from([" ", "  ", "\n"]))
def test_the_quick_test_passes_whatever_the_pattern_finds(parts: list[str], person: Person,
                                                          sep: str) -> None:
    text = sep.join(parts)
    pattern = identifier_pattern([person])
    assert pattern is not None
    if pattern.search(text):
        assert may_hold_identifiers(text, [person])


def test_the_quick_test_spares_reasons_that_name_nobody() -> None:
    assert not may_hold_identifiers("Compte clôturé", PEOPLE)
    assert not may_hold_identifiers("Bénéficiaire absente au guichet", PEOPLE[:1])
    assert may_hold_identifiers("Compte 0123 clôturé", PEOPLE)  # digits: the pattern decides
    assert may_hold_identifiers("FÂTIMA  zahra est partie", PEOPLE[:1])
    assert may_hold_identifiers("فاطمه الزهراء غائبة", PEOPLE[:1])
