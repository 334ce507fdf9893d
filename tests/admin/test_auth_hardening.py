"""Authentication under attack (issue 10, "Authentication"), over HTTP on the panel.

No enumeration at lockout, no global lock an anonymous client can set, failures on the password
pages, proxies, password and user-name normalisation, a signed login token, the last admin.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.admin.conftest import PASSWORD, csrf_of

WRONG = "wrong password here"


class Peers:
    """The panel as reached from several client addresses (the socket's, no proxy)."""

    def __init__(self, app):
        self.app = app
        self.host = "203.0.113.1"

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope["client"] = (self.host, 40000)
        await self.app(scope, receive, send)


@pytest.fixture
def peers(app):
    wrapped = Peers(app)
    with TestClient(wrapped) as client:
        def from_(host, *, keep_cookies=False):
            wrapped.host = host
            if not keep_cookies:
                client.cookies.clear()
            return client

        yield from_


def _login(client, username, password, **kw):
    page = client.get("/login", **kw)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_of(page.text)},
                       follow_redirects=False, **kw)


def _answer(response, username):
    """What a client sees, less the name it typed and the fresh form token."""
    text = re.sub(r'name="csrf_token" value="[^"]+"', "", response.text)
    return response.status_code, text.replace(f'value="{username}"', 'value=""')


def test_the_same_answer_for_unknown_and_known_names_at_lockout(client, monkeypatch):
    from empower.admin import security

    checks = []

    class Counting:
        def __init__(self, hasher):
            self.hasher = hasher

        def verify(self, hash_, password):
            checks.append(hash_)
            return self.hasher.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(self.hasher, name)

    monkeypatch.setattr(security, "_hasher", Counting(security._hasher))
    known = [_answer(_login(client, "amina", WRONG), "amina") for _ in range(6)]
    known_checks, checks[:] = len(checks), []
    unknown = [_answer(_login(client, "ghost", WRONG), "ghost") for _ in range(6)]
    assert [s for s, _ in known] == [401, 401, 401, 401, 423, 423]
    assert unknown == known
    # The same work too: a password is checked (the dummy hash for "ghost") until the lock.
    assert len(checks) == known_checks == 5


def test_a_stranger_locks_a_name_for_her_own_address_only_and_longer_each_time(peers, clock):
    stranger, office = "198.51.100.66", "203.0.113.20"
    for _ in range(4):
        assert _login(peers(stranger), "amina", WRONG).status_code == 401
    assert _login(peers(stranger), "amina", WRONG).status_code == 423
    assert _login(peers(stranger), "amina", PASSWORD).status_code == 423
    # Amina, at her office, is not locked out of her account.
    assert _login(peers(office), "amina", PASSWORD).status_code == 303
    # The stranger's lock ends after 15 minutes; five more failures lock for 30.
    clock.now += 15 * 60 + 1
    for _ in range(4):
        assert _login(peers(stranger), "amina", WRONG).status_code == 401
    refused = _login(peers(stranger), "amina", WRONG)
    assert refused.status_code == 423 and "réessayez dans 30 minutes" in refused.text
    clock.now += 15 * 60 + 1
    assert _login(peers(stranger), "amina", PASSWORD).status_code == 423
    clock.now += 15 * 60
    assert _login(peers(stranger), "amina", PASSWORD).status_code == 303


def test_the_address_throttle_still_holds_across_names(peers):
    for i in range(20):
        assert _login(peers("198.51.100.66"), f"ghost{i}", WRONG).status_code == 401
    assert _login(peers("198.51.100.66"), "admin", PASSWORD).status_code == 429
    assert _login(peers("203.0.113.20"), "admin", PASSWORD).status_code == 303


def _change_password(client, old, new="un nouveau mot de passe solide"):
    page = client.get("/password")
    return client.post("/password", data={"old_password": old, "new_password": new,
                                          "confirm_password": new,
                                          "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


def test_wrong_current_passwords_on_the_password_page_lock_like_logins(peers, db):
    from sqlalchemy import select

    from empower.models import AuditEvent, User

    home = "203.0.113.20"
    assert _login(peers(home), "amina", PASSWORD).status_code == 303
    browser = peers(home, keep_cookies=True)
    for _ in range(4):
        r = _change_password(browser, WRONG)
        assert r.status_code == 400 and "Le mot de passe actuel est erroné" in r.text
    r = _change_password(browser, WRONG)
    assert r.status_code == 423 and "réessayez dans 15 minutes" in r.text
    # Locked: not even the right one is checked, here or on the login page of this address.
    assert _change_password(browser, PASSWORD).status_code == 423
    assert _login(peers(home), "amina", PASSWORD).status_code == 423
    assert _login(peers("198.51.100.7"), "amina", PASSWORD).status_code == 303
    with db.unit_of_work() as uow:
        amina = uow.session.scalar(select(User).where(User.username == "amina"))
        assert amina.locked_until is not None
        assert uow.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "lock", AuditEvent.entity_id == amina.id))


def test_an_admin_changing_her_own_password_in_the_users_pages_gives_the_old_one(as_user, db):
    from sqlalchemy import select

    from empower.models import User

    with db.unit_of_work() as uow:
        ids = dict(uow.session.execute(select(User.username, User.id)).all())
        before = uow.session.scalar(select(User.password_hash).where(User.id == ids["admin"]))
    admin = as_user("admin")
    page = f"/users/{ids['admin']}"
    assert 'name="old_password"' in admin.get(page).text
    new = "une autre phrase de passe solide"
    for old in (None, WRONG):
        data = {"password": new} | ({"old_password": old} if old else {})
        r = admin.submit(f"{page}/password", data, page)
        assert r.status_code == 400 and "Le mot de passe actuel est erroné" in r.text
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(User.password_hash).where(
            User.id == ids["admin"])) == before
        assert uow.session.scalar(select(User.failed_logins).where(
            User.id == ids["admin"])) == 2
    # Another user's password needs none of hers.
    vera_page = f"/users/{ids['vera']}"
    assert 'name="old_password"' not in admin.get(vera_page).text
    assert admin.submit(f"{vera_page}/password", {"password": new}, vera_page).status_code == 303
    r = admin.submit(f"{page}/password", {"password": new, "old_password": PASSWORD}, page)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    as_user("admin", new)


@pytest.fixture
def behind_proxy(db_url, seed, clock):
    """The panel behind a reverse proxy at 192.0.2.10 (EMPOWER_TRUSTED_PROXIES)."""
    from empower.admin import create_app
    from empower.admin.sessions import MemoryStore

    from empower.config import Settings

    app = create_app(Settings(database_url=db_url, trusted_proxies="192.0.2.10, 2001:db8::/32"),
                     store=MemoryStore(), clock=clock)
    wrapped = Peers(app)
    wrapped.host = "192.0.2.10"
    with TestClient(wrapped) as client:
        def via(host):
            wrapped.host = host
            client.cookies.clear()
            return client

        yield via


def test_x_forwarded_for_names_the_client_only_behind_a_trusted_proxy(behind_proxy):
    proxy = behind_proxy("192.0.2.10")

    def through_proxy(forwarded, password):
        proxy.cookies.clear()
        return _login(proxy, "amina", password, headers={"X-Forwarded-For": forwarded})

    # Behind the proxy each client is her own address: the stranger's lock is hers only.
    for _ in range(5):
        last = through_proxy("10.9.9.9, 198.51.100.66", WRONG)  # the left part is the client's
    assert last.status_code == 423
    assert through_proxy("198.51.100.66", PASSWORD).status_code == 423
    assert through_proxy("203.0.113.20", PASSWORD).status_code == 303
    # A second trusted hop is looked through; the proxy's own address is not the client.
    assert through_proxy("198.51.100.66, 2001:db8::7", PASSWORD).status_code == 423
    # From anyone else the header is ignored: the peer is the client, whatever it claims.
    for i in range(4):
        assert _login(behind_proxy("198.51.100.66"), "omar", WRONG,
                      headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code == 401
    assert _login(behind_proxy("198.51.100.66"), "omar", WRONG,
                  headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 423
    assert _login(behind_proxy("198.51.100.66"), "omar", PASSWORD,
                  headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 423
    assert _login(behind_proxy("192.0.2.10"), "omar", PASSWORD,
                  headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 303


def test_x_forwarded_proto_from_a_trusted_proxy_or_this_machine_only(behind_proxy):
    https = {"X-Forwarded-Proto": "https"}
    for peer, secure in [("192.0.2.10", True), ("127.0.0.1", True), ("198.51.100.66", False)]:
        page = behind_proxy(peer).get("/login", headers=https)
        assert ("Secure" in page.headers["set-cookie"]) is secure, peer
        assert ("strict-transport-security" in page.headers) is secure, peer


def test_trusted_proxies_setting_is_checked():
    from pydantic import ValidationError

    from empower.config import Settings

    assert Settings(trusted_proxies="").trusted_networks() == ()
    assert [str(n) for n in Settings(trusted_proxies="127.0.0.1, 10.0.0.0/8")
            .trusted_networks()] == ["127.0.0.1/32", "10.0.0.0/8"]
    with pytest.raises(ValidationError, match="not an address or a network"):
        Settings(trusted_proxies="proxy.example")


def test_passwords_are_normalised_and_checked_against_a_real_estimator(as_user, db):
    from empower.admin import security

    # Gone: the hand list of fifty entries.
    assert not hasattr(security, "_COMMON")
    admin = as_user("admin")
    # Common passwords, words and keyboard runs far beyond any hand list, in the panel.
    for weak in ["motdepasse2024", "qwertyuiop123", "Password1234!", "jennifer1987",
                 "abcabcabcabcabc", "ｐａｓｓｗｏｒｄ１２３４"]:
        r = admin.submit("/users/new", {"username": "salma", "role": "admin",
                                        "password": weak}, "/users/new")
        assert r.status_code == 422, weak
        assert "trop facile à deviner" in r.text, weak
    # Full-width letters and surrounding spaces: the password is its NFKC form, trimmed.
    typed = "  ｌｅ ｃｈａｍｅａｕ ｄｕ ｄéｓｅｒｔ ｂｌｅｕ  "
    r = admin.submit("/users/new", {"username": "salma", "role": "admin", "password": typed},
                     "/users/new")
    assert r.status_code == 303, r.text[:300]
    as_user("salma", "le chameau du désert bleu")
    as_user("salma", typed)
    # A decomposed é (e + U+0301) is the composed one.
    as_user("salma", "le chameau du de\u0301sert bleu")


def test_a_hash_made_before_normalisation_still_logs_in(db, as_user):
    from empower.admin import security
    from sqlalchemy import update

    from empower.models import User

    old = " ancienne phrase avec espaces "
    with db.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.username == "vera").values(
            password_hash=security._hasher.hash(old)))
        uow.commit()
    as_user("vera", old)


def test_user_names_are_a_safe_set_folded_and_compared_without_case(as_user, db, client):
    from sqlalchemy import select

    from empower.models import User

    admin = as_user("admin")
    strong = "une phrase de passe longue"

    def create(username):
        return admin.submit("/users/new", {"username": username, "role": "officer",
                                           "regions": "04", "password": strong}, "/users/new")

    for bad in ["x", "amina zahra", "amina\u200b", "аmina", "fatima.zahrâ", "a/b", "<b>",
                "n" * 61]:
        r = create(bad)
        assert r.status_code == 422, bad
        assert "n&#39;est pas un nom d&#39;utilisateur valide" in r.text, bad
    # Another spelling of an existing name is that name.
    for taken in ["AMINA", "ａｍｉｎａ", " Amina "]:
        r = create(taken)
        assert r.status_code == 422 and "existe déjà" in r.text, taken
    assert create("Salma.Idrissi").status_code == 303
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(User.id).where(User.username == "salma.idrissi"))
    for typed in ["salma.idrissi", "SALMA.IDRISSI", "ｓａｌｍａ.ｉｄｒｉｓｓｉ"]:
        as_user(typed, strong)
    # The lockout is the folded name's: capitals do not buy five more tries.
    for typed in ["omar", "OMAR", "Omar", "oMaR", "ＯＭＡＲ"]:
        client.cookies.clear()
        last = _login(client, typed, WRONG)
    assert last.status_code == 423


def test_an_account_made_before_names_were_folded_still_logs_in(db, as_user):
    from sqlalchemy import update

    from empower.models import User

    with db.unit_of_work() as uow:
        uow.session.execute(update(User).where(User.username == "vera").values(username="Vera"))
        uow.commit()
    as_user("vera")
    as_user("VERA")


def test_the_login_token_is_signed_by_the_panel(client):
    import secrets

    from empower.admin.security import sign_login_token

    planted = secrets.token_urlsafe(32)  # chosen by an attacker, e.g. through a sibling domain
    client.cookies.set("empower_login_csrf", planted, path="/login")
    page = client.get("/login")
    assert planted not in page.text  # the panel hands out its own token instead
    client.cookies.clear()
    forged = sign_login_token("a key the attacker made up")
    for token in [planted, forged, planted + ".x.y"]:
        client.cookies.clear()
        client.cookies.set("empower_login_csrf", token, path="/login")
        r = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                        "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 403, token
        assert "empower_session" not in r.headers.get("set-cookie", "")
    client.cookies.clear()
    assert _login(client, "admin", PASSWORD).status_code == 303


def test_the_last_active_admin_cannot_demote_or_deactivate_herself(as_user, db):
    from empower.admin import accounts
    from sqlalchemy import select

    from empower.models import User

    with db.unit_of_work() as uow:
        admin_id = uow.session.scalar(select(User.id).where(User.username == "admin"))
    admin = as_user("admin")
    page = f"/users/{admin_id}"
    for action, data in [("deactivate", {}), ("update", {"role": "officer", "regions": "04"})]:
        r = admin.submit(f"{page}/{action}", data, page)
        assert r.status_code == 422, action
        assert "est le dernier compte administrateur actif" in r.text, action
    with db.unit_of_work() as uow:
        user = uow.session.get(User, admin_id)
        assert user.is_active and user.role == "admin"
    assert admin.get("/users").status_code == 200
    # An inactive admin is no admin to hand over to; an active one is.
    other = accounts.create_user(db, "hind", "une phrase de passe longue", role="admin",
                                 actor="test")
    accounts.set_active(db, other, False, actor="test")
    assert admin.submit(f"{page}/deactivate", {}, page).status_code == 422
    accounts.set_active(db, other, True, actor="test")
    r = admin.submit(f"{page}/update", {"role": "officer", "regions": "04"}, page)
    assert r.status_code == 303
    hind = as_user("hind", "une phrase de passe longue")
    hind_page = f"/users/{other}"
    r = hind.submit(f"{hind_page}/deactivate", {}, hind_page)
    assert r.status_code == 422 and "dernier compte administrateur actif" in r.text
