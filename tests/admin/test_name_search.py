"""The panel's search box finds a woman however her name is typed, in either script, through
the full-text index (empower.search)."""

from __future__ import annotations

import pytest

from tests.admin.test_hostile_input import results


@pytest.mark.parametrize("typed", ["fatima", "FÂTIMA", "Fati zah", "فاطمه", "فاطِمة",
                                   "الزهراء فاطمة", "fatima الزهراء"])
def test_every_spelling_finds_her(as_user, seed, typed: str) -> None:
    page = as_user("amina").get("/beneficiaries", params={"q": typed})
    assert page.status_code == 200
    assert "Fatima" in results(page.text), typed


@pytest.mark.parametrize("typed", ["atima", "fatima khadija", "'; DROP TABLE x; --",
                                   '"fatima" OR *', "%", "ـــ"])
def test_a_part_of_a_word_or_query_syntax_finds_no_one(as_user, seed, typed: str) -> None:
    page = as_user("amina").get("/beneficiaries", params={"q": typed})
    assert page.status_code == 200
    assert "Fatima" not in results(page.text), typed
