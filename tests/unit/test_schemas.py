"""Input schemas refuse text longer than the register stores, as one clear line."""

from __future__ import annotations

import pytest

from empower.errors import InvalidInput
from empower.rules import RulesConfig, normalize_cin
from empower.schemas import (
    BeneficiaryCreate,
    CooperativeCreate,
    DisbursementCreate,
    GrantCreate,
    ProgramCreate,
    parse_input,
)


@pytest.mark.parametrize(("model", "data", "field"), [
    (ProgramCreate, {"code": "P" * 41, "name": "x", "start_date": "2024-01-01", "budget": 1},
     "code"),
    (GrantCreate, {"reference": "G" * 41, "program_id": 1, "beneficiary_id": 1,
                   "amount_requested": 1, "submitted_on": "2024-01-01"}, "reference"),
    (GrantCreate, {"reference": "G", "program_id": 1, "beneficiary_id": 1, "purpose": "p" * 301,
                   "amount_requested": 1, "submitted_on": "2024-01-01"}, "purpose"),
    (DisbursementCreate, {"grant_id": 1, "amount": 1, "paid_on": "2024-01-01", "channel": "cash",
                          "reference": "T" * 41}, "reference"),
    (CooperativeCreate, {"reference": "C", "name": "n" * 201, "sector": "argan",
                         "province_code": "04.441", "founded_on": "2024-01-01"}, "name"),
    (BeneficiaryCreate, {"cin": "AB1", "first_name": "F", "birth_date": "1990-01-01",
                         "province_code": "04.441", "consent_date": "2024-01-01",
                         "commune": "c" * 101}, "commune"),
])
def test_text_longer_than_its_column_is_refused(model: type, data: dict[str, object],
                                                field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parse_input(model, data)
    assert err.value.field == field
    assert err.value.message.startswith(f"{field}: ")
    data[field] = str(data[field])[:-1]  # one character less fits
    parse_input(model, data)


def test_a_configured_cin_pattern_cannot_exceed_the_stored_length() -> None:
    loose = RulesConfig(cin_pattern=r"[A-Z]+[0-9]+")
    assert normalize_cin("ABCD12345678", loose) == "ABCD12345678"
    with pytest.raises(InvalidInput):
        normalize_cin("ABCDE12345678", loose)
