"""Amounts in centimes, vocabularies with French labels, and audit redaction (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empower import audit
from empower.errors import InvalidInput
from empower.rules import centimes, mad
from empower.schemas import DisbursementCreate, GrantCreate, parse_input
from empower.services.beneficiaries import _ERASED_FIELDS
from empower.vocab import (
    Channel,
    CooperativeRole,
    EducationLevel,
    ExitReason,
    MaritalStatus,
    Milieu,
    Sector,
    SurveyRound,
    parse_choice,
)

# --- amounts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("12500.50", 1_250_050), ("12 500,50", 1_250_050), ("12500 MAD", 1_250_000),
    ("12\u00a0500,5", 1_250_050), ("12.500,50", 1_250_050), ("12,500.50", 1_250_050),
    ("0", 0), ("0,01", 1), ("1 000 000 DH", 100_000_000), ("300 dirhams", 30_000),
    (Decimal("99.99"), 9_999), (250, 25_000), (12.5, 1_250),
])
def test_amounts_in_mad_become_centimes(raw: object, expected: int) -> None:
    assert centimes(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["", "abc", "12,345,6", "-5", "1.001", "NaN", "Infinity",
                                 True, Decimal("0.005")])
def test_bad_amounts_are_refused_naming_the_field(raw: object) -> None:
    with pytest.raises(InvalidInput) as err:
        centimes(raw, field="budget")  # type: ignore[arg-type]
    assert err.value.field == "budget"


@given(st.integers(min_value=0, max_value=10**12))
def test_centimes_and_mad_round_trip(value: int) -> None:
    assert centimes(mad(value)) == value  # type: ignore[arg-type]
    assert centimes(f"{mad(value)}".replace(".", ",")) == value


def test_mad_shows_two_decimals() -> None:
    assert str(mad(1_250_050)) == "12500.50"
    assert mad(None) is None


def test_schemas_take_amounts_in_mad_with_two_decimals() -> None:
    grant = parse_input(GrantCreate, {"reference": "G1", "program_id": 1, "beneficiary_id": 1,
                                      "amount_requested": "12500.50", "submitted_on": "2024-01-01"})
    assert grant.amount_requested == Decimal("12500.50")
    french = parse_input(GrantCreate, {"reference": "G1", "program_id": 1, "beneficiary_id": 1,
                                       "amount_requested": "12 500,50 MAD",
                                       "submitted_on": "2024-01-01"})
    assert french.amount_requested == Decimal("12500.50")
    with pytest.raises(InvalidInput) as err:
        parse_input(GrantCreate, {"reference": "G1", "program_id": 1,
                                  "amount_requested": "12 500,505", "submitted_on": "2024-01-01"})
    assert err.value.field == "amount_requested"
    assert err.value.message.startswith("amount_requested: ")
    with pytest.raises(InvalidInput) as err:
        parse_input(GrantCreate, {"reference": "G1", "program_id": 1, "amount_requested": "-1",
                                  "submitted_on": "2024-01-01"})
    assert err.value.field == "amount_requested"
    with pytest.raises(InvalidInput) as err:
        parse_input(DisbursementCreate, {"grant_id": 1, "amount": "0", "paid_on": "2024-01-01",
                                         "channel": "cash"})
    assert err.value.field == "amount"


# --- vocabularies ------------------------------------------------------------------------------


@pytest.mark.parametrize(("enum", "raw", "value"), [
    (Milieu, "urbain", "urban"), (Milieu, "Rurale", "rural"), (Milieu, "rural", "rural"),
    (EducationLevel, "Primaire", "primary"), (EducationLevel, "Supérieur", "higher"),
    (EducationLevel, "lower_secondary", "lower_secondary"),
    (MaritalStatus, "Mariée", "married"), (MaritalStatus, "veuve", "widowed"),
    (ExitReason, "abandon", "dropped_out"), (ExitReason, "Déménagement", "moved"),
    (Sector, "artisanat", "crafts"), (Sector, "Plantes aromatiques et médicinales",
                                      "aromatic_medicinal_plants"),
    (Sector, "Agroalimentaire", "food_processing"),
    (CooperativeRole, "présidente", "president"), (CooperativeRole, "Vice-présidente",
                                                   "vice_president"),
    (CooperativeRole, " Trésorière ", "treasurer"),
    (Channel, "virement", "bank_transfer"), (Channel, "espèces", "cash"),
    (Channel, "Bank transfer", "bank_transfer"), (Channel, "chèque", "cheque"),
    (SurveyRound, "ligne de base", "baseline"), (SurveyRound, "M12", "m12"),
])
def test_french_labels_and_stored_values_are_read(enum: type, raw: str, value: str) -> None:
    assert parse_choice(enum, raw, field="f") == value


@pytest.mark.parametrize("enum", [Milieu, EducationLevel, MaritalStatus, ExitReason, Sector,
                                  CooperativeRole, Channel, SurveyRound])
def test_every_stored_value_reads_as_itself(enum: type) -> None:
    for member in enum:
        assert parse_choice(enum, member.value, field="f") is member


def test_unknown_labels_are_refused_listing_the_choices() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_choice(Channel, "bitcoin", field="channel")
    assert err.value.field == "channel"
    assert err.value.value == "bitcoin"
    assert "bank_transfer" in err.value.message


def test_schemas_name_the_field_of_a_bad_label() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_input(DisbursementCreate, {"grant_id": 1, "amount": "10", "paid_on": "2024-01-01",
                                         "channel": "carrier pigeon"})
    assert err.value.field == "channel"
    assert err.value.message.startswith("channel: ")
    assert parse_input(DisbursementCreate, {"grant_id": 1, "amount": "10",
                                            "paid_on": "2024-01-01",
                                            "channel": "Espèces"}).channel is Channel.CASH


# --- audit redaction ---------------------------------------------------------------------------


def test_sensitive_values_are_redacted_but_presence_kept() -> None:
    out = audit.redact({
        "cin": "AB123456", "phone": ["+212612345678", None], "first_name": [None, "Fatima"],
        "last_name": "Benali", "first_name_ar": "فاطمة", "last_name_ar": ["بنعلي", "بن علي"],
        "province_code": ["04.441", "06.141"], "amount": Decimal("12.50"),
        "on": date(2024, 1, 2), "milieu": Milieu.RURAL,
    })
    assert out == {
        "cin": "[redacted]", "phone": ["[redacted]", None], "first_name": [None, "[redacted]"],
        "last_name": "[redacted]", "first_name_ar": "[redacted]",
        "last_name_ar": ["[redacted]", "[redacted]"], "province_code": ["04.441", "06.141"],
        "amount": "12.50", "on": "2024-01-02", "milieu": "rural",
    }


def test_everything_an_erasure_clears_is_redacted_in_the_log() -> None:
    assert set(_ERASED_FIELDS) <= audit.SENSITIVE_FIELDS


def test_diff_keeps_only_changed_fields() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


@pytest.mark.parametrize("actor", ["", "   ", None])
def test_an_actor_is_required(actor: object) -> None:
    with pytest.raises(InvalidInput):
        audit.check_actor(actor)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["1E100", "1000000000000", Decimal("1e13")])
def test_absurd_amounts_are_refused_not_crashed(raw: object) -> None:
    with pytest.raises(InvalidInput, match="too large"):
        centimes(raw)  # type: ignore[arg-type]
