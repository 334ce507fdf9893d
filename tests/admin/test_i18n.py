"""French (default), Arabic (right-to-left) and English, per user; dates and MAD per locale."""

from __future__ import annotations

from sqlalchemy import select

from empower.models import User


def test_french_is_the_default(as_user, seed):
    html = as_user("amina").get(f"/beneficiaries/{seed.inside_id}").text
    assert '<html lang="fr" dir="ltr">' in html
    assert "Bénéficiaires" in html and "Date de naissance" in html
    assert "4 mar. 1990" in html  # babel, fr_MA medium
    assert "tabler.min.css" in html and "tabler.rtl.min.css" not in html


def test_arabic_user_gets_rtl_layout_and_arabic_labels(as_user, seed):
    nadia = as_user("nadia")
    html = nadia.get("/beneficiaries").text
    assert '<html lang="ar" dir="rtl">' in html
    assert "tabler.rtl.min.css" in html
    assert "المستفيدات" in html and "تاريخ الازدياد" in html and "بحث" in html
    assert "قروي" in html  # the milieu value, translated
    detail = nadia.get(f"/beneficiaries/{seed.inside_id}").text
    assert "04\u200f/03\u200f/1990" in detail  # ar_MA medium date


def test_amounts_in_mad_per_locale(as_user, seed):
    fr = as_user("amina").get(f"/grants/{seed.grant_in_id}").text.replace("\u202f", " ")
    assert "20 000,00 MAD" in fr.replace("\xa0", " ")
    ar = as_user("nadia").get(f"/grants/{seed.grant_in_id}").text
    assert "20.000,00" in ar and "د.م." in ar


def test_switching_language_is_remembered_per_user(as_user, db):
    amina = as_user("amina")
    r = amina.submit("/language", {"language": "ar", "next": "/grants"})
    assert r.status_code == 303 and r.headers["location"] == "/grants"
    assert 'dir="rtl"' in amina.get("/grants").text
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(User.language).where(User.username == "amina")) == "ar"
    # Another user on the same server is not affected.
    assert 'dir="ltr"' in as_user("vera").get("/grants").text
    amina.submit("/language", {"language": "en"})
    html = amina.get("/grants").text
    assert '<html lang="en" dir="ltr">' in html and "Grants" in html


def test_rule_violation_message_in_arabic(as_user, seed):
    nadia = as_user("nadia")
    page = f"/grants/{seed.grant_in_id}"
    r = nadia.submit(f"{page}/approve", {"on": "2024-03-05", "amount": "90000"}, page)
    assert r.status_code == 422
    assert "مرفوض بموجب قاعدة من قواعد البرنامج" in r.text
    assert "يتجاوز المبلغ المطلوب" in r.text  # the core's detail, said in Arabic
    assert 'dir="rtl"' in r.text


def test_login_page_language_from_browser(client):
    html = client.get("/login", headers={"accept-language": "ar-MA,ar;q=0.9"}).text
    assert 'dir="rtl"' in html and "تسجيل الدخول" in html
    assert "Se connecter" in client.get("/login").text
