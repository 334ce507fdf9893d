"""Passwords, CSRF tokens, masking and security headers for the panel.

Passwords are hashed with argon2id (argon2-cffi). The policy follows current guidance: at least 12
characters, no upper bound worth mentioning (long passphrases are welcome), refuse the common
and the trivially repetitive ones; no composition rules.
"""

from __future__ import annotations

import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from empower.errors import InvalidInput

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "check_password_policy",
    "csrf_matches",
    "hash_password",
    "mask_cin",
    "mask_phone",
    "new_token",
    "security_headers",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
_hasher = PasswordHasher()
# Verified against when the username does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("empower-timing-equaliser")

# The most common passwords of 12 characters or more in public breach lists, plus local ones.
_COMMON = frozenset({
    "123456789012", "1234567890123", "12345678901234", "123456789012345", "1234567890qwerty",
    "qwertyuiopasdf", "qwertyuiop123", "qwertyuiopasdfgh", "qwertyuiop1234", "password1234",
    "password12345", "password123456", "passwordpassword", "iloveyou1234", "111111111111",
    "000000000000", "abcdefghijkl", "abcdefghijklm", "abc123456789", "azertyuiop123",
    "azertyuiopqsdf", "motdepasse123", "motdepasse1234", "bonjour123456", "soleil123456",
    "marocmaroc12", "maroc1234567", "morocco12345", "admin1234567", "administrator",
    "administrateur", "changeme1234", "welcome12345", "letmein12345", "empower12345",
    "empowerempower", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "trustno11234",
    "superman1234", "football1234", "princess1234", "sunshine1234", "monkey123456",
    "dragon123456", "baseball1234", "qwerty123456", "qwerty1234567", "aaaaaaaaaaaa",
})


def check_password_policy(password: str | None, *, username: str | None = None) -> str:
    """Return the password if acceptable; raise :class:`InvalidInput` saying why otherwise."""
    if password is None or not password.strip():
        raise InvalidInput("password: a password is required", code="password.required",
                           field="password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password: at least {MIN_PASSWORD_LENGTH} characters "
                           "(a passphrase of several words is best)", code="password.too_short",
                           params={"min": MIN_PASSWORD_LENGTH}, field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"password: at most {MAX_PASSWORD_LENGTH} characters",
                           code="password.too_long", params={"max": MAX_PASSWORD_LENGTH},
                           field="password")
    folded = password.casefold()
    if folded in _COMMON or len(set(folded)) <= 2:
        raise InvalidInput("password: this password is too common; choose another",
                           code="password.too_common", field="password")
    if username and username.casefold() in folded and len(folded) - len(username) < 8:
        raise InvalidInput("password: must not be built on the user name",
                           code="password.built_on_username", field="password")
    return password


def hash_password(password: str) -> str:
    """An argon2id hash (no length limit, unlike bcrypt's 72 bytes)."""
    return _hasher.hash(password)


def verify_password(password: str | None, password_hash: str | None) -> bool:
    """Constant-work check; an empty password or a missing/foreign hash never matches."""
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random URL-safe token (session ids, CSRF tokens)."""
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Compare CSRF tokens in constant time; missing tokens never match."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


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
