"""Panel sessions: in Redis when ``EMPOWER_REDIS_URL`` is set, in an embedded store otherwise.

The store also keeps the key login-form tokens are signed with (:meth:`SessionStore.signing_key`).

A session is a random token (the cookie) naming a small JSON record in the store: the user, her
``session_generation`` when she logged in, the CSRF token, and the start and last-seen times. The
idle timeout is the store's expiry (renewed on each request); the absolute timeout is checked
against the start time. Bumping ``users.session_generation`` (password change, deactivation)
ends every session of that user on her next request.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

__all__ = ["MemoryStore", "SessionData", "SessionStore", "Store", "open_store"]


class Store(Protocol):
    """The subset of the Redis API the panel uses (also what fastapi-admin expects)."""

    async def get(self, key: str) -> Any: ...
    async def set(self, key: str, value: str, ex: int | None = None,
                  nx: bool = False) -> Any: ...
    async def delete(self, *keys: str) -> Any: ...
    async def incr(self, key: str) -> int: ...
    async def expire(self, key: str, seconds: int) -> Any: ...


class MemoryStore:
    """An in-process store with expiry: the embedded default for one panel process."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._clock = clock

    def _alive(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= self._clock():
            self._data.pop(key, None)
            return None
        return item

    async def get(self, key: str) -> str | None:
        item = self._alive(key)
        return item[0] if item else None

    async def set(self, key: str, value: str, ex: int | None = None,
                  nx: bool = False) -> bool | None:
        if nx and self._alive(key) is not None:
            return None  # as Redis answers SET NX on an existing key
        self._data[key] = (value, self._clock() + ex if ex else None)
        return True

    async def delete(self, *keys: str) -> int:
        return sum(self._data.pop(k, None) is not None for k in keys)

    async def incr(self, key: str) -> int:
        item = self._alive(key)
        value = int(item[0]) + 1 if item else 1
        self._data[key] = (str(value), item[1] if item else None)
        return value

    async def expire(self, key: str, seconds: int) -> bool:
        item = self._alive(key)
        if item is None:
            return False
        self._data[key] = (item[0], self._clock() + seconds)
        return True

    async def aclose(self) -> None:
        self._data.clear()


def open_store(redis_url: str | None) -> Any:
    """Redis at ``redis_url``, or the embedded store when it is not set."""
    if redis_url:
        import redis.asyncio

        return redis.asyncio.from_url(redis_url, decode_responses=True)
    return MemoryStore()


@dataclass
class SessionData:
    user_id: int
    generation: int
    csrf: str
    started: float
    seen: float
    # Her region codes when she logged in. A change of regions must bump
    # ``users.session_generation`` (as password changes do) so sessions pick it up.
    regions: list[str] = field(default_factory=list)


class SessionStore:
    """Sessions on top of a :class:`Store`, with idle and absolute timeouts."""

    def __init__(self, store: Any, *, prefix: str = "empower:", idle_seconds: int = 1800,
                 absolute_seconds: int = 8 * 3600, clock: Any = time.time) -> None:
        self.store = store
        self.prefix = prefix
        self.idle = idle_seconds
        self.absolute = absolute_seconds
        self.clock = clock

    def _key(self, token: str) -> str:
        return f"{self.prefix}session:{token}"

    async def create(self, token: str, data: SessionData) -> None:
        await self.store.set(self._key(token), json.dumps(asdict(data)), ex=self.idle)

    async def load(self, token: str | None) -> SessionData | None:
        """The live session for a cookie, or None (unknown, idle too long, or too old)."""
        if not token or len(token) > 100:
            return None
        raw = await self.store.get(self._key(token))
        if raw is None:
            return None
        data = SessionData(**json.loads(raw))
        now = self.clock()
        if now - data.seen > self.idle or now - data.started > self.absolute:
            await self.end(token)
            return None
        # Renew the idle window at most once a minute: one write, not one per request.
        if now - data.seen > 60:
            data.seen = now
            await self.store.set(self._key(token), json.dumps(asdict(data)), ex=self.idle)
        return data

    async def end(self, token: str | None) -> None:
        if token:
            await self.store.delete(self._key(token))

    async def signing_key(self) -> str:
        """The panel's key for signing login-form tokens, made at first use and kept in the
        store, so every worker (sharing Redis) signs and checks with the same one.

        Read at each use, not cached: if the store lost it, the first worker to notice makes a
        new one (SET NX, so two workers cannot each keep their own) and every form still open
        is simply reloaded once.
        """
        key = f"{self.prefix}login-signing-key"
        value = await self.store.get(key)
        if value is None:
            await self.store.set(key, secrets.token_urlsafe(32), nx=True)
            value = await self.store.get(key)
        return str(value)
