"""Phone numbers: normalised to E.164, invalid ones refused; the Moroccan fast path agrees with
phonenumbers itself."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from empower.errors import InvalidInput
from empower.rules import RulesConfig, normalize_phone


@pytest.mark.parametrize(("raw", "e164"), [
    ("0612345678", "+212612345678"),
    ("06 12 34 56 78", "+212612345678"),
    ("06.12.34.56.78", "+212612345678"),
    ("06-12-34-56-78", "+212612345678"),
    ("+212 6 12 34 56 78", "+212612345678"),
    ("+212612345678", "+212612345678"),
    ("00212612345678", "+212612345678"),
    ("00 212 6 12 34 56 78", "+212612345678"),
    ("212612345678", "+212612345678"),
    ("0712345678", "+212712345678"),
    ("0522 12 34 56", "+212522123456"),
    ("+33 6 12 34 56 78", "+33612345678"),
])
def test_phones_are_normalised_to_e164(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_no_phone_is_none(raw: str | None) -> None:
    assert normalize_phone(raw) is None


@pytest.mark.parametrize("raw", ["12", "0612", "06123456789", "0112345678", "0912345678",
                                 "phone", "+212 1 23", "061234567a"])
def test_invalid_phones_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_phone(raw)
    assert err.value.field == "phone"
    assert err.value.value == raw


def test_default_region_is_configurable() -> None:
    assert normalize_phone("06 12 34 56 78", RulesConfig(phone_region="FR")) == "+33612345678"


def _reference(raw: str) -> str | None:
    """What phonenumbers itself says: E.164 when valid, None when not."""
    try:
        number = phonenumbers.parse(raw, "MA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours(raw: str) -> str | None:
    try:
        return normalize_phone(raw)
    except InvalidInput:
        return None


def _spell(nsn: str, prefix: str, sep: str, groups: str) -> str:
    if groups == "pairs":
        # 0X XX XX XX XX: the first digit with the prefix, then pairs.
        body = sep.join([nsn[0]] + [nsn[i:i + 2] for i in range(1, len(nsn), 2)])
    elif groups == "triples":
        body = sep.join(nsn[i:i + 3] for i in range(0, len(nsn), 3))
    else:
        body = nsn
    joiner = sep if prefix != "0" else ""
    return f"{prefix}{joiner}{body}"


nsns = st.one_of(
    # Mostly realistic numbers (fixed 5, mobile 6/7, VoIP 8), some of any shape.
    st.tuples(st.sampled_from("5678"), st.text(alphabet="0123456789", min_size=8, max_size=8))
    .map("".join),
    st.text(alphabet="0123456789", min_size=7, max_size=11),
)


@settings(max_examples=600, deadline=None)
@given(nsn=nsns, prefix=st.sampled_from(["0", "+212", "00212", "212", "+212 ", "00 212"]),
       sep=st.sampled_from(["", " ", ".", "-", "  "]),
       groups=st.sampled_from(["none", "pairs", "triples"]))
@example(nsn="528812345", prefix="0", sep=" ", groups="pairs")
@example(nsn="612345678", prefix="00212", sep="-", groups="triples")
def test_fast_path_agrees_with_phonenumbers(nsn: str, prefix: str, sep: str, groups: str) -> None:
    raw = _spell(nsn, prefix, sep, groups)
    assert _ours(raw) == _reference(raw), raw
