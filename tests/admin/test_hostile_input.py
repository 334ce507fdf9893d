"""Hostile input on the panel, over HTTP: what a careful insider or an attacker types.

Masked values stay masked (whole-value search, no sort, a rate limit), malformed ids, sorts and
bodies answer the panel's own 404 or 422 page (never a 500 or FastAPI's JSON), and a refusal
does not reveal a record of another region.
"""

from __future__ import annotations

from html import unescape

from empower.admin import accounts
from sqlalchemy import select

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

    # The officer (unmasked) still finds her by the start of her CIN or of her phone number
    # (an index range: the middle digits of a number are not searched).
    assert "Fatima" in results(amina.get(f"/beneficiaries?q={cin[:-1]}").text)
    assert "Fatima" in results(amina.get("/beneficiaries?q=0612345").text)
    assert "Fatima" in results(amina.get("/beneficiaries", params={"q": "+212 612"}).text)
    assert "Fatima" not in results(amina.get("/beneficiaries?q=0699").text)

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


# -- never a 500 -------------------------------------------------------------------------------
NOT_FOUND_AR = "هذه الصفحة غير موجودة"
UNREADABLE_AR = "تعذرت قراءة هذا الطلب"
LISTS = ["beneficiaries", "cooperatives", "memberships", "programs", "partners", "agreements",
         "enrollments", "grants", "disbursements", "surveys", "duplicates", "users", "audit"]
BAD_IDS = ["99999999999999999999999", str(2**63), "2147483648", "²", "١", "٣", "1²", "abc",
           "-1", "+1", "1_0", " 1", "%ff"]


def _panel_page(r, status: int, text: str) -> None:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    assert text in unescape(r.text)
    assert 'dir="rtl"' in r.text  # her language, Arabic


def test_malformed_ids_sorts_filters_and_bodies_answer_the_panels_own_pages(
        app, as_user, seed, db):
    from empower.models import Grant
    from empower.vocab import GrantStatus

    nadia, admin = as_user("nadia"), as_user("admin")  # an Arabic-speaking officer of 04
    accounts.set_language(db, _user_id(db, "admin"), "ar")
    token = nadia.csrf()

    # Ids in paths: beyond 64 bits, beyond int4, other scripts' digits, not numbers at all.
    for bad in BAD_IDS:
        for url in (f"/beneficiaries/{bad}", f"/grants/{bad}", f"/beneficiaries/{bad}/edit"):
            _panel_page(nadia.get(url), 404, NOT_FOUND_AR)
        for url in (f"/grants/{bad}/approve", f"/beneficiaries/{bad}/edit"):
            _panel_page(nadia.post(url, data={"on": "2024-03-05", "csrf_token": token}), 404,
                        NOT_FOUND_AR)
        _panel_page(admin.post(f"/users/{bad}/deactivate", data={"csrf_token": admin.csrf()}),
                    404, NOT_FOUND_AR)
    _panel_page(admin.get(f"/users/{2**64}"), 404, NOT_FOUND_AR)

    # Ids in bulk actions: "١" is not grant #1, a huge id is no grant; nothing is approved.
    for bad in ("١", "²", str(2**64), "2147483648"):
        r = nadia.post("/grants/bulk/approve", data={"ids": [str(seed.grant_in_id), bad],
                                                     "on": "2024-03-05", "csrf_token": token})
        _panel_page(r, 404, NOT_FOUND_AR)
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grant, seed.grant_in_id).status == GrantStatus.SUBMITTED

    # Ids in forms: the form again, 422, naming the field.
    for field in ("program_id", "beneficiary_id"):
        for bad in (str(2**64), "2147483648", "١٢", "²"):
            data = {"reference": "G-HOSTILE", "program_id": str(seed.program_id),
                    "beneficiary_id": str(seed.inside_id), "amount_requested": "1000",
                    "submitted_on": "2024-03-01", field: bad, "csrf_token": token}
            r = nadia.post("/grants/new", data=data)
            assert r.status_code == 422 and 'id="form-error"' in r.text, (field, bad)
            assert "ليس رقم سجل" in unescape(r.text)  # "... is not a record number"
    admin_token = admin.csrf()
    r = admin.post(f"/cooperatives/{seed.coop_in_id}/remove",
                   data={"membership_id": str(2**64), "on": "2024-03-05",
                         "csrf_token": admin_token})
    assert r.status_code in (404, 422), r.status_code

    # Filters and searches with other scripts' digits or huge numbers: the list, never a 500.
    for url in ("/grants?program=²", f"/grants?program={2**64}", "/grants?program=١",
                "/grants?q=%23²", f"/grants?q=%23{2**64}", "/enrollments?program=²",
                "/surveys?program=٣", "/agreements?program=²", "/beneficiaries?region=٠٤",
                "/beneficiaries?province=٠٤.٤٤١", "/grants?q=%00", "/beneficiaries?q=%00",
                "/beneficiaries?age=%00", "/grants?status=%00"):
        for user in (nadia, admin):
            assert user.get(url).status_code in (200, 404), url

    # Junk sort values on every list: the default order.
    for slug in LISTS:
        default = results(admin.get(f"/{slug}").text)
        for sort in ("--id", "---id", "-", "--", "id;", "-id -id", "%00", "²", "-²"):
            r = admin.get(f"/{slug}?sort={sort}")
            assert r.status_code == 200, (slug, sort)
            assert results(r.text) == default, (slug, sort)

    # A route's typed parameter that does not parse: the panel's 422 page, not FastAPI's JSON.
    @app.get("/probe/typed/{number}/page")
    async def probe(number: int) -> dict[str, int]:
        return {"number": number}

    _panel_page(admin.get("/probe/typed/abc/page"), 422, UNREADABLE_AR)

    # Bodies that are not UTF-8: raw bytes, a bad %-escape, a lone surrogate, in both encodings.
    form = "application/x-www-form-urlencoded"
    bodies = [(form, b"on=2024-03-05&reason=\xff\xfe&csrf_token=" + token.encode()),
              (form, b"on=2024-03-05&reason=%FF%FE&csrf_token=" + token.encode()),
              (form, b"on=2024-03-05&reason=%ED%A0%80&csrf_token=" + token.encode()),
              ("multipart/form-data; boundary=XX",
               b"--XX\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
               + token.encode() + b"\r\n--XX\r\nContent-Disposition: form-data; name=\"reason\""
               b"\r\n\r\n\xff\xfe\r\n--XX\r\nContent-Disposition: form-data; name=\"on\"\r\n\r\n"
               b"2024-03-05\r\n--XX--\r\n")]
    for content_type, body in bodies:
        r = nadia.post(f"/grants/{seed.grant_in_id}/reject", content=body,
                       headers={"content-type": content_type})
        _panel_page(r, 422, UNREADABLE_AR)
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grant, seed.grant_in_id).status == GrantStatus.SUBMITTED
    # The login form too, before anyone is logged in.
    login = nadia.client.post("/login", content=b"username=nadia\xff&password=x&csrf_token=x",
                              headers={"content-type": form})
    assert login.status_code == 422 and login.headers["content-type"].startswith("text/html")
    # The same body in UTF-8 is read (the refusal above was the encoding, not the form).
    r = nadia.post(f"/grants/{seed.grant_in_id}/reject", content=(
        "on=2024-03-05&reason=%C3%A9t%C3%A9&csrf_token=" + token).encode(),
        headers={"content-type": form})
    assert r.status_code == 303, r.text[:300]


# -- refusals do not reveal other regions ------------------------------------------------------
def test_a_value_taken_outside_her_regions_is_only_said_to_be_in_use(as_user, seed, db):
    import re

    from empower.models import Cooperative, Grant

    with db.unit_of_work(readonly=True) as uow:
        cin_out = uow.session.get(Beneficiary, seed.outside_id).cin
        cin_in = uow.session.get(Beneficiary, seed.inside_id).cin
        coop_out = uow.session.get(Cooperative, seed.coop_out_id).reference
        coop_in = uow.session.get(Cooperative, seed.coop_in_id).reference
        grant_out = uow.session.get(Grant, seed.grant_out_id).reference
        grant_in = uow.session.get(Grant, seed.grant_in_id).reference
    amina, nadia = as_user("amina"), as_user("nadia")  # officers of region 04

    def woman(cin: str) -> dict[str, str]:
        return {"cin": cin, "first_name": "Salma", "birth_date": "1990-01-01",
                "province_code": "04.441", "consent_date": "2024-01-10",
                "registered_on": "2024-01-10"}

    def coop(reference: str) -> dict[str, str]:
        return {"reference": reference, "name": "Nouvelle", "sector": "argan",
                "province_code": "04.441", "founded_on": "2024-01-01"}

    def grant(reference: str) -> dict[str, str]:
        return {"reference": reference, "program_id": str(seed.program_id),
                "beneficiary_id": str(seed.inside_id), "amount_requested": "1000",
                "submitted_on": "2024-03-01"}

    outside = [("/beneficiaries/new", woman(cin_out), seed.outside_id, "Khadija"),
               ("/cooperatives/new", coop(coop_out), seed.coop_out_id, "Nord Textile"),
               ("/grants/new", grant(grant_out), seed.grant_out_id, "Khadija")]
    for url, data, existing_id, name in outside:
        r = amina.submit(url, data, url)
        assert r.status_code == 422, (url, r.text[:300])
        error = unescape(r.text[r.text.index('id="form-error"'):])
        error = error[:error.index("</div></div>")]
        assert "Cette valeur est déjà utilisée." in error, (url, error)
        assert not re.search(rf"(n° |#){existing_id}\b", error), (url, error)
        assert name not in r.text and f"/{url.split('/')[1]}/{existing_id}" not in r.text
        r = nadia.submit(url, data, url)
        assert "هذه القيمة مستعملة مسبقا" in unescape(r.text), url
    # Correcting her own woman's CIN to one of another region: the same.
    r = amina.submit(f"/beneficiaries/{seed.inside_id}/edit", woman(cin_out),
                     f"/beneficiaries/{seed.inside_id}/edit")
    assert r.status_code == 422 and "Cette valeur est déjà utilisée." in unescape(r.text)
    assert f"n° {seed.outside_id}" not in unescape(r.text)

    # Inside her regions the helpful message stays: which record already has it.
    inside = [("/beneficiaries/new", woman(cin_in), f"bénéficiaire n° {seed.inside_id}"),
              ("/cooperatives/new", coop(coop_in), f"coopérative n° {seed.coop_in_id}"),
              ("/grants/new", grant(grant_in), f"subvention n° {seed.grant_in_id}")]
    for url, data, says in inside:
        r = amina.submit(url, data, url)
        assert r.status_code == 422 and says in unescape(r.text), (url, r.text[:300])
    # And the admin, whose scope is the whole country, reads it for every record.
    admin = as_user("admin")
    r = admin.submit("/beneficiaries/new", woman(cin_out), "/beneficiaries/new")
    assert f"bénéficiaire n° {seed.outside_id}" in unescape(r.text)
