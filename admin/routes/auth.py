"""Logging in and out, her password, her language.

Login: a double-submit CSRF cookie signed by the panel, the same refusal for an unknown user and
a wrong password, a user name locked for the client address after repeated failures (longer
each time), whether an account has it or not, and a limit of failures per address
(:mod:`empower.admin.throttle`). A new random session token at every login.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from empower.errors import EmpowerError

from .. import accounts, compat
from .. import models as m
from ..deps import (
    COOKIE,
    LOGIN_CSRF_COOKIE,
    Panel,
    panel_of,
    principal,
    read_form,
    safe_next,
    writer,
)
from ..rendering import error_detail, error_message, render
from ..scope import Principal
from ..security import (
    LOGIN_TOKEN_SECONDS,
    csrf_matches,
    fold_username,
    login_token_valid,
    new_token,
    sign_login_token,
    verify_password,
)
from ..sessions import SessionData

__all__ = ["check_current_password", "router"]

router = APIRouter()


def _locked_message(seconds: float) -> str:
    return compat.gettext(
        "Too many failed attempts with this user name; try again in %(minutes)s minutes.") % {
            "minutes": max(1, math.ceil(seconds / 60))}


def _throttled_message(panel: Panel) -> str:
    return compat.gettext("Too many attempts; try again in %(minutes)s minutes.") % {
        "minutes": panel.throttle.ip_window // 60}


def _failed_at(until: float | None) -> datetime | None:
    return None if until is None else datetime.fromtimestamp(until, UTC).replace(tzinfo=None)


async def _account(name: str) -> dict[str, Any] | None:
    """The account a folded login name names: stored folded, or (made before names were
    folded) the one account whose name differs only in case; None when none, or two, do."""
    rows = await m.User.filter(username__iexact=name).order_by("id").limit(2).values(
        "id", "username", "password_hash", "is_active", "session_generation")
    exact = [r for r in rows if r["username"] == name]
    return exact[0] if exact else rows[0] if len(rows) == 1 else None


async def check_current_password(request: Request, p: Principal,
                                 given: str) -> tuple[str, int] | None:
    """None when ``given`` is her password; else the refusal to show and its HTTP status.

    A wrong current password is a failed login (someone holding her session must not guess her
    password at leisure): it counts for her name and this address, locks like the login page
    (423), and an address over its limit is refused (429) without a check.
    """
    panel = panel_of(request)
    throttle = panel.throttle
    ip = request.client.host if request.client else "unknown"
    name = fold_username(p.username)
    if await throttle.address_refused(ip):
        return _throttled_message(panel), 429
    left = await throttle.locked_for(name, ip)
    if left:
        await throttle.count_address(ip)
        return _locked_message(left), 423
    user = await m.User.filter(id=p.id).first().values("password_hash")
    if await run_in_threadpool(verify_password, given, user["password_hash"] if user else None):
        await throttle.clear(name, ip)
        return None
    await throttle.count_address(ip)
    until = await throttle.fail(name, ip)
    await run_in_threadpool(lambda: accounts.record_failed_login(
        panel.db, p.id, locked_until=_failed_at(until)))
    if until is not None:
        return _locked_message(until - panel.clock()), 423
    return compat.gettext("The current password is wrong."), 400


@router.get("/favicon.ico")
async def favicon() -> Response:
    return Response(status_code=404)


@router.get("/login", response_class=HTMLResponse)
async def login_view(request: Request, next: str = "/", lang: str | None = None) -> Response:
    compat.set_locale(lang or request.cookies.get("empower_lang")
                      or request.headers.get("accept-language"))
    if await panel_of(request).sessions.load(request.cookies.get(COOKIE)) is not None:
        return RedirectResponse("/", 303)
    # Keep the token a tab already holds: a second load (another tab, the favicon's
    # redirect) must not invalidate the form on screen.
    # Only a token this panel signed: never one a cookie planted from elsewhere carries.
    key = await panel_of(request).sessions.signing_key()
    existing = request.cookies.get(LOGIN_CSRF_COOKIE)
    token = existing if existing and login_token_valid(key, existing) else sign_login_token(key)
    response = render(request, "login.html", {"csrf": token, "next": safe_next(next)})
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login",
                        max_age=LOGIN_TOKEN_SECONDS)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    panel = panel_of(request)
    sessions = panel.sessions
    form = await read_form(request)
    compat.set_locale(request.cookies.get("empower_lang")
                      or request.headers.get("accept-language"))
    username = str(form.get("username") or "")[:200].strip()
    password = str(form.get("password") or "")
    nxt = safe_next(str(form.get("next") or "/"))
    login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE)
    background = BackgroundTasks()

    key = await sessions.signing_key()

    def refuse(message: str, status: int) -> Response:
        token = sign_login_token(key)
        response = render(request, "login.html", {"csrf": token, "error": message,
                                                  "username": username, "next": nxt},
                          status_code=status)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/login",
                            max_age=LOGIN_TOKEN_SECONDS)
        response.background = background
        return response

    def locked(seconds: float) -> Response:
        return refuse(_locked_message(seconds), 423)

    # The double-submit cookie and the form agree, and the token is one this panel signed.
    if not (csrf_matches(login_csrf, str(form.get("csrf_token") or ""))
            and login_token_valid(key, login_csrf)):
        return refuse(compat.gettext("Your form expired; please try again."), 403)
    throttle = panel.throttle
    ip = request.client.host if request.client else "unknown"
    if await throttle.address_refused(ip):
        return refuse(_throttled_message(panel), 429)
    # The lockout is the name's as typed, whether an account has it or not: the same
    # answer either way, and no password is checked while it lasts. It holds for this
    # address only: a stranger cannot lock her out of her own office.
    name = fold_username(username)
    left = await throttle.locked_for(name, ip)
    if left:
        await throttle.count_address(ip)
        return locked(left)
    user = await _account(name)
    # The dummy hash when no account has the name: the same work either way.
    ok = await run_in_threadpool(verify_password, password,
                                 user["password_hash"] if user else None)
    if not user or not ok or not user["is_active"]:
        await throttle.count_address(ip)
        until = await throttle.fail(name, ip)
        if user:
            # After the answer: a known name must not take longer to refuse than an unknown.
            background.add_task(accounts.record_failed_login, panel.db, user["id"],
                                locked_until=_failed_at(until))
        if until is not None:
            return locked(until - panel.clock())
        return refuse(compat.gettext("Wrong user name or password."), 401)
    await throttle.clear(name, ip)
    await run_in_threadpool(accounts.record_login, panel.db, user["id"])
    token = new_token()
    now_ts = panel.clock()
    regions = sorted(str(r) for r in await m.UserRegion.filter(
        user_id=user["id"]).values_list("region_code", flat=True))
    await sessions.create(token, SessionData(user_id=user["id"], regions=regions,
                                             generation=user["session_generation"],
                                             csrf=new_token(), started=now_ts, seen=now_ts))
    response = RedirectResponse(nxt, 303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    await panel_of(request).sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
async def password_view(request: Request, p: Principal = Depends(principal)) -> Response:
    return render(request, "password.html", {"p": p})


@router.post("/password", response_class=HTMLResponse)
async def password(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    panel = panel_of(request)
    new = str(form.get("new_password") or "")
    error, status = None, 400
    refused = await check_current_password(request, p, str(form.get("old_password") or ""))
    if refused:
        error, status = refused
    elif new != str(form.get("confirm_password") or ""):
        error = compat.gettext("The two new passwords differ.")
    else:
        try:
            await run_in_threadpool(accounts.change_password, panel.db, p.id, new,
                                    actor=p.actor)
        except EmpowerError as exc:
            error = f"{error_message(exc)}: {error_detail(exc)}"
    if error:
        return render(request, "password.html", {"p": p, "error": error}, status_code=status)
    # Every session of hers ended with the generation bump; this one too.
    await panel.sessions.end(p.token)
    response = RedirectResponse("/login", 303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
async def language(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    code = compat.normalize_locale(str(form.get("language") or ""))
    await run_in_threadpool(accounts.set_language, panel_of(request).db, p.id, code)
    response = RedirectResponse(safe_next(str(form.get("next") or "/")), 303)
    response.set_cookie("empower_lang", code, samesite="lax", path="/",
                        secure=request.url.scheme == "https", httponly=True)
    return response
