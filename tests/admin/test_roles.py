"""Role x resource x action, and region scope on every page, filter, export and by-id URL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from empower.models import AuditEvent, Disbursement, Grant, Program
from empower.vocab import GrantStatus

LISTS = ["beneficiaries", "cooperatives", "memberships", "programs", "partners", "agreements",
         "enrollments", "grants", "disbursements", "surveys", "duplicates"]
ADMIN_ONLY = ["users", "audit"]


def results(html: str) -> str:
    """The result table only (the search box echoes what was typed)."""
    start = html.index('id="results"')
    return html[html.index('<tbody>', start):]


@pytest.mark.parametrize("username", ["admin", "amina", "vera"])
def test_every_list_and_export_answers_for_each_role(as_user, username):
    user = as_user(username)
    for slug in LISTS:
        assert user.get(f"/{slug}").status_code == 200, slug
        assert user.get(f"/{slug}/export.csv").status_code == 200, slug
    for slug in ADMIN_ONLY:
        expected = 200 if username == "admin" else 404
        assert user.get(f"/{slug}").status_code == expected, slug
        assert user.get(f"/{slug}/export.csv").status_code == expected, slug


def test_officer_sees_only_her_regions_in_lists_search_and_exports(as_user, seed):
    amina = as_user("amina")
    page = amina.get("/beneficiaries").text
    assert "Fatima" in page and "Khadija" not in page
    assert "Khadija" not in results(amina.get("/beneficiaries?q=Khadija").text)
    export = amina.get("/beneficiaries/export.csv").text
    assert "Fatima" in export and "Khadija" not in export
    grants = amina.get("/grants/export.csv").text.splitlines()
    assert len(grants) == 2  # header + her one grant
    # A filter naming a region outside her scope finds nothing rather than leaking.
    assert "Khadija" not in amina.get("/beneficiaries?region=01").text
    assert "Khadija" not in amina.get("/beneficiaries?province=01.511").text
    admin_user = as_user("admin")
    admin = admin_user.get("/beneficiaries").text
    assert "Fatima" in admin and "Khadija" in admin
    north = results(admin_user.get("/beneficiaries?region=01").text)
    assert "Khadija" in north and "Fatima" not in north
    from datetime import date

    from empower.rules import age_on

    age = age_on(date(1990, 3, 4), date.today())  # the seed's birth date
    band = next(b for b in ("18-24", "25-34", "35-44", "45-54", "55-64")
                if int(b[:2]) <= age <= int(b[3:]))
    other = "18-24" if band != "18-24" else "25-34"
    query = "/beneficiaries?province=01.511&milieu=rural&enrolment=enrolled&age="
    assert "Khadija" in results(admin_user.get(query + band).text)
    assert "Khadija" not in results(admin_user.get(query + other).text)
    assert "Khadija" not in results(admin_user.get("/beneficiaries?enrolment=none").text)


@pytest.mark.parametrize("path", [
    "/beneficiaries/{outside_id}", "/beneficiaries/{outside_id}/edit",
    "/grants/{grant_out_id}", "/cooperatives/{coop_out_id}",
    "/enrollments/{enrolment_out_id}"])
def test_by_id_outside_scope_is_404(as_user, seed, path):
    url = path.format(**seed.__dict__)
    assert as_user("amina").get(url).status_code == 404
    assert as_user("vera").get(url).status_code == 404
    # Omar's region (01) is the one the "outside" records are in: they are inside his scope.
    assert as_user("omar").get(url).status_code == 200
    assert as_user("admin").get(url).status_code == 200


def test_actions_outside_scope_are_404_and_change_nothing(as_user, seed, db):
    amina = as_user("amina")
    r = amina.submit(f"/grants/{seed.grant_out_id}/approve", {"on": "2024-03-05"})
    assert r.status_code == 404
    r = amina.submit(f"/beneficiaries/{seed.outside_id}/archive", {"on": "2024-03-05"})
    assert r.status_code == 404
    # Naming an outside woman in a form of her own is refused on the form, not executed.
    r = amina.submit("/grants/new", {"reference": "G-SNEAK", "program_id": seed.program_id,
                                     "beneficiary_id": seed.outside_id,
                                     "amount_requested": "1000", "submitted_on": "2024-03-01"})
    assert r.status_code == 422
    with db.unit_of_work() as uow:
        assert uow.session.get(Grant, seed.grant_out_id).status == GrantStatus.SUBMITTED
        assert uow.session.scalar(select(Grant.id).where(Grant.reference == "G-SNEAK")) is None


def test_viewer_reads_masked_and_cannot_write(as_user, seed):
    vera = as_user("vera")
    page = vera.get(f"/beneficiaries/{seed.inside_id}").text
    assert "+212612345678" not in page and "+2126******78" in page
    lst = vera.get("/beneficiaries").text
    assert "+212612345678" not in lst
    export = vera.get("/beneficiaries/export.csv").text
    assert "+212612345678" not in export and "**" in export
    assert vera.get("/beneficiaries/new").status_code == 404
    r = vera.submit(f"/grants/{seed.grant_in_id}/approve", {"on": "2024-03-05"})
    assert r.status_code == 404
    r = vera.submit("/beneficiaries/new", {"cin": "ZZ1"})
    assert r.status_code == 404
    assert "do-approve" not in vera.get(f"/grants/{seed.grant_in_id}").text
    full = as_user("amina").get(f"/beneficiaries/{seed.inside_id}").text
    assert "+212612345678" in full


def test_officer_approves_and_an_admin_pays_where_the_program_allows_it(as_user, seed, db):
    """Tranches go through payment batches; the one-off "pay" is an admin's, on a program
    with ``panel_payments`` (test_payments_panel.py has the refusals)."""
    with db.unit_of_work() as uow:
        uow.session.get(Program, seed.program_id).panel_payments = True
        uow.commit()
    amina, admin = as_user("amina"), as_user("admin")
    page = f"/grants/{seed.grant_in_id}"
    r = amina.submit(f"{page}/approve", {"on": "2024-03-05", "amount": "15 000"}, page)
    assert r.status_code == 303
    r = admin.submit(f"{page}/pay", {"amount": "5000,50", "paid_on": "2024-03-10",
                                     "channel": "virement", "reference": "T-1"}, page)
    assert r.status_code == 303, r.text[:2000]
    with db.unit_of_work() as uow:
        grant = uow.session.get(Grant, seed.grant_in_id)
        assert grant.status == GrantStatus.APPROVED
        assert grant.amount_approved_centimes == 1_500_000
        assert grant.disbursed_centimes == 500_050
        tranche = uow.session.scalar(select(Disbursement).where(Disbursement.reference == "T-1"))
        assert tranche.channel == "bank_transfer"
        actors = set(uow.session.scalars(select(AuditEvent.actor).where(
            AuditEvent.entity == "grant", AuditEvent.entity_id == grant.id)))
        assert {"user:amina", "user:admin"} <= actors
    detail = amina.get(page).text.replace("\u202f", " ").replace("\xa0", " ")
    assert "T-1" in detail and "5 000,50" in detail


def test_rule_violation_shown_on_form_with_values_kept(as_user, seed):
    amina = as_user("amina")
    page = f"/grants/{seed.grant_in_id}"
    # Above the program's per-grant cap (50,000 MAD): a rule of the core, not of the panel.
    r = amina.submit(f"{page}/approve", {"on": "2024-03-05", "amount": "90000"}, page)
    assert r.status_code == 422
    assert "Refusé par une règle du programme" in r.text or "Valeur invalide" in r.text
    assert 'value="90000"' in r.text
    assert "dépasse le montant demandé" in r.text  # the core's detail, in French
    # Registration with an under-age woman: refused, every typed value still there.
    r = amina.submit("/beneficiaries/new", {
        "cin": "QK445566", "first_name_ar": "سلمى", "birth_date": "2015-01-01",
        "province_code": "04.441", "consent_date": "2024-01-01", "registered_on": "2024-01-02"},
        "/beneficiaries/new")
    assert r.status_code == 422
    assert 'value="QK445566"' in r.text and 'value="سلمى"' in r.text
    assert "doivent avoir au moins 18 ans" in r.text
    assert "form-error" in r.text


def test_officer_registers_in_her_region_only(as_user, db):
    amina = as_user("amina")
    data = {"cin": "QA123456", "first_name_ar": "زينب", "last_name_ar": "العلوي",
            "birth_date": "1990-05-05", "consent_date": "2024-01-01", "registered_on": "2024-01-02"}
    r = amina.submit("/beneficiaries/new", {**data, "province_code": "01.511"},
                     "/beneficiaries/new")
    assert r.status_code == 422
    r = amina.submit("/beneficiaries/new", {**data, "province_code": "04.441"},
                     "/beneficiaries/new")
    assert r.status_code == 303
    found = results(amina.get("/beneficiaries?q=زينب").text)
    assert "QA123456" in found


def test_users_admin_only(as_user, seed):
    amina = as_user("amina")
    assert amina.get("/users/1").status_code == 404
    r = amina.submit("/users/new", {"username": "x", "role": "admin",
                                    "password": "une phrase de passe longue"})
    assert r.status_code == 404
    admin = as_user("admin")
    r = admin.submit("/users/new", {"username": "salma", "role": "officer", "regions": "04",
                                    "password": "une phrase de passe longue"}, "/users/new")
    assert r.status_code == 303
    assert "salma" in admin.get("/users").text


def test_dashboard_counts_follow_scope(as_user, seed):
    import re

    def count(html, key):
        return int(re.search(rf'data-count="{key}"><a href="[^"]*">(\d+)', html).group(1))

    assert count(as_user("admin").get("/").text, "beneficiaries") == 2
    assert count(as_user("amina").get("/").text, "beneficiaries") == 1
    assert count(as_user("amina").get("/").text, "active_enrollments") == 1


def test_malformed_parameters_never_500(as_user, seed):
    admin = as_user("admin")
    # A malformed list parameter is ignored: the list still shows.
    for url in ["/beneficiaries?page=0", "/beneficiaries?page=-5", "/beneficiaries?page=abc",
                "/beneficiaries?age=xx", "/beneficiaries?milieu=<x>", "/grants?program=abc",
                "/beneficiaries?sort=password_hash", "/beneficiaries?region=zz"]:
        r = admin.get(url)
        assert r.status_code == 200, url
        assert "<x>" not in r.text and "password_hash" not in r.text, url
    # What does not exist is a 404, never a 500.
    for url in ["/beneficiaries/999999", "/nope", "/beneficiaries/export.pdf"]:
        assert admin.get(url).status_code == 404, url


def test_admin_changes_role_and_regions_and_her_sessions_end(as_user, db, seed):
    amina = as_user("amina")
    admin = as_user("admin")
    with db.unit_of_work() as uow:
        from empower.models import User

        amina_id = uow.session.scalar(select(User.id).where(User.username == "amina"))
    page = f"/users/{amina_id}"
    r = admin.submit(f"{page}/update", {"role": "officer", "regions": ""}, page)
    assert r.status_code == 422  # an officer needs a region
    r = admin.submit(f"{page}/update", {"role": "viewer", "regions": "04, 1"}, page)
    assert r.status_code == 303
    assert amina.get("/").status_code == 303  # her session ended
    amina = as_user("amina")
    html = amina.get("/beneficiaries").text
    assert "Khadija" in html  # region 01 is hers now
    assert 'id="bulk-archive"' not in html  # a viewer
    assert "01, 04" in admin.get(page).text


CREATABLE = ["beneficiaries", "cooperatives", "programs", "partners", "agreements",
             "enrollments", "grants", "surveys", "users"]
ONLY_ADMIN_CREATES = {"programs", "users"}


@pytest.mark.parametrize("slug", CREATABLE)
def test_create_matrix(as_user, slug):
    for username in ("admin", "amina", "vera"):
        user = as_user(username)
        allowed = username == "admin" or (username == "amina" and slug not in ONLY_ADMIN_CREATES)
        assert user.get(f"/{slug}/new").status_code == (200 if allowed else 404), username
        if not allowed:
            r = user.submit(f"/{slug}/new", {"name": "x"})
            assert r.status_code == 404, username
