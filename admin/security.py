"""Passwords, CSRF tokens, masking and security headers for the panel.

Passwords are hashed with argon2id (argon2-cffi), after NFKC normalisation and trimming. The
policy follows current guidance: at least 12 characters, no upper bound worth mentioning (long
passphrases are welcome), refuse the easy to guess ones by a strength estimate (zxcvbn, with its
dictionaries of common passwords, words, names and keyboard patterns); no composition rules.
"""

from __future__ import annotations

import contextlib
import hmac
import re
import secrets
import threading
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, TimestampSigner
from zxcvbn import zxcvbn

from empower.errors import InvalidInput

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "MIN_STRENGTH",
    "USERNAME_PATTERN",
    "check_password_policy",
    "csrf_matches",
    "fold_username",
    "hash_password",
    "login_token_valid",
    "mask_cin",
    "mask_phone",
    "new_token",
    "normalize_password",
    "security_headers",
    "sign_login_token",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_hasher = PasswordHasher()
# Verified against when the username does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("empower-timing-equaliser")

# The estimator's verdict from which a password is accepted: zxcvbn's 4, at least 10^10 guesses
# against its dictionaries of common passwords, names, words and keyboard patterns (shipped
# with the package; nothing is downloaded). Its 3 (10^8) lets "motdepasse2024" through: its
# dictionaries are English, so a French or Arabic word counts for less than it should.
MIN_STRENGTH = 4
# zxcvbn's own bound: its matching is quadratic, and the first 72 characters of a strong
# password are already strong.
_ESTIMATED_PREFIX = 72
# zxcvbn keeps the user's own words in a module global while it scores: one check at a time.
_estimator_lock = threading.Lock()
# Words every account here shares, which make a password easy to guess for this panel.
_CONTEXT_WORDS = ("empower", "maroc", "morocco", "admin")


def normalize_password(password: str) -> str:
    """The password as it is hashed and checked: NFKC (a full-width or a composed letter is the
    plain one, whichever way the keyboard typed it) without surrounding white space."""
    return unicodedata.normalize("NFKC", password).strip()


def check_password_policy(password: str | None, *, username: str | None = None) -> str:
    """The password, normalised (:func:`normalize_password`), when acceptable.

    Raises :class:`InvalidInput` saying why not: missing, shorter than
    :data:`MIN_PASSWORD_LENGTH` or longer than :data:`MAX_PASSWORD_LENGTH` characters, easy to
    guess (a strength estimate below :data:`MIN_STRENGTH`: common passwords, words, names, dates,
    repeats and keyboard runs), or built on the user name.
    """
    # Far too long before normalising is too long after (NFKC composes at most 3 to 1).
    too_long = password is not None and len(password) > 4 * MAX_PASSWORD_LENGTH
    password = normalize_password(password[:4 * MAX_PASSWORD_LENGTH] if password else "")
    if not password:
        raise InvalidInput("password: a password is required", code="password.required",
                           field="password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password: at least {MIN_PASSWORD_LENGTH} characters "
                           "(a passphrase of several words is best)", code="password.too_short",
                           params={"min": MIN_PASSWORD_LENGTH}, field="password")
    if too_long or len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password: at most {MAX_PASSWORD_LENGTH} characters",
                           code="password.too_long", params={"max": MAX_PASSWORD_LENGTH},
                           field="password")
    folded = password.casefold()
    if username and username.casefold() in folded and len(folded) - len(username) < 8:
        raise InvalidInput("password: must not be built on the user name",
                           code="password.built_on_username", field="password")
    words = [*_CONTEXT_WORDS, *([username] if username else [])]
    with _estimator_lock:
        score = zxcvbn(password[:_ESTIMATED_PREFIX], user_inputs=words)["score"]
    if score < MIN_STRENGTH:
        raise InvalidInput("password: this password is too easy to guess; choose another",
                           code="password.too_common", field="password")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash of the normalised password (no length limit, unlike bcrypt's 72 bytes)."""
    return _hasher.hash(normalize_password(password))


def verify_password(password: str | None, password_hash: str | None) -> bool:
    """Constant-work check; an empty password or a missing/foreign hash never matches.

    The password is normalised as :func:`hash_password` does; a hash made before passwords were
    normalised still matches the password exactly as it was typed then.
    """
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        return False
    normal = normalize_password(password)
    if not normal:
        return False
    # The same number of checks whether the account exists or not (the dummy hash).
    ok = False
    for candidate in dict.fromkeys((normal, password)):
        with contextlib.suppress(VerificationError, InvalidHashError):
            ok = _hasher.verify(password_hash or _DUMMY_HASH, candidate) or ok
    return ok and bool(password_hash)


# What a user name may be once folded: letters a-z, digits, dot, dash, underscore (fits the
# 60 characters of ``users.username``). No look-alike letters, no spaces, no invisible marks.
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{3,60}")


def fold_username(name: str) -> str:
    """The form a user name is stored and compared in: NFKC, case-folded (then NFKC again, as
    folding can undo it), trimmed. ``Amina``, ``AMINA`` and full-width ``ａｍｉｎａ`` are one name."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def new_token() -> str:
    """A random URL-safe token (session ids, CSRF tokens)."""
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Compare CSRF tokens in constant time; missing tokens never match."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


# A login form's token is good for as long as its cookie lives.
LOGIN_TOKEN_SECONDS = 3600
_LOGIN_SALT = "empower.login-csrf"


def sign_login_token(key: str) -> str:
    """A fresh login-form token, signed with the panel's ``key`` and dated."""
    return TimestampSigner(key, salt=_LOGIN_SALT).sign(new_token()).decode()


def login_token_valid(key: str, token: str | None) -> bool:
    """Whether ``token`` is one this panel signed (with ``key``) in the last hour.

    The login form's token is a double-submit cookie; signed, a token an attacker chose (set
    through a sibling domain, or sent by a script that never loaded the form) is refused.
    """
    if not token or len(token) > 200:
        return False
    try:
        TimestampSigner(key, salt=_LOGIN_SALT).unsign(token, max_age=LOGIN_TOKEN_SECONDS)
    except BadSignature:
        return False
    return True


def mask_cin(cin: str | None) -> str:
    """``AB123456`` -> ``AB****56``: enough to tell two women apart, not to copy the ID."""
    if not cin:
        return ""
    if len(cin) <= 4:
        return cin[0] + "*" * (len(cin) - 1)
    return cin[:2] + "*" * (len(cin) - 4) + cin[-2:]


def mask_phone(phone: str | None) -> str:
    """``+212612345678`` -> ``+2126******78``."""
    if not phone:
        return ""
    keep = 5 if phone.startswith("+") else 2
    return phone[:keep] + "*" * max(len(phone) - keep - 2, 0) + phone[-2:]


def mask_rib(rib: str | None) -> str:
    """``007780000000000000000012 34`` -> ``********************1234``: the last four digits, enough
    to tell her two accounts apart, not to pay into one."""
    if not rib:
        return ""
    return "*" * max(len(rib) - 4, 0) + rib[-4:]


# Content-Security-Policy: everything from the panel itself; no inline script; data: images are
# the icons embedded in Tabler's stylesheet.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def security_headers(*, https: bool) -> dict[str, str]:
    """Headers added to every response."""
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers
