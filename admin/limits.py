"""Per-user rate limits, counted in the session store (memory or Redis) like failed logins.

A limit counts events of one kind for one user in a window that starts at the first of them and
lasts ``window`` seconds (the store's expiry): one ``INCR`` and, on the first event, one
``EXPIRE``. Every panel process sharing the Redis store shares the count.
"""

from __future__ import annotations

from .sessions import SessionStore

__all__ = ["over_limit"]


async def over_limit(sessions: SessionStore, kind: str, who: str | int, limit: int,
                     window: int = 60) -> bool:
    """Count one ``kind`` event for ``who``; whether it is beyond ``limit`` in the window."""
    key = f"{sessions.prefix}limit:{kind}:{who}"
    n = int(await sessions.store.incr(key))
    if n == 1:
        await sessions.store.expire(key, window)
    return n > limit
