"""Authentication under attack (issue 10, "Authentication"), over HTTP on the panel.

No enumeration at lockout, no global lock an anonymous client can set, failures on the password
pages, proxies, password and user-name normalisation, a signed login token, the last admin.
"""

from __future__ import annotations

import re

from tests.admin.conftest import PASSWORD, csrf_of

WRONG = "wrong password here"


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
