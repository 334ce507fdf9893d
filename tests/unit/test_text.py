"""Text is text, and echoes are short (issue 10): the text rule on every input, the total CIN
folding, phone cells holding one number, and what a refusal says back.

The database side (NUL through psycopg, update_beneficiary) is in
tests/integration/test_text.py; the importer's files in tests/io/test_text.py.
"""

from __future__ import annotations

import typing
import unicodedata
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from empower import schemas
from empower.errors import InvalidInput, NotFound
from empower.messages import describe
from empower.predicates import clean_cin
from empower.rules import RulesConfig, check_name, free_text, normalize_cin, normalize_phone
from empower.text import ECHO_LIMIT, INVISIBLE, MAX_MARKS, Shortened, clean_text, echo, escape

# The characters the issue names: zero-width, word joiner, BOM, bidi embeddings, overrides and
# isolates, LRM / RLM, the Arabic letter mark.
NAMED_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202a", "\u202b",
                   "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                   "\u200e", "\u200f", "\u061c"]


# --- the text rule -----------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        clean_text(f"Fa{bad}tima", field="first_name")
    assert err.value.field == "first_name"
    assert err.value.code == "text.control_character"
    assert err.value.params["char"] == f"U+{ord(bad):04X}"
    # What it says back shows the character as a code, not the character.
    assert bad not in err.value.message and bad not in describe(err.value, "fr")


@pytest.mark.parametrize("bad", ["\ud800", "\udc80", "\udfff"])
def test_lone_surrogates_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        clean_text(f"note {bad}", field="purpose")
    assert (err.value.field, err.value.code) == ("purpose", "text.lone_surrogate")
    # The message can be written out (a lone surrogate cannot be encoded).
    err.value.message.encode("utf-8")
    describe(err.value, "ar").encode("utf-8")


def test_tabs_and_line_breaks_are_text() -> None:
    assert clean_text("ligne 1\nligne 2\r\n\tfin", field="purpose") == "ligne 1\nligne 2\r\n\tfin"


@pytest.mark.parametrize("char", NAMED_INVISIBLE + ["\u00ad", "\U000e0041"])
def test_invisible_and_direction_changing_characters_are_removed(char: str) -> None:
    assert char in INVISIBLE
    assert clean_text(f"{char}Fati{char}ma{char}", field="first_name") == "Fatima"
    assert clean_text(f"بن{char}علي", field="last_name_ar") == "بنعلي"


def test_combining_marks_are_bounded() -> None:
    # Arabic shadda with a vowel, Vietnamese two accents (decomposed): ordinary writing.
    assert clean_text("مُحَمَّد", field="first_name_ar") == "مُحَمَّد"
    assert clean_text("Nguye\u0302\u0303n", field="last_name") == "Nguye\u0302\u0303n"
    assert clean_text("a" + "\u0301" * MAX_MARKS, field="x")
    with pytest.raises(InvalidInput) as err:
        clean_text("Fa" + "\u0301\u0302\u0303\u0304" * 20 + "tima", field="first_name")
    assert (err.value.field, err.value.code) == ("first_name", "text.too_many_marks")
    # Its echo does not draw the pile either: the marks beyond the bound are written as codes.
    assert "\\u0304" in err.value.params["value"]


def test_every_format_character_is_escaped_in_an_echo() -> None:
    # Every character of Unicode's "format" category in this Python's tables (bidi controls,
    # zero-width, tags...), every control character and every surrogate is shown as a code.
    shown = [chr(c) for c in range(0x110000)
             if unicodedata.category(chr(c)) in ("Cf", "Cc", "Cs", "Zl", "Zp")]
    missed = [f"U+{ord(ch):04X}" for ch in shown if escape(ch) == ch]
    assert missed == []
    # And everything the register removes is invisible: format characters only.
    assert {unicodedata.category(ch) for ch in INVISIBLE} == {"Cf"}


# --- every input model follows it ----------------------------------------------------------

_BASE: dict[str, dict[str, Any]] = {
    "ProgramCreate": {"code": "AWAL", "name": "Awal", "start_date": date(2024, 1, 1),
                      "budget": Decimal(1000)},
    "PartnerCreate": {"name": "Amal", "kind": "association"},
    "AgreementCreate": {"program_id": 1, "partner_id": 1, "signed_on": date(2024, 1, 1)},
    "BeneficiaryCreate": {"cin": "AB1", "first_name": "Fatima", "birth_date": date(1990, 1, 1),
                          "province_code": "04.441", "consent_date": date(2024, 1, 1)},
    "BeneficiaryUpdate": {},
    "EnrollmentCreate": {"beneficiary_id": 1, "program_id": 1, "applied_on": date(2024, 1, 1)},
    "CooperativeCreate": {"reference": "C1", "sector": "argan", "province_code": "04.441",
                          "founded_on": date(2020, 1, 1)},
    "CooperativeUpdate": {},
    "MembershipCreate": {"cooperative_id": 1, "beneficiary_id": 1, "joined_on": date(2024, 1, 1)},
    "GrantCreate": {"reference": "G1", "program_id": 1, "amount_requested": Decimal(10),
                    "submitted_on": date(2024, 1, 1)},
    "DisbursementCreate": {"grant_id": 1, "amount": Decimal(10), "paid_on": date(2024, 1, 1),
                           "channel": "cash"},
    "SurveyCreate": {"beneficiary_id": 1, "program_id": 1, "round": "baseline",
                     "surveyed_on": date(2024, 1, 1)},
    "ActivityCreate": {"program_id": 1, "code": "F1", "kind": "training", "title": "GERME",
                       "starts_on": date(2024, 1, 1), "ends_on": date(2024, 2, 1),
                       "planned_sessions": 10},
    "SessionCreate": {"activity_id": 1, "reference": "S1", "scheduled_on": date(2024, 1, 8)},
    "AttendanceMark": {"beneficiary_id": 1, "status": "present"},
    "VisitCreate": {"reference": "V1", "program_id": 1, "beneficiary_id": 1,
                    "visited_on": date(2024, 1, 8), "kind": "phone"},
    "IntakeCreate": {"program_id": 1, "code": "APPEL-1", "name": "Appel 2024",
                     "opens_on": date(2024, 1, 1), "closes_on": date(2024, 2, 1), "places": 10},
    "BatchCreate": {"program_id": 1, "channel": "cash_out", "planned_on": date(2024, 1, 8)},
    "GrievanceCreate": {"received_on": date(2024, 1, 8), "channel": "phone",
                        "category": "payment", "province_code": "04.441"},
    "ReturnLine": {"line": 2, "reference": "PAY-1-00001", "status": "payée",
                   "paid_on": date(2024, 1, 9)},
}
_MODELS = [getattr(schemas, name) for name in schemas.__all__ if name in _BASE]


def _is_text(annotation: Any) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    return any(a is str or (isinstance(a, type) and issubclass(a, Enum)) for a in args)


_FIELDS = [(model, name, _is_text(info.annotation)) for model in _MODELS
           for name, info in model.model_fields.items()]


def test_every_input_model_is_covered() -> None:
    assert {m.__name__ for m in _MODELS} == {n for n in schemas.__all__ if n[0].isupper()}


@pytest.mark.parametrize(("model", "name", "text"), _FIELDS,
                         ids=[f"{m.__name__}.{n}" for m, n, _ in _FIELDS])
@pytest.mark.parametrize("bad", ["A\x00B", "A\ud800B"])
def test_every_field_refuses_nul_and_surrogates_naming_it(model: Any, name: str, text: bool,
                                                          bad: str) -> None:
    data = {**_BASE[model.__name__], name: bad}
    for build in (lambda: model(**data), lambda: model.model_validate(data),
                  lambda: schemas.parse_input(model, data)):
        with pytest.raises(InvalidInput) as err:  # never pydantic's ValidationError
            build()
        assert err.value.field == name
        if text:
            assert err.value.code in ("text.control_character", "text.lone_surrogate")
        err.value.message.encode("utf-8")


_TEXT_FIELDS = [(m, n) for m, n, text in _FIELDS if text
                and not any(isinstance(a, type) and issubclass(a, Enum)
                            for a in typing.get_args(m.model_fields[n].annotation)
                            + (m.model_fields[n].annotation,))]


@pytest.mark.parametrize(("model", "name"), _TEXT_FIELDS,
                         ids=[f"{m.__name__}.{n}" for m, n in _TEXT_FIELDS])
def test_every_text_field_drops_invisible_characters(model: Any, name: str) -> None:
    value = "\u202eAB\u200b1\u2066"
    built = model(**{**_BASE[model.__name__], name: value})
    assert getattr(built, name) == "AB1"


def test_a_vocabulary_value_with_a_zero_width_space_is_read() -> None:
    built = schemas.BeneficiaryUpdate(milieu="ru\u200brale")
    assert built.milieu == "rural"


def test_an_invalid_value_built_directly_is_invalid_input_not_validation_error() -> None:
    with pytest.raises(InvalidInput) as err:
        schemas.BeneficiaryUpdate(household_size=99)
    assert (err.value.field, err.value.code) == ("household_size", "input.too_large")
    assert isinstance(err.value, ValueError)


# --- free text given to the services directly ----------------------------------------------

def test_free_text_follows_the_rule_and_its_column_size() -> None:
    assert free_text("  \u202eremboursé\u200b ", field="reason") == "remboursé"
    assert free_text("  ", field="reason") is None
    with pytest.raises(InvalidInput) as err:
        free_text("x\x00", field="note")
    assert err.value.field == "note"
    with pytest.raises(InvalidInput) as err:
        free_text("x" * 301, field="purpose", max_length=300)
    assert (err.value.field, err.value.code) == ("purpose", "input.too_long")


# --- a cooperative's Arabic name: the same script rule as a woman's -------------------------

def test_an_organisation_name_is_held_to_its_script_with_digits_allowed() -> None:
    assert check_name("تعاونية  النور 2", script="arabic", field="name_ar",
                      organisation=True) == "تعاونية النور 2"
    for mixed in ("تعاونية Nour", "تعاونية Écoute", "Кооператив", "שלום"):
        with pytest.raises(InvalidInput) as err:
            check_name(mixed, script="arabic", field="name_ar", organisation=True)
        assert (err.value.field, err.value.code) == ("name_ar", "name.wrong_script_arabic")
    # A woman's name still holds no digits.
    with pytest.raises(InvalidInput):
        check_name("فاطمة 2", script="arabic", field="first_name_ar")


# --- CIN folding is total ------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "cin"), [
    ("ＡＢ１２３４５６", "AB123456"), ("AB١٢٣٤٥٦", "AB123456"), ("ab۱۲۳۴۵۶", "AB123456"),
    ("ſb12", "SB12"), ("A\u200bB\u202e12", "AB12"), ("\ufeffab\u00a012", "AB12"),
    ("AB\u201112", "AB12"), ("AB१२", "AB12"), ("ⓐⓑ12", "AB12"), ("AB²3", "AB23"),
])
def test_equivalent_spellings_fold_to_one_cin(raw: str, cin: str) -> None:
    assert normalize_cin(raw) == cin


@pytest.mark.parametrize("pattern", [r".+", r"\w+", r"[^\s]+", r"(?i)[a-z]+\d+"])
@pytest.mark.parametrize("raw", ["АB12", "AB12\u0301", "ÉB12", "ΑΒ12", "AB\u0660\u0301"])
def test_no_pattern_lets_in_what_does_not_fold_to_ascii(pattern: str, raw: str) -> None:
    # Cyrillic А, an accent, Greek Alpha: look like a CIN, are not one, whatever is configured.
    with pytest.raises(InvalidInput) as err:
        normalize_cin(raw, RulesConfig(cin_pattern=pattern))
    assert err.value.field == "cin"


def test_a_huge_cin_is_refused_with_a_short_message() -> None:
    raw = "A" * 999_000
    with pytest.raises(InvalidInput) as err:
        normalize_cin(raw)
    assert err.value.code == "cin.invalid"
    assert len(err.value.message) < 200
    assert "999,000" in err.value.message
    assert len(describe(err.value, "fr")) < 200 and "999\u202f000 caractères" in \
        describe(err.value, "fr")
    assert err.value.value is raw  # what was refused stays on the error for callers


@pytest.mark.parametrize("bad", ["AB\x0012", "AB\ud80012"])
def test_a_cin_that_is_not_text_is_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_cin(bad)
    assert err.value.field == "cin"


_DIGITS = {str(d): [chr(c) for c in range(0x110000)
                    if unicodedata.decimal(chr(c), None) == d and unicodedata.category(chr(c))
                    == "Nd"] for d in range(10)}
_SPACERS = ["", " ", "-", ".", "/", "\u200b", "\u202e", "\u2066", "\u00a0", "\u2011", "\ufeff"]


@st.composite
def _spellings(draw: st.DrawFn) -> tuple[str, str]:
    letters = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=2))
    digits = draw(st.text(alphabet="0123456789", min_size=1, max_size=6))
    parts = []
    for ch in letters:
        forms = [ch, ch.lower(), chr(ord(ch) - ord("A") + 0xFF21), chr(ord(ch) - ord("A") + 0xFF41)]
        if ch == "S":
            forms.append("ſ")
        parts.append(draw(st.sampled_from(forms)))
        parts.append(draw(st.sampled_from(_SPACERS)))
    for ch in digits:
        parts.append(draw(st.sampled_from(_DIGITS[ch])))
        parts.append(draw(st.sampled_from(_SPACERS)))
    return letters + digits, "".join(parts)


@settings(max_examples=400, deadline=None)
@given(case=_spellings(), pattern=st.sampled_from([None, r".+", r"\w+", r"[A-Z]+[0-9]+"]))
def test_every_spelling_of_a_cin_folds_to_it(case: tuple[str, str], pattern: str | None) -> None:
    cin, spelled = case
    config = RulesConfig(cin_pattern=pattern) if pattern else None
    assert normalize_cin(spelled, config) == cin
    assert normalize_cin(normalize_cin(spelled, config), config) == cin


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=20))
@example("e \u0301")
@example("ﬀ\u0301")
@example("ß")
@example("İ")
def test_folding_is_idempotent_on_any_text(text: str) -> None:
    once = clean_cin(text)
    assert clean_cin(once) == once
    anything = RulesConfig(cin_pattern=r".+")
    try:
        cin = normalize_cin(text, anything)
    except InvalidInput:
        return
    assert cin.isascii() and cin.isalnum() and normalize_cin(cin, anything) == cin


# --- phones: one number, all of it -----------------------------------------------------------

@pytest.mark.parametrize(("raw", "code"), [
    ("0612345678 / 0698765432", "phone.two_numbers"),
    ("0612345678,0698765432", "phone.two_numbers"),
    ("0612345678;0698765432", "phone.two_numbers"),
    ("0612345678 0698765432", "phone.two_numbers"),
    ("0612345678 ou 0698765432", "phone.two_numbers"),
    ("+212612345678 / +212698765432", "phone.two_numbers"),
    ("0612345678 / 0612345678", "phone.two_numbers"),
    ("0612345678 ext 12", "phone.extension"),
    ("0612345678 ext. 12", "phone.extension"),
    ("0612345678 poste 12", "phone.extension"),
    ("0612345678 x12", "phone.extension"),
    ("0612345678#12", "phone.extension"),
    ("tel 0612345678", "phone.extension"),
    ("+33 6 12 34 56 78 ext 3", "phone.extension"),
])
def test_a_cell_with_two_numbers_or_an_extension_is_refused(raw: str, code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_phone(raw)
    assert (err.value.field, err.value.code) == ("phone", code)


@pytest.mark.parametrize(("raw", "e164"), [
    ("06/12/34/56/78", "+212612345678"), ("+212 (0) 6 12 34 56 78", "+212612345678"),
    ("٠٦١٢٣٤٥٦٧٨", "+212612345678"), ("０６１２３４５６７８", "+212612345678"),
    ("\u202a0612345678\u202c", "+212612345678"), ("0033 6 12 34 56 78", "+33612345678"),
])
def test_one_number_in_any_spelling_is_still_read(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


def test_a_phone_that_is_not_text_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_phone("0612\x00345678")
    assert err.value.field == "phone"


# --- echoes are short ----------------------------------------------------------------------

def test_an_echo_is_short_and_says_the_length() -> None:
    shown = echo("7" * 999_000)
    assert isinstance(shown, Shortened)
    assert shown.head == "7" * ECHO_LIMIT and shown.length == 999_000
    assert len(shown) < ECHO_LIMIT + 30
    assert echo(shown) is shown
    assert echo("AB123") == "AB123" and echo(None) == "" and echo(12) == "12"
    # Escaping never makes it longer than the limit, and never cuts a code in half.
    nul = echo("\x00" * 40)
    assert nul.startswith("\\x00") and isinstance(nul, Shortened)
    assert len(nul.head) <= ECHO_LIMIT and nul.head.count("\\x00") == len(nul.head) // 4


def test_an_echo_writes_what_cannot_be_seen_as_codes() -> None:
    assert echo("1234\u202eBA") == "1234\\u202eBA"
    assert echo("a\nb\tc") == "a\\x0ab\\x09c"
    assert echo("\U000e0041") == "\\U000e0041"


@pytest.mark.parametrize(("lang", "words"), [("fr", "999\u202f000 caractères"),
                                              ("ar", "999.000 حرفا"),
                                              ("en", "999,000 characters")])
def test_a_shortened_value_is_said_in_the_language(lang: str, words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_phone("6" * 999_000)
    said = describe(err.value, lang)
    assert words in said and len(said) < 200


def test_every_error_echoes_its_text_params_and_its_quoted_value() -> None:
    # Any raise site, also one that does not echo by itself: the error does it.
    value = "P" * 50_000 + "\u202e"
    exc = NotFound(f"program '{value}' does not exist", code="program.unknown",
                   params={"code": value}, field="program_code", value=value)
    assert len(exc.message) < 200 and "50,001 characters" in exc.message
    assert len(describe(exc, "fr")) < 400
    assert exc.value == value
    bidi = InvalidInput("x: 'AB\u202e12' refused", code="input.refused", value="AB\u202e12",
                        params={"value": "AB\u202e12"})
    assert bidi.message == "x: 'AB\\u202e12' refused"
    assert bidi.params["value"] == "AB\\u202e12"


def test_a_name_a_sentence_quotes_is_bounded_more_loosely_than_a_value() -> None:
    name = "rapport_des_inscriptions_de_la_province_de_tetouan_mars_2024_final_v2.csv"
    exc = NotFound(f"{name}: x", code="file.empty", params={"name": name, "value": name})
    assert exc.params["name"] == name  # 73 characters: a file name is said whole
    assert isinstance(exc.params["value"], Shortened)
    long = NotFound("x", code="file.empty", params={"name": "n" * 5000})
    assert len(long.params["name"]) < 250
