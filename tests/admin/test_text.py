"""A refused form field is not echoed back whole, and text that is not text is a refusal on the
form (issue 10, "Text is text" and "Echoes are short"), over HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import empower
from empower.models import Beneficiary

FORM = {"first_name_ar": "زينب", "last_name_ar": "العلوي", "birth_date": "1990-05-05",
        "province_code": "04.441", "consent_date": "2024-01-01", "registered_on": "2024-01-02"}


def _register(user: Any, **fields: str) -> Any:
    return user.submit("/beneficiaries/new", {"cin": "QT112233", **FORM, **fields},
                       "/beneficiaries/new")


def test_a_huge_value_is_refused_without_being_sent_back(as_user: Any) -> None:
    amina = as_user("amina")
    huge = "A" * 200_000
    r = _register(amina, cin=huge)
    assert r.status_code == 422
    # The page says the value short (its start and its length), and the field comes back empty.
    assert "A" * 100 not in r.text
    assert len(r.text) < 60_000
    assert "200\u202f000 caractères" in r.text or "200,000 characters" in r.text
    # A value too long for its field but short enough to have been typed is kept for her to
    # correct (180 characters, over the 100 a commune takes).
    r = _register(amina, commune="Oujda " * 30)
    assert r.status_code == 422
    assert "Oujda " * 29 in r.text


def test_control_and_bidi_characters_on_a_form(as_user: Any, db: empower.Database) -> None:
    amina = as_user("amina")
    r = _register(amina, commune="Ouj\x1bda")
    assert r.status_code == 422
    assert "\x1b" not in r.text.split("<input", 1)[0]  # the message writes it as a code
    assert "\\x1b" in r.text
    r = _register(amina, cin="QT\u202e112233", commune="\u2066Oujda\u2069")
    assert r.status_code == 303, r.text[:500]
    with db.unit_of_work(readonly=True) as uow:
        stored = uow.session.scalars(select(Beneficiary).where(
            Beneficiary.cin == "QT112233")).one()
        assert stored.commune == "Oujda"


def test_the_users_form_does_not_send_a_huge_value_back(as_user: Any) -> None:
    admin = as_user("admin")
    huge = "b" * 200_000
    r = admin.submit("/users/new", {"username": huge, "password": "x", "role": "officer",
                                    "regions": "04"}, "/users/new")
    assert r.status_code == 422
    assert "b" * 1_000 not in r.text
    assert len(r.text) < 60_000
    r = admin.get("/users/new", params={"username": "b" * 5_000})
    assert "b" * 1_001 not in r.text
