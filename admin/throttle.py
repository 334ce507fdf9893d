"""Failed logins: the lockout of a user name and the throttle of an address, in the session store.

The lockout is keyed by the user name *as typed* (folded), never by the account row, so a name
that exists and one that does not lock after the same failures and answer the same page: the
lockout says nothing about which accounts exist. It is also keyed by the client's address: a
stranger who types wrong passwords for ``amina`` locks ``amina`` for herself only, and Amina
still logs in from her own address. Each lock of the same pair lasts twice the one before, so a
patient guesser from one address gets a handful of tries a day; one guessing from many addresses
meets the per-address throttle. The counters live in the session store (Redis or the embedded
one), not in the database, so unknown names cost no row.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

__all__ = ["LoginThrottle"]

# Failures and locks of a name from an address are forgotten this long after the last one.
FORGET_SECONDS = 24 * 3600
# A lock that doubles each time stops growing at a day.
MAX_LOCK_SECONDS = 24 * 3600


class LoginThrottle:
    """Counts failed logins in a :class:`~empower.admin.sessions.Store`.

    ``lock_after`` failures in a row lock the name, for the address they came from, for
    ``lock_minutes`` (then twice as long each time); ``ip_limit`` failures
    from one address within ``ip_window`` seconds refuse that address until the window ends.
    Times come from ``clock`` (the panel's, settable in tests); the store's own expiry only
    clears what is no longer needed.
    """

    def __init__(self, store: Any, *, prefix: str, lock_after: int, lock_minutes: int,
                 ip_limit: int, ip_window: int, clock: Callable[[], float]) -> None:
        self.store = store
        self.prefix = prefix
        self.lock_after = lock_after
        self.lock_seconds = lock_minutes * 60
        self.ip_limit = ip_limit
        self.ip_window = ip_window
        self.clock = clock

    def _keys(self, name: str, address: str) -> tuple[str, str, str]:
        # A digest: bounded keys whatever was typed, and no user names in the store's key list.
        digest = hashlib.sha256(f"{name}\0{address}".encode("utf-8", "surrogatepass"))
        d = digest.hexdigest()[:40]
        return (f"{self.prefix}lockn:{d}", f"{self.prefix}locku:{d}",
                f"{self.prefix}lockk:{d}")

    async def locked_for(self, name: str, address: str) -> int:
        """Seconds (rounded up) before ``name`` may be tried again from ``address``; 0 when it
        is not locked there."""
        _n_key, u_key, _k_key = self._keys(name, address)
        until = float(await self.store.get(u_key) or 0)
        left = until - self.clock()
        return math.ceil(left) if left > 0 else 0

    async def fail(self, name: str, address: str) -> float | None:
        """Count a wrong password for ``name`` from ``address``; the time its lock ends when
        this failure locks the pair.

        The count restarts at each lock, and each lock of the pair within a day lasts twice the
        one before (``lock_minutes``, then twice, four times... at most a day).
        """
        n_key, u_key, k_key = self._keys(name, address)
        failures = int(await self.store.incr(n_key))
        await self.store.expire(n_key, FORGET_SECONDS)
        if failures < self.lock_after:
            return None
        locks = int(await self.store.incr(k_key))
        seconds = min(self.lock_seconds * 2 ** min(locks - 1, 32), MAX_LOCK_SECONDS)
        await self.store.expire(k_key, seconds + FORGET_SECONDS)
        until = self.clock() + seconds
        await self.store.delete(n_key)
        await self.store.set(u_key, repr(until), ex=seconds + FORGET_SECONDS)
        return until

    async def clear(self, name: str, address: str) -> None:
        """A successful login forgets the pair's failures and locks."""
        await self.store.delete(*self._keys(name, address))

    async def address_refused(self, address: str) -> bool:
        """Whether ``address`` has used up its failures for the current window."""
        raw = await self.store.get(f"{self.prefix}loginfail:{address}")
        return int(raw or 0) >= self.ip_limit

    async def count_address(self, address: str) -> int:
        """Count a failed login from ``address`` within its window."""
        key = f"{self.prefix}loginfail:{address}"
        n = int(await self.store.incr(key))
        if n == 1:
            await self.store.expire(key, self.ip_window)
        return n
