"""What every route shares: the panel's state, who is asking (principal), the writer check
(CSRF + write rights) and running a write in a unit of work.

A route that shows anything depends on :func:`principal`; a route that changes anything depends
on :func:`writer`, which also reads the form. No route reads the session cookie itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from empower.db import Database

from . import compat
from . import models as m
from .resources import Resource
from .scope import Principal
from .security import csrf_matches
from .sessions import SessionStore
from .throttle import LoginThrottle

__all__ = [
    "COOKIE",
    "LOGIN_CSRF_COOKIE",
    "LoginRequired",
    "Panel",
    "panel_of",
    "principal",
    "read_form",
    "resource_for",
    "run_write",
    "safe_next",
    "writer",
]

COOKIE = "empower_session"
LOGIN_CSRF_COOKIE = "empower_login_csrf"


@dataclass
class Panel:
    """One panel application's state (``app.state.panel``)."""

    db: Database
    sessions: SessionStore
    resources: dict[str, Resource]
    clock: Callable[[], float]
    # Failed logins: the lockout of a user name and the throttle of an address.
    throttle: LoginThrottle
    # Searches by CIN or phone a viewer (masked values) may make per minute (then 429).
    masked_searches_per_minute: int = 20
    # Whether Tabler's files were found (pages link them only then; panel.css always).
    has_assets: bool = False
    # Reference data, read once at start-up (lifespan).
    province_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    provinces_by_region: dict[str, list[str]] = field(default_factory=dict)


class LoginRequired(Exception):
    """No live session: send the browser to the login page."""


def panel_of(request: Request) -> Panel:
    """The state of the application serving this request."""
    panel: Panel = request.app.state.panel
    return panel


async def principal(request: Request) -> Principal:
    """The logged-in user; raises :class:`LoginRequired` without a live session.

    A session ends when it is unknown or expired, when her account is deactivated, or when her
    ``session_generation`` moved on (password changed).
    """
    panel = panel_of(request)
    token = request.cookies.get(COOKIE)
    data = await panel.sessions.load(token)
    if data is None:
        compat.set_locale(request.headers.get("accept-language"))
        raise LoginRequired
    user = await m.User.filter(id=data.user_id).first().values(
        "id", "username", "role", "language", "is_active", "session_generation", "focal_point")
    if not user or not user["is_active"] or user["session_generation"] != data.generation:
        await panel.sessions.end(token)
        raise LoginRequired
    regions = tuple(data.regions)
    by_region = panel.provinces_by_region
    provinces = tuple(c for r in regions for c in by_region.get(r, ()))
    compat.set_locale(user["language"])
    p = Principal(id=user["id"], username=user["username"], role=user["role"],
                  language=user["language"], regions=regions, provinces=provinces,
                  csrf=data.csrf, token=token or "",
                  focal_point=bool(user["focal_point"]))
    request.state.principal = p
    return p


async def writer(request: Request,
                 p: Principal = Depends(principal)) -> tuple[Principal, FormData]:
    """A state-changing request: a logged-in user and a valid CSRF token (HTTP 403 without).

    Write rights are checked by each route (a viewer gets the 404 of a page she cannot use).
    """
    form = await read_form(request)
    given = form.get("csrf_token") or request.headers.get("x-csrf-token")
    if not csrf_matches(p.csrf, str(given) if given else None):
        raise HTTPException(403)
    return p, form


async def read_form(request: Request) -> FormData:
    """The submitted form; HTTP 422 (the panel's page) when its body is not UTF-8 text.

    Starlette reads what is not UTF-8 anyway, as Latin-1 (raw bytes) or as U+FFFD (a ``%FF``
    escape), so a value would change silently on its way to a service. Every form of the panel
    is text (there are no file uploads), so the whole body must decode, and so must every
    ``%``-escape of a URL-encoded one.
    """
    body = await request.body()
    try:
        text = body.decode("utf-8")
        if request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise HTTPException(422) from exc
    return await request.form()


def resource_for(request: Request, slug: str, p: Principal) -> Resource:
    """The resource named in the URL; HTTP 404 when unknown or not hers (admins only)."""
    spec = panel_of(request).resources.get(slug)
    if spec is None or (spec.admin_only and not p.is_admin):
        raise HTTPException(404)
    return spec


async def run_write(request: Request, fn: Callable[..., str], *args: Any) -> str:
    """``fn(uow, *args)`` in one unit of work, committed when it returns (off the event loop).

    Whatever ``fn`` raises (an :class:`EmpowerError` for a refusal) propagates, rolled back.
    """
    db = panel_of(request).db

    def work() -> str:
        with db.unit_of_work() as uow:
            out = fn(uow, *args)
            uow.commit()
            return out

    return await run_in_threadpool(work)


def safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"
