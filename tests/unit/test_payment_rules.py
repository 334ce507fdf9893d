"""RIB keys, tranche plans and the batch state machine: pure rules, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from empower.errors import InvalidInput, InvalidTransition
from empower.rules import check_rib, check_tranche_conditions, check_tranche_shares, next_tranche
from empower.states import check_transition
from empower.vocab import BatchStatus, InstructionStatus, parse_choice
from tests.factories import make_rib


def test_a_rib_with_a_good_key_is_kept_as_its_digits() -> None:
    rib = make_rib(123456789)
    assert check_rib(rib) == rib
    spaced = f"{rib[:3]} {rib[3:6]} {rib[6:22]} {rib[22:]}"
    assert check_rib(spaced) == rib
    assert check_rib("  ") is None and check_rib(None) is None


def test_a_mistyped_digit_fails_the_key() -> None:
    rib = make_rib(42)
    wrong = rib[:10] + str((int(rib[10]) + 1) % 10) + rib[11:]
    with pytest.raises(InvalidInput) as caught:
        check_rib(wrong)
    assert caught.value.code == "rib.bad_key"


@pytest.mark.parametrize("raw", ["12345", "0077800000000000000000420", "00778000000000000000004X",
                                 "٠٠٧٧٨٠٠٠٠٠٠٠٠٠٠٠٠٠٠٠٤٢"])
def test_a_rib_that_is_not_24_digits_is_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_rib(raw)
    assert caught.value.code in {"rib.invalid", "rib.bad_key"}


def test_arabic_indic_digits_are_read() -> None:
    rib = make_rib(7)
    arabic = rib.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert check_rib(arabic) == rib


@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_every_generated_key_passes_and_any_single_change_fails(account: int) -> None:
    rib = make_rib(account)
    assert check_rib(rib) == rib
    for i in range(24):
        changed = rib[:i] + str((int(rib[i]) + 3) % 10) + rib[i + 1:]
        with pytest.raises(InvalidInput):
            check_rib(changed)


def test_tranche_shares_sum_to_100() -> None:
    assert check_tranche_shares(["40", "40 %", "20"]) == [Decimal(40), Decimal(40), Decimal(20)]
    assert check_tranche_shares([]) is None and check_tranche_shares(None) is None
    for bad in (["50", "40"], ["0", "100"], ["abc"], ["150", "-50"], ["8.33"] * 13):
        with pytest.raises(InvalidInput) as caught:
            check_tranche_shares(bad)
        assert caught.value.code == "tranche.shares_invalid"


def test_tranche_conditions_are_a_vocabulary() -> None:
    assert check_tranche_conditions(["formation achevée", "training_completed",
                                     "visit_since_last_tranche"]) == [
        "training_completed", "visit_since_last_tranche"]
    with pytest.raises(InvalidInput):
        check_tranche_conditions(["signed_by_the_caid"])


def test_next_tranche_follows_the_plan() -> None:
    plan = [Decimal(40), Decimal(40), Decimal(20)]
    assert next_tranche(1_000_000, 0, 0, plan) == (1, 400_000)
    assert next_tranche(1_000_000, 400_000, 1, plan) == (2, 400_000)
    assert next_tranche(1_000_000, 800_000, 2, plan) == (3, 200_000)
    assert next_tranche(1_000_000, 1_000_000, 3, plan) is None
    # a tranche paid by hand off the plan shortens the next one
    assert next_tranche(1_000_000, 500_000, 1, plan) == (2, 300_000)
    assert next_tranche(1_000_000, 0, 0, None) == (1, 1_000_000)
    assert next_tranche(1_000_000, 250_000, 1, []) == (2, 750_000)


@given(st.integers(min_value=1, max_value=10**12),
       st.lists(st.integers(min_value=1, max_value=97), min_size=1, max_size=6))
def test_a_plan_pays_exactly_the_approved_amount(approved: int, weights: list[int]) -> None:
    total = sum(weights)
    shares = [Decimal(w) * 100 / total for w in weights]
    shares[-1] = 100 - sum(shares[:-1])
    paid, count = 0, 0
    while (tranche := next_tranche(approved, paid, count, shares)) is not None:
        number, amount = tranche
        assert amount > 0 and 1 <= number <= len(shares)
        paid += amount
        count += 1
        assert count <= len(shares)
    assert paid == approved


def test_the_batch_machine() -> None:
    assert check_transition(BatchStatus.DRAFT, "approve", what="batch") == BatchStatus.APPROVED
    assert check_transition(BatchStatus.DRAFT, "cancel", what="batch") == BatchStatus.CANCELLED
    for state in (BatchStatus.APPROVED, BatchStatus.SENT, BatchStatus.CLOSED):
        with pytest.raises(InvalidTransition):
            check_transition(state, "cancel", what="batch")
    with pytest.raises(InvalidTransition):
        check_transition(InstructionStatus.PAID, "fail", what="instruction")


@pytest.mark.parametrize(("label", "status"), [
    ("Payé", "paid"), ("PAYEE", "paid"), ("échec", "failed"), ("Rejeté", "failed"),
    ("non retiré", "returned"), ("Retourné", "returned"), ("مدفوع", "paid"), ("مرتجع", "returned")])
def test_return_file_labels_in_french_and_arabic(label: str, status: str) -> None:
    assert parse_choice(InstructionStatus, label, field="status").value == status
