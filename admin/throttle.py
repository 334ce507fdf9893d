"""Failed logins: the lockout of a user name and the throttle of an address, in the session store.

The lockout is keyed by the user name *as typed* (folded), never by the account row, so a name
that exists and one that does not lock after the same failures and answer the same page: the
lockout says nothing about which accounts exist. The counters live in the session store (Redis
or the embedded one), not in the database, so unknown names cost no row.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

__all__ = ["LoginThrottle"]

# Failures of a name are forgotten this long after the last one.
FORGET_SECONDS = 24 * 3600


class LoginThrottle:
    """Counts failed logins in a :class:`~empower.admin.sessions.Store`.

    ``lock_after`` failures in a row lock the name for ``lock_minutes``; ``ip_limit`` failures
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

    def _keys(self, name: str) -> tuple[str, str]:
        # A digest: bounded keys whatever was typed, and no user names in the store's key list.
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:40]
        return f"{self.prefix}lockn:{digest}", f"{self.prefix}locku:{digest}"

    async def locked_for(self, name: str) -> int:
        """Seconds (rounded up) before ``name`` may try again; 0 when it is not locked."""
        _n_key, u_key = self._keys(name)
        until = float(await self.store.get(u_key) or 0)
        left = until - self.clock()
        return math.ceil(left) if left > 0 else 0

    async def fail(self, name: str) -> float | None:
        """Count a wrong password for ``name``; the time its lock ends when this one locks it.

        The count restarts at each lock: the next ``lock_after`` failures lock it again.
        """
        n_key, u_key = self._keys(name)
        failures = int(await self.store.incr(n_key))
        await self.store.expire(n_key, FORGET_SECONDS)
        if failures < self.lock_after:
            return None
        until = self.clock() + self.lock_seconds
        await self.store.delete(n_key)
        await self.store.set(u_key, repr(until), ex=self.lock_seconds + FORGET_SECONDS)
        return until

    async def clear(self, name: str) -> None:
        """A successful login forgets the name's failures."""
        await self.store.delete(*self._keys(name))

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
