"""Users of the panel (admins only): creating one, role and regions, password, (de)activation.

These writes are :mod:`empower.admin.accounts` (audited), not core services; the list and the
user's page are the generic ones of :mod:`empower.admin.routes.records`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from empower.errors import EmpowerError

from .. import accounts, compat
from ..deps import COOKIE, panel_of, principal, resource_for, writer
from ..forms import kept_values
from ..rendering import error_detail, error_message, render
from ..resources import users
from ..scope import Principal
from .auth import check_current_password
from .records import can_create, choices_for, detail_context, fetch

__all__ = ["router"]

router = APIRouter()

TITLE = users.resource.create.title if users.resource.create else ""


def _regions(text: str) -> list[str]:
    return [c for c in text.replace(" ", ",").split(",") if c]


@router.get("/users/new", response_class=HTMLResponse)
async def create_view(request: Request, p: Principal = Depends(principal)) -> Response:
    spec = resource_for(request, "users", p)
    if not can_create(spec, p):
        raise HTTPException(404)
    return render(request, "form.html", {
        "p": p, "spec": spec, "fields": users.FIELDS,
        "values": kept_values(dict(request.query_params)),
        "choices": await choices_for(users.FIELDS, p), "action": "/users/new", "title": TITLE})


@router.post("/users/new", response_class=HTMLResponse)
async def create(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    spec = resource_for(request, "users", p)
    if not can_create(spec, p):
        raise HTTPException(404)
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    db = panel_of(request).db
    try:
        user_id = await run_in_threadpool(
            lambda: accounts.create_user(
                db, values.get("username", ""), values.get("password", ""),
                role=values.get("role", ""), regions=_regions(values.get("regions", "")),
                language=compat.normalize_locale(values.get("language")), actor=p.actor))
    except EmpowerError as exc:
        values.pop("password", None)
        return render(request, "form.html", {
            "p": p, "spec": spec, "fields": users.FIELDS, "values": kept_values(values),
            "choices": await choices_for(users.FIELDS, p), "action": "/users/new",
            "error": error_message(exc), "error_detail": error_detail(exc),
            "error_field": exc.field, "title": TITLE}, status_code=422)
    return RedirectResponse(f"/users/{user_id}", 303)


# ``:int``: ``/users/bulk/...`` and the like fall through to the generic routes, as for any slug.
@router.post("/users/{record_id:int}/{action}", response_class=HTMLResponse)
async def user_action(request: Request, record_id: int, action: str,
                      pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    spec = resource_for(request, "users", p)
    row = await fetch(spec, p, record_id)
    db = panel_of(request).db
    try:
        if action in ("deactivate", "activate"):
            await run_in_threadpool(accounts.set_active, db, record_id,
                                    action == "activate", actor=p.actor)
        elif action in ("set-focal-point", "unset-focal-point"):
            # The confidential channel's role (grievances), on top of her role.
            await run_in_threadpool(accounts.set_focal_point, db, record_id,
                                    action == "set-focal-point", actor=p.actor)
        elif action == "update":
            regions = _regions(str(form.get("regions") or ""))
            await run_in_threadpool(lambda: accounts.update_user(
                db, record_id, role=str(form.get("role") or ""), regions=regions,
                actor=p.actor))
        elif action == "password":
            if record_id == p.id:
                # Her own password: the same proof as on her password page (a session left
                # open must not be enough to take over the account), counted as a login.
                refused = await check_current_password(request, p,
                                                       str(form.get("old_password") or ""))
                if refused:
                    ctx = await detail_context(request, spec, p, row)
                    ctx.update(error=refused[0], error_detail="", error_action=action)
                    return render(request, "detail.html", ctx, status_code=refused[1])
            await run_in_threadpool(accounts.change_password, db, record_id,
                                    str(form.get("password") or ""), actor=p.actor)
        else:
            raise HTTPException(404)
    except EmpowerError as exc:
        ctx = await detail_context(request, spec, p, row)
        ctx.update(error=error_message(exc), error_detail=error_detail(exc),
                   error_action=action)
        return render(request, "detail.html", ctx, status_code=422)
    if action == "password" and record_id == p.id:
        # Her sessions ended with the new password; this one too.
        await panel_of(request).sessions.end(p.token)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/")
        return response
    return RedirectResponse(f"/users/{record_id}", 303)
