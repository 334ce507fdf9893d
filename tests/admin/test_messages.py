"""The panel says a refusal in the officer's language, from the error's code and params.

No English text is matched: the core raises a coded error, the panel describes it in French,
Arabic or English with the figures of the case.
"""

from __future__ import annotations

from html import unescape

import pytest
from empower.admin.compat import locale_scope
from empower.admin.rendering import error_detail

from empower.errors import InvalidInput, OverDisbursement
from empower.rules import normalize_cin


def _text(html: str) -> str:
    """The page as read: entities decoded, the narrow and plain no-break spaces as spaces."""
    return unescape(html).replace("\u202f", " ").replace("\xa0", " ")


def test_error_detail_describes_the_code_in_the_current_language() -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_cin("A-1?")
    with locale_scope("fr"):
        assert error_detail(caught.value).startswith("CIN « A-1? » invalide")
        assert error_detail(caught.value, record_id=7).startswith("Fiche n° 7 : CIN « A-1? »")
    with locale_scope("ar"):
        assert error_detail(caught.value).startswith("رقم البطاقة «A-1?» غير صالح")
    with locale_scope("en"):
        assert error_detail(caught.value, record_id=7).startswith("#7: 'A-1?' is not a valid CIN")


def test_an_uncoded_error_keeps_the_core_wording() -> None:
    with locale_scope("ar"):
        assert error_detail(OverDisbursement("something new: 42")) == "something new: 42"


def _pay(user, grant_id: int, amount: str, paid_on: str):  # type: ignore[no-untyped-def]
    page = f"/grants/{grant_id}"
    return user.submit(f"{page}/pay", {"amount": amount, "paid_on": paid_on, "channel": "cash"},
                       page)


def _approve(user, grant_id: int):  # type: ignore[no-untyped-def]
    page = f"/grants/{grant_id}"
    r = user.submit(f"{page}/approve", {"on": "2024-03-05"}, page)
    assert r.status_code == 303, r.text[:300]


def test_a_tranche_above_what_is_left_in_french_and_arabic(as_user, seed, db) -> None:
    # The one-off "pay" is an admin's, on a program that allows it (test_payments_panel.py).
    from empower.admin import accounts

    from empower.models import Program
    from tests.admin.conftest import PASSWORD

    with db.unit_of_work() as uow:
        uow.session.get(Program, seed.program_id).panel_payments = True
        uow.commit()
    accounts.create_user(db, "leila", PASSWORD, role="admin", language="ar", actor="test:seed")
    amina, admin, leila = as_user("amina"), as_user("admin"), as_user("leila")
    _approve(amina, seed.grant_in_id)  # 20 000 MAD requested and approved
    assert _pay(admin, seed.grant_in_id, "12500", "2024-03-06").status_code == 303
    r = _pay(admin, seed.grant_in_id, "8000", "2024-03-07")
    assert r.status_code == 422
    page = _text(r.text)
    assert "8 000,00 MAD dépasserait le montant approuvé de la subvention" in page
    assert "(20 000,00 MAD ; reste à payer 7 500,00 MAD)" in page
    assert "would take" not in page
    r = _pay(leila, seed.grant_in_id, "8000", "2024-03-07")
    assert r.status_code == 422
    page = _text(r.text)
    assert "8.000,00 درهم يتجاوز المبلغ الموافق عليه للمنحة" in page
    assert "(20.000,00 درهم؛ الباقي للأداء 7.500,00 درهم)" in page


def _register(user, cin: str):  # type: ignore[no-untyped-def]
    return user.submit("/beneficiaries/new", {
        "cin": cin, "first_name_ar": "زينب", "last_name_ar": "العلوي",
        "birth_date": "1990-05-05", "province_code": "04.441", "consent_date": "2024-01-01",
        "registered_on": "2024-01-02"}, "/beneficiaries/new")


def test_a_cin_already_registered_in_french_and_arabic(as_user, db) -> None:
    amina, nadia = as_user("amina"), as_user("nadia")
    assert _register(amina, "QB778899").status_code == 303
    from sqlalchemy import select

    from empower.models import Beneficiary

    with db.unit_of_work(readonly=True) as uow:
        first = uow.session.scalar(select(Beneficiary.id).where(Beneficiary.cin == "QB778899"))
    r = _register(amina, "qb-778899")
    assert r.status_code == 422
    assert f"La CIN QB778899 est déjà enregistrée (bénéficiaire n° {first})." in _text(r.text)
    r = _register(nadia, "QB778899")
    assert r.status_code == 422
    assert f"رقم البطاقة QB778899 مسجل مسبقا (المستفيدة رقم {first})." in _text(r.text)


def test_a_racing_writer_is_told_in_her_language(as_user, db, monkeypatch) -> None:
    # Two officers register the same CIN at once: both look the CIN up before either commits,
    # and the database's unique constraint stops the second. The race is made certain: the
    # other officer's row is committed first and her lookup is the one made before that commit
    # (it finds nothing), so her insert is what meets the constraint.
    from empower.services import beneficiaries
    from tests.factories import make_beneficiary

    real_chunks = beneficiaries._chunks
    looked_up: list[str] = []

    def lookup_before_the_other_commit(items, *args):  # type: ignore[no-untyped-def]
        if list(items) in (["QR102030"], ["QR102031"]):
            looked_up.append(items[0])
            return iter(())
        return real_chunks(items, *args)

    with db.unit_of_work() as other:
        make_beneficiary(other, cin="QR102030")
        make_beneficiary(other, cin="QR102031")
        other.commit()
    monkeypatch.setattr(beneficiaries, "_chunks", lookup_before_the_other_commit)
    r = _register(as_user("nadia"), "QR102030")
    assert looked_up == ["QR102030"]
    assert r.status_code == 422
    assert "رقم البطاقة هذا مسجل مسبقا (سجله شخص آخر في هذه الأثناء؟)." in _text(r.text)
    r = _register(as_user("amina"), "QR102031")
    assert looked_up == ["QR102030", "QR102031"]
    assert r.status_code == 422
    assert ("Cette CIN est déjà enregistrée (enregistrée par quelqu'un d'autre entre-temps ?)."
            in _text(r.text))


def test_a_refused_row_of_a_bulk_action_is_named(as_user, seed) -> None:
    amina = as_user("amina")
    _approve(amina, seed.grant_in_id)
    page = "/grants"
    r = amina.submit("/grants/bulk/approve", {"ids": [seed.grant_in_id], "on": "2024-03-06"},
                     page)
    assert r.status_code == 422
    text = _text(r.text)
    assert f"Fiche n° {seed.grant_in_id} : Subvention" in text
    assert "approbation impossible, la fiche est approuvée" in text
