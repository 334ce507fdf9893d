"""CSRF, stored XSS, cookies, headers, lockout and throttling, session expiry and ending."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

import empower
from empower.models import AuditEvent, Beneficiary, Grant, User
from empower.schemas import BeneficiaryCreate
from empower.vocab import GrantStatus
from tests.admin.conftest import PASSWORD, csrf_of
from tests.factories import beneficiary_data

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def _post_routes(app):
    """Every POST path, including those of the included routers (kept as nodes by FastAPI)."""
    def walk(routes):
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                yield from walk(included.routes)
            elif "POST" in (getattr(route, "methods", set()) or set()):
                yield route.path

    yield from walk(app.routes)


def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(app, as_user, seed, db):
    amina = as_user("amina")
    vera_token = as_user("vera").csrf()
    paths = list(_post_routes(app))
    assert "/logout" in paths and "/{slug}/{record_id}/{action}" in paths
    for path in paths:
        if path == "/login":
            continue
        url = re.sub(r"\{record_id(:int)?\}", str(seed.grant_in_id), path.replace(
            "{slug}", "grants")).replace("{action}", "approve")
        assert "{" not in url, path
        data = {"on": "2024-03-05", "language": "ar", "password": "x" * 20}
        assert amina.post(url, data=data).status_code == 403, path
        assert amina.post(url, data={**data, "csrf_token": vera_token}).status_code == 403, path
    with db.unit_of_work() as uow:
        assert uow.session.get(Grant, seed.grant_in_id).status == GrantStatus.SUBMITTED
        assert uow.session.scalar(select(User.language).where(User.username == "amina")) == "fr"
    # Still logged in: the refused logout did not log her out.
    assert amina.get("/").status_code == 200


def test_login_form_has_its_own_csrf_token(client):
    r = client.post("/login", data={"username": "admin", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 403
    assert "empower_session" not in r.headers.get("set-cookie", "")


def _database_state(db) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    from empower.models import Base

    with db.unit_of_work(readonly=True) as uow:
        return {table.name: [tuple(row) for row in uow.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in Base.metadata.sorted_tables}


def test_state_never_changes_on_get(as_user, seed, db):
    admin = as_user("admin")
    admin.get("/")
    before = _database_state(db)
    writes = [f"/grants/{seed.grant_in_id}/approve", f"/grants/{seed.grant_in_id}/pay",
              "/logout", "/language?language=ar", "/users/1/deactivate",
              "/payment_batches/1/approve", "/payment_batches/1/export"]
    for url in writes:
        # No GET route does these: 405, or 404 where a page pattern (/{slug}) takes the path.
        assert admin.get(url).status_code in (404, 405), url
    pages = ["/", "/beneficiaries", f"/beneficiaries/{seed.inside_id}", f"/grants/{seed.grant_in_id}",
             "/grants", "/users", "/audit"]
    for url in pages:
        assert admin.get(url).status_code == 200, url
    assert _database_state(db) == before
    # The GET of /logout did not end her session either.
    assert admin.get("/").status_code == 200


def test_no_open_init_page(client, as_user):
    assert client.get("/init", follow_redirects=False).status_code == 303  # to the login page
    assert client.post("/init", data={"username": "x", "password": "y",
                                      "confirm_password": "y"}).status_code in (403, 404, 405)
    assert as_user("admin").get("/init").status_code == 404


def test_stored_xss_is_escaped_everywhere(as_user, db, seed):
    with db.unit_of_work() as uow:
        person = empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            commune=XSS, province_code="04.441")), actor="test:xss")
        uow.commit()
    amina = as_user("amina")
    r = amina.submit("/grants/new", {"reference": "G-XSS", "program_id": seed.program_id,
                                     "beneficiary_id": person.id, "purpose": XSS,
                                     "amount_requested": "1000", "submitted_on": "2024-03-01"},
                     "/grants/new")
    assert r.status_code == 303, r.text[:500]
    pages = [amina.get(f"/beneficiaries/{person.id}").text, amina.get("/grants").text,
             amina.get(r.headers["location"]).text, amina.get("/grants?q=" + XSS).text,
             as_user("admin").get("/audit").text]
    for html in pages:
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]


def test_stored_xss_in_list_cells_is_escaped(as_user, db):
    from empower.schemas import CooperativeCreate, PartnerCreate

    with db.unit_of_work() as uow:
        empower.found_cooperative(uow, CooperativeCreate(
            reference="C-XSS", name=XSS, sector="argan", province_code="04.441",
            founded_on=date(2023, 1, 1)), actor="test:xss")
        empower.create_partner(uow, PartnerCreate(name=XSS, kind="association"),
                               actor="test:xss")
        uow.commit()
    amina = as_user("amina")
    for url in ["/cooperatives", "/partners", "/cooperatives?q=C-XSS"]:
        html = amina.get(url).text
        assert "<script>alert(1)" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_session_cookie_flags_and_security_headers(client, app):
    page = client.get("/login")
    for name, value in {"x-content-type-options": "nosniff", "x-frame-options": "DENY"}.items():
        assert page.headers[name] == value
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    r = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                    "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "empower_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Secure" not in cookie


def test_cookie_is_secure_behind_https(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://panel.example") as c:
        page = c.get("/login")
        r = c.post("/login", data={"username": "admin", "password": PASSWORD,
                                   "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert "Secure" in r.headers["set-cookie"]
        assert "strict-transport-security" in r.headers


def _login(client, username, password):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


def test_lockout_after_five_failures(client, db, clock):
    for _ in range(4):
        assert _login(client, "amina", "wrong password here").status_code == 401
    r = _login(client, "amina", "wrong password here")
    assert r.status_code == 423
    assert "réessayez dans 15 minutes" in r.text
    # Even the right password is refused while locked.
    assert _login(client, "amina", PASSWORD).status_code == 423
    clock.now += 15 * 60 + 1
    assert _login(client, "amina", PASSWORD).status_code == 303
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "lock"))


def test_login_throttled_per_address(client):
    for i in range(20):
        assert _login(client, f"ghost{i}", "whatever it is 123").status_code == 401
    assert _login(client, "admin", PASSWORD).status_code == 429


def test_empty_and_unknown_passwords_never_log_in(client):
    assert _login(client, "admin", "").status_code == 401
    assert _login(client, "", "").status_code == 401
    assert _login(client, "nobody", PASSWORD).status_code == 401


def test_long_passphrase_over_72_bytes_logs_in(db, client):
    from empower.admin import accounts

    phrase = "ٱلصَّبْرُ مِفْتَاحُ ٱلْفَرَجِ " * 6  # well over bcrypt's 72 bytes
    accounts.create_user(db, "long", phrase, role="admin", actor="test")
    assert _login(client, "long", phrase).status_code == 303


def test_idle_and_absolute_timeouts(as_user, clock):
    amina = as_user("amina")
    clock.now += 29 * 60
    assert amina.get("/").status_code == 200
    clock.now += 31 * 60
    r = amina.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")

    vera = as_user("vera")
    for _ in range(25):  # active every 20 minutes for more than 8 hours
        clock.now += 20 * 60
        r = vera.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_logout_ends_the_session(as_user):
    amina = as_user("amina")
    stolen = dict(amina.jar)
    assert amina.submit("/logout", {}).status_code == 303
    amina.jar = stolen  # the old cookie replayed
    assert amina.get("/").status_code == 303


def test_password_change_ends_every_session(as_user):
    first, second = as_user("amina"), as_user("amina")
    r = first.submit("/password", {"old_password": PASSWORD,
                                   "new_password": "un nouveau mot de passe solide",
                                   "confirm_password": "un nouveau mot de passe solide"},
                     "/password")
    assert r.status_code == 303
    assert first.get("/").status_code == 303
    assert second.get("/").status_code == 303
    as_user("amina", "un nouveau mot de passe solide")


def test_password_change_enforces_policy(as_user):
    amina = as_user("amina")
    for new in ["", "short", "password1234"]:
        r = amina.submit("/password", {"old_password": PASSWORD, "new_password": new,
                                       "confirm_password": new}, "/password")
        assert r.status_code == 400
    assert amina.get("/").status_code == 200


def test_deactivation_ends_her_sessions(as_user, db):
    vera = as_user("vera")
    admin = as_user("admin")
    with db.unit_of_work() as uow:
        vera_id = uow.session.scalar(select(User.id).where(User.username == "vera"))
    assert admin.submit(f"/users/{vera_id}/deactivate", {}).status_code == 303
    assert vera.get("/").status_code == 303
    from fastapi.testclient import TestClient  # noqa: F401 - same app, fresh login refused
    page = vera.get("/login")
    r = vera.post("/login", data={"username": "vera", "password": PASSWORD,
                                  "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401


def test_no_open_redirect_after_login(client):
    page = client.get("/login?next=//evil.example/x")
    assert "//evil.example" not in page.text
    r = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                    "next": "https://evil.example/",
                                    "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_pages_reference_only_local_assets(as_user, seed):
    html = as_user("admin").get(f"/beneficiaries/{seed.inside_id}").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http:", "https:", "//")), url


def test_assets_are_served_by_the_panel(client):
    from empower.admin.app import assets_dir

    # The setup (scripts/_setup.sh) installs them: a panel without its styles is a failure.
    assert assets_dir() is not None, "node_modules/@tabler/core missing: run `npm ci`"
    for path in ["/assets/tabler/css/tabler.min.css", "/assets/tabler/css/tabler.rtl.min.css",
                 "/assets/tabler/js/tabler.min.js", "/static/panel.css"]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["x-content-type-options"] == "nosniff"


def test_export_neutralises_formulas(as_user, db, seed):
    import io

    from openpyxl import load_workbook

    with db.unit_of_work() as uow:
        empower.register_beneficiary(uow, BeneficiaryCreate(**beneficiary_data(
            commune='=HYPERLINK("http://evil","x")', province_code="04.441",
            registered_on=date(2024, 1, 10))), actor="test")
        uow.commit()
    amina = as_user("amina")
    csv_text = amina.get("/beneficiaries/export.csv").text
    assert "'=HYPERLINK" in csv_text
    grants = amina.get("/grants/export.xlsx")
    wb = load_workbook(io.BytesIO(grants.content))
    assert wb.active.max_row >= 2
    from empower.io.safety import neutralise

    for bad in ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "＝1"]:
        assert neutralise(bad).startswith("'")
    # A number or an E.164 phone cannot run: written as it is.
    for inert in ["+212612345678", "-250.50", "Fatima", 12]:
        assert neutralise(inert) == inert
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(Beneficiary.id).where(
            Beneficiary.commune.like("=HYPER%"))) is not None
