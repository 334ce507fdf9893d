"""Hostile input on the panel, over HTTP: what a careful insider or an attacker types.

Masked values stay masked (whole-value search, no sort, a rate limit), malformed ids, sorts and
bodies answer the panel's own 404 or 422 page (never a 500 or FastAPI's JSON), and a refusal
does not reveal a record of another region.
"""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from empower.admin import accounts
from empower.models import Beneficiary, User
from tests.factories import make_beneficiary


def results(html: str) -> str:
    """The result table only (the search box echoes what was typed)."""
    start = html.index('id="results"')
    return html[html.index("<tbody>", start):]


def _user_id(db, username: str) -> int:
    with db.unit_of_work(readonly=True) as uow:
        return uow.session.scalar(select(User.id).where(User.username == username))


# -- masked means masked -----------------------------------------------------------------------
def test_a_viewer_finds_only_whole_cins_and_phones_cannot_sort_by_them_and_is_rate_limited(
        as_user, seed, db):
    with db.unit_of_work() as uow:
        cin = uow.session.get(Beneficiary, seed.inside_id).cin
        # Registered in this order: newest first (the default) is Zineb, by CIN it is Alia.
        make_beneficiary(uow, cin="AA900001", first_name="Alia", province_code="04.441")
        make_beneficiary(uow, cin="ZZ900001", first_name="Zineb", province_code="04.441")
        uow.commit()
    vera, amina = as_user("vera"), as_user("amina")

    # The officer (unmasked) still finds her by the start of her CIN or part of her phone.
    assert "Fatima" in results(amina.get(f"/beneficiaries?q={cin[:-1]}").text)
    assert "Fatima" in results(amina.get("/beneficiaries?q=12345678").text)

    # The viewer: a prefix, a part of the phone find no one; the whole values (as typed on a
    # card: lower case, spaces; the national spelling of the number) find her.
    searches = 0
    for partial in (cin[:-1], cin[:3], "12345678", "0612345", "+2126123456"):
        searches += 1
        page = vera.get("/beneficiaries", params={"q": partial})
        assert page.status_code == 200
        assert "Fatima" not in results(page.text), partial
    for whole in (cin, f" {cin[:2].lower()} {cin[2:]} ", "0612345678", "+212 6 12 34 56 78"):
        searches += 1
        assert "Fatima" in results(vera.get("/beneficiaries", params={"q": whole}).text), whole
    # Her export of a partial search is empty too.
    searches += 1
    assert "Fatima" not in vera.get("/beneficiaries/export.csv", params={"q": cin[:-1]}).text

    # Sorting by CIN would spell the order of the values out: the viewer gets the default.
    listing = vera.get("/beneficiaries").text
    assert "sort=cin" not in listing
    by_cin = results(vera.get("/beneficiaries?sort=cin").text)
    assert by_cin.index("Zineb") < by_cin.index("Alia")
    by_cin = results(amina.get("/beneficiaries?sort=cin").text)
    assert by_cin.index("Alia") < by_cin.index("Zineb")  # the officer may

    # Name searches are not counted; searches by CIN or phone are: 20 a minute by default.
    for _ in range(5):
        assert vera.get("/beneficiaries?q=Fatima").status_code == 200
    while searches < 20:
        searches += 1
        assert vera.get("/beneficiaries", params={"q": cin}).status_code == 200, searches
    accounts.set_language(db, _user_id(db, "vera"), "ar")
    refused = vera.get("/beneficiaries", params={"q": cin})
    assert refused.status_code == 429
    assert 'dir="rtl"' in refused.text and "عدد كبير جدا من عمليات البحث" in refused.text
    assert "Fatima" not in refused.text
    assert vera.get("/beneficiaries/export.csv", params={"q": "0612345678"}).status_code == 429
    # Browsing and name searches go on; the officer's searches are not limited.
    assert vera.get("/beneficiaries?q=Fatima").status_code == 200
    for _ in range(25):
        assert amina.get("/beneficiaries", params={"q": cin}).status_code == 200
