"""The panel application: fastapi-admin's app class, hardened, with the project's own routes.

fastapi-admin's stock routes (generic create/update/delete through Tortoise, an open ``/init``
page, unauthenticated custom routes) are not mounted: the panel keeps its application class,
resource registry, Jinja environment, widgets and catalogs, and serves its own routes in which
every read is scoped to the user's regions and every write is a core service call.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from html import escape as html_escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi_admin.app import FastAPIAdmin
from fastapi_admin.template import templates
from markupsafe import Markup
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool

import empower
from empower.config import Settings
from empower.errors import (
    Conflict,
    EmpowerError,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from empower.models import utcnow
from empower.panel_queries import dashboard_counts

from . import accounts, compat, forms
from . import models as m
from .formatting import fmt_date, fmt_datetime, fmt_mad, fmt_number, label
from .messages import translate_error
from .resources import LINK_TARGETS, RESOURCES, ResourceSpec, register_menu
from .scope import Principal
from .security import (
    csrf_matches,
    mask_cin,
    mask_phone,
    new_token,
    security_headers,
    verify_password,
)
from .sessions import SessionData, SessionStore, open_store

__all__ = ["create_app", "tortoise_url"]

log = logging.getLogger("empower.admin")
COOKIE = "empower_session"
LOGIN_CSRF_COOKIE = "empower_login_csrf"
PAGE_SIZE = 25
COUNT_CAP = 10_000
IP_FAILURE_LIMIT = 20
IP_FAILURE_WINDOW = 15 * 60
TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates.env.loader.searchpath.insert(0, str(TEMPLATES_DIR))
# Templates ship with the package: no need to stat them on every render.
templates.env.auto_reload = False
templates.env.globals.update(fmt_date=fmt_date, fmt_datetime=fmt_datetime, fmt_mad=fmt_mad,
                             fmt_number=fmt_number, label=label)


# Display names of the records a page links to (filled per request by ``load_names``).
_NAMES: ContextVar[dict[tuple[str, int], str] | None] = ContextVar("empower_names", default=None)
_NAME_SOURCES = {
    "beneficiary_id": ("beneficiaries", ("first_name", "last_name", "first_name_ar",
                                         "last_name_ar")),
    "other_beneficiary_id": ("beneficiaries", ("first_name", "last_name", "first_name_ar",
                                               "last_name_ar")),
    "cooperative_id": ("cooperatives", ("name", "name_ar", "reference")),
    "program_id": ("programs", ("code",)),
    "partner_id": ("partners", ("name",)),
    "grant_id": ("grants", ("reference",)),
}
_NAME_MODELS = {"beneficiaries": m.Beneficiary, "cooperatives": m.Cooperative,
                "programs": m.Program, "partners": m.Partner, "grants": m.Grant}


async def load_names(rows: list[dict[str, Any]]) -> None:
    """Look up, with one query per kind, the names shown instead of bare ids in links."""
    names = _NAMES.get()
    if names is None:
        names = {}
        _NAMES.set(names)
    wanted: dict[str, set[int]] = {}
    for row in rows:
        for key, (kind, _cols) in _NAME_SOURCES.items():
            v = row.get(key)
            if isinstance(v, int) and (kind, v) not in names:
                wanted.setdefault(kind, set()).add(v)
    for kind, ids in wanted.items():
        cols = next(c for k, c in _NAME_SOURCES.values() if k == kind)
        for r in await _NAME_MODELS[kind].filter(id__in=list(ids)).values("id", *cols):
            if kind == "beneficiaries":  # her Latin name, else her Arabic name
                parts = [" ".join(r[c] for c in cols[:2] if r.get(c)),
                         " ".join(r[c] for c in cols[2:] if r.get(c))]
            else:
                parts = [r[c] for c in cols if r.get(c)]
            names[(kind, r["id"])] = next((t for t in parts if t), f"#{r['id']}")


@lru_cache(maxsize=2048)
def options_html(options: tuple[tuple[str, str], ...], selected: str) -> Markup:
    """``<option>`` tags of a filter, cached: the same lists render on every list page."""
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            v, Markup(" selected") if v == selected else "", text) for v, text in options)


def table_body(slug: str, rows: list[dict[str, Any]], cells: list[list[Any]], *,
               detail: bool, bulk: list[str]) -> Markup:
    """The ``<tr>`` rows of a list page, every value escaped.

    Built in Python rather than in Jinja: a page has hundreds of cells and this is the hottest
    part of the most-used page (about half the time of rendering it in the template).
    """
    out = []
    checkboxes = "".join(
        f'<input class="form-check-input m-0" type="checkbox" name="ids" value="{{id}}" '
        f'form="bulk-{html_escape(name)}" aria-label="#{{id}}">' for name in bulk)
    for row, values in zip(rows, cells, strict=True):
        rid = html_escape(str(row["id"]))
        parts = ["<tr>"]
        if bulk:
            parts.append("<td>" + checkboxes.replace("{id}", rid) + "</td>")
        for i, value in enumerate(values):
            # Markup (a link cell) is already safe; anything else is escaped here.
            text = str(value) if isinstance(value, Markup) else html_escape(str(value))
            if i == 0 and detail:
                text = f'<a href="/{html_escape(slug)}/{rid}">{text}</a>'
            parts.append(f'<td class="empower-cell">{text}</td>')
        parts.append("</tr>")
        out.append("".join(parts))
    return Markup("\n".join(out))  # noqa: S704 - every piece was escaped above


async def capped_count(qs: Any, cap: int) -> int:
    """``min(count, cap + 1)`` of a queryset, stopping the scan at ``cap + 1`` rows.

    ``SELECT COUNT(*) FROM (SELECT id ... LIMIT cap+1)``: Tortoise has no derived-table count,
    and its ``id IN (subquery LIMIT n)`` form looks every row up twice (about 5x slower on
    SQLite at 100,000 rows). The statement is Tortoise's own, parameters included.
    """
    inner = qs.limit(cap + 1).values("id")
    inner._choose_db_if_not_chosen()
    inner._make_query()
    sql, params = inner.query.get_parameterized_sql()
    # The inner statement is Tortoise's own with bound parameters: nothing typed is spliced in.
    counting = f"SELECT COUNT(*) AS n FROM ({sql}) capped"  # noqa: S608
    rows = await inner._db.execute_query_dict(counting, params)
    return int(rows[0]["n"])


class LoginRequired(Exception):
    """No live session: send the browser to the login page."""


def tortoise_url(sqlalchemy_url: str) -> str:
    """The Tortoise spelling of a SQLAlchemy URL (SQLite file or PostgreSQL via psycopg)."""
    url = make_url(sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite://{url.database or ':memory:'}"
    if url.get_backend_name() == "postgresql":
        auth = url.username or ""
        if url.password:
            auth += f":{url.password}"
        host = url.host or "127.0.0.1"
        return f"psycopg://{auth}@{host}:{url.port or 5432}/{url.database}"
    raise InvalidInput(f"database_url: the panel does not support {url.get_backend_name()}")


def assets_dir() -> Path | None:
    """Where Tabler's files are: ``$EMPOWER_ASSETS_DIR``, the copy a wheel carries (``setup.py``
    puts it in ``assets/tabler``), or the checkout's ``node_modules`` that ``npm ci`` filled."""
    import os

    packaged = Path(__file__).resolve().parent / "assets" / "tabler"
    if not os.environ.get("EMPOWER_ASSETS_DIR") and (packaged / "css" / "tabler.min.css").is_file():
        return packaged
    candidates = [os.environ.get("EMPOWER_ASSETS_DIR"),
                  str(Path(__file__).resolve().parent.parent / "node_modules"),
                  str(Path.cwd() / "node_modules")]
    for c in candidates:
        if c and (Path(c) / "@tabler" / "core" / "dist").is_dir():
            return Path(c) / "@tabler" / "core" / "dist"
    return None


def _safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _error_message(exc: EmpowerError) -> str:
    title = {
        NotFound: "Not found", Conflict: "Already recorded", InvalidInput: "Invalid value",
        RuleViolation: "Refused by a program rule",
    }
    for cls, text in title.items():
        if isinstance(exc, cls):
            return compat.gettext(text)
    return compat.gettext("Refused")


def create_app(settings: Settings | None = None, *, database_url: str | None = None,
               redis_url: str | None = None, store: Any = None, idle_seconds: int = 30 * 60,
               absolute_seconds: int = 8 * 3600, clock: Callable[[], float] = time.time,
               redis_prefix: str = "empower:") -> FastAPIAdmin:
    """Build the panel for one database (SQLite or PostgreSQL) and session store."""
    compat.install()
    settings = settings or Settings()
    db_url = database_url or settings.database_url
    db = empower.connect(db_url, rules=settings.rules())
    store = store if store is not None else open_store(redis_url or settings.redis_url)
    sessions = SessionStore(store, prefix=redis_prefix, idle_seconds=idle_seconds,
                            absolute_seconds=absolute_seconds, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPIAdmin) -> AsyncIterator[None]:
        async with compat.tortoise_lifespan(tortoise_url(db_url),
                                            {"models": ["empower.admin.models"]}):
            rows = await m.Province.all().values("code", "region_code", "name_fr", "name_ar")
            app.state.province_names = {r["code"]: (r["name_fr"], r["name_ar"]) for r in rows}
            app.state.provinces_by_region = {}
            for r in rows:
                app.state.provinces_by_region.setdefault(r["region_code"], []).append(r["code"])
            yield
        db.dispose()

    app = FastAPIAdmin(title="empower", lifespan=lifespan, docs_url=None, redoc_url=None,
                       openapi_url=None)
    # The class keeps its registry in class attributes: give each app its own.
    app.resources = []
    app.model_resources = {}
    app.redis = store
    app.admin_path = ""
    app.logo_url = ""
    app.language_switch = True
    app.state.db = db
    app.state.sessions = sessions
    register_menu(app)

    assets = assets_dir()
    if assets is not None:
        app.mount("/assets/tabler", StaticFiles(directory=assets), name="tabler")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # -- plumbing ---------------------------------------------------------------------------------
    inner_asgi = app.build_middleware_stack

    def build_middleware_stack() -> Any:
        inner = inner_asgi()

        async def with_headers(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            https = scope.get("scheme") == "https"
            extra = [(k.lower().encode(), v.encode())
                     for k, v in security_headers(https=https).items()]

            async def send_with_headers(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = list(message["headers"]) + extra
                    if not scope["path"].startswith(("/assets/", "/static/")):
                        message["headers"].append((b"cache-control", b"no-store"))
                await send(message)

            await inner(scope, receive, send_with_headers)

        return with_headers

    app.build_middleware_stack = build_middleware_stack

    def render(request: Request, name: str, context: dict[str, Any],
               status_code: int = 200) -> HTMLResponse:
        p: Principal | None = context.get("p")
        locale = compat.current_locale()
        menu = [(slug, spec.label) for slug, spec in RESOURCES.items()
                if p is not None and (p.is_admin or not spec.admin_only)]
        base = {"request": request, "locale": locale, "rtl": locale == "ar", "menu": menu,
                "csrf": p.csrf if p else context.get("csrf", ""), "p": p,
                "has_assets": assets is not None}
        base.update(context)
        return templates.TemplateResponse(request, name, base, status_code=status_code)

    async def run_write(fn: Callable[..., str], *args: Any) -> str:
        def work() -> str:
            with db.unit_of_work() as uow:
                out = fn(uow, *args)
                uow.commit()
                return out

        return await run_in_threadpool(work)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.method == "GET":
            response = RedirectResponse("/login?" + urlencode({"next": request.url.path}), 303)
        else:
            response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        status = exc.status_code
        return render(request, "error.html", {"status": status, "p": getattr(
            request.state, "principal", None)}, status_code=status)

    @app.exception_handler(404)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"status": 404, "p": getattr(
            request.state, "principal", None)}, status_code=404)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return render(request, "error.html", {"status": 500, "p": None}, status_code=500)

    # -- authentication -------------------------------------------------------------------------
    async def principal(request: Request) -> Principal:
        token = request.cookies.get(COOKIE)
        data = await sessions.load(token)
        if data is None:
            compat.set_locale(request.headers.get("accept-language"))
            raise LoginRequired
        user = await m.User.filter(id=data.user_id).first().values(
            "id", "username", "role", "language", "is_active", "session_generation")
        if not user or not user["is_active"] or user["session_generation"] != data.generation:
            await sessions.end(token)
            raise LoginRequired
        regions = tuple(data.regions)
        by_region = app.state.provinces_by_region
        provinces = tuple(c for r in regions for c in by_region.get(r, ()))
        compat.set_locale(user["language"])
        p = Principal(id=user["id"], username=user["username"], role=user["role"],
                      language=user["language"], regions=regions, provinces=provinces,
                      csrf=data.csrf, token=token or "")
        request.state.principal = p
        return p

    async def writer(request: Request, p: Principal = Depends(principal)) -> tuple[Principal, Any]:
        """A state-changing request: a logged-in user, a valid CSRF token, write rights."""
        form = await request.form()
        given = form.get("csrf_token") or request.headers.get("x-csrf-token")
        if not csrf_matches(p.csrf, str(given) if given else None):
            raise HTTPException(403)
        return p, form

    def spec_for(slug: str, p: Principal) -> ResourceSpec:
        spec = RESOURCES.get(slug)
        if spec is None or (spec.admin_only and not p.is_admin):
            raise HTTPException(404)
        return spec

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=404)

    @app.get("/login", response_class=HTMLResponse)
    async def login_view(request: Request, next: str = "/", lang: str | None = None) -> Response:
        compat.set_locale(lang or request.cookies.get("empower_lang")
                          or request.headers.get("accept-language"))
        if await sessions.load(request.cookies.get(COOKIE)) is not None:
            return RedirectResponse("/", 303)
        # Keep the token a tab already holds: a second load (another tab, the favicon's
        # redirect) must not invalidate the form on screen.
        existing = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
        token = existing if 30 <= len(existing) <= 60 and existing.isascii() else new_token()
        response = render(request, "login.html", {"csrf": token, "next": _safe_next(next)})
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/login", max_age=3600)
        return response

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        compat.set_locale(request.cookies.get("empower_lang")
                          or request.headers.get("accept-language"))
        username = str(form.get("username") or "").strip()[:60]
        password = str(form.get("password") or "")
        nxt = _safe_next(str(form.get("next") or "/"))
        login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE)

        def refuse(message: str, status: int) -> Response:
            token = new_token()
            response = render(request, "login.html", {"csrf": token, "error": message,
                                                      "username": username, "next": nxt},
                              status_code=status)
            response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/login",
                                max_age=3600)
            return response

        if not csrf_matches(login_csrf, str(form.get("csrf_token") or "")):
            return refuse(compat.gettext("Your form expired; please try again."), 403)
        ip = request.client.host if request.client else "unknown"
        if await sessions.failures(ip) >= IP_FAILURE_LIMIT:
            return refuse(compat.gettext("Too many attempts; try again in 15 minutes."), 429)
        user = await m.User.filter(username=username).first().values(
            "id", "password_hash", "is_active", "locked_until", "session_generation")
        ok = await run_in_threadpool(verify_password, password,
                                     user["password_hash"] if user else None)
        now = utcnow()
        if user and user["locked_until"] and user["locked_until"] > now:
            await sessions.count_failure(ip, IP_FAILURE_WINDOW)
            return refuse(compat.gettext(
                "This account is locked after repeated failures; try again later."), 423)
        if not user or not ok or not user["is_active"]:
            await sessions.count_failure(ip, IP_FAILURE_WINDOW)
            if user and not ok:
                locked = await run_in_threadpool(accounts.record_failed_login, db, user["id"])
                if locked:
                    return refuse(compat.gettext(
                        "This account is locked after repeated failures; try again later."), 423)
            return refuse(compat.gettext("Wrong user name or password."), 401)
        await run_in_threadpool(accounts.record_login, db, user["id"])
        token = new_token()
        now_ts = clock()
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

    @app.post("/logout")
    async def logout(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        await sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/password", response_class=HTMLResponse)
    async def password_view(request: Request, p: Principal = Depends(principal)) -> Response:
        return render(request, "password.html", {"p": p})

    @app.post("/password", response_class=HTMLResponse)
    async def password(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        p, form = pf
        user = await m.User.filter(id=p.id).first().values("password_hash")
        old_ok = await run_in_threadpool(verify_password, str(form.get("old_password") or ""),
                                         user["password_hash"] if user else None)
        new = str(form.get("new_password") or "")
        error = None
        if not old_ok:
            error = compat.gettext("The current password is wrong.")
        elif new != str(form.get("confirm_password") or ""):
            error = compat.gettext("The two new passwords differ.")
        else:
            try:
                await run_in_threadpool(accounts.change_password, db, p.id, new, actor=p.actor)
            except EmpowerError as exc:
                error = f"{_error_message(exc)}: {translate_error(exc.message)}"
        if error:
            return render(request, "password.html", {"p": p, "error": error}, status_code=400)
        # Every session of hers ended with the generation bump; this one too.
        await sessions.end(p.token)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.post("/language")
    async def language(request: Request, pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        p, form = pf
        code = compat.normalize_locale(str(form.get("language") or ""))
        await run_in_threadpool(accounts.set_language, db, p.id, code)
        response = RedirectResponse(_safe_next(str(form.get("next") or "/")), 303)
        response.set_cookie("empower_lang", code, samesite="lax", path="/",
                            secure=request.url.scheme == "https", httponly=True)
        return response

    # -- home -------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request, p: Principal = Depends(principal)) -> Response:
        def counts() -> dict[str, int]:
            with db.unit_of_work(readonly=True) as uow:
                return dashboard_counts(uow, regions=p.region_scope, today=utcnow().date())

        return render(request, "home.html", {"p": p, "counts": await run_in_threadpool(counts)})

    # -- lists --------------------------------------------------------------------------------------
    async def filtered(spec: ResourceSpec, p: Principal,
                       params: Any) -> tuple[Any, str, dict[str, str]]:
        qs = spec.query(p)
        q = str(params.get("q") or "")[:100]
        if q and spec.search:
            qs = spec.search(qs, q)
        values: dict[str, str] = {}
        for f in spec.filters:
            v = str(params.get(f.name, f.default) or "")[:40]
            values[f.name] = v
            if v:
                qs = f.apply(qs, v, p)
        return qs, q, values

    def cell(spec: ResourceSpec, col: Any, row: dict[str, Any], p: Principal) -> Any:
        v = row.get(col.key)
        if col.kind == "cin":
            return mask_cin(v) if p.masked else (v or "")
        if col.kind == "phone":
            return mask_phone(v) if p.masked else (v or "")
        if col.kind == "date":
            return fmt_date(v)
        if col.kind == "datetime":
            return fmt_datetime(v)
        if col.kind == "mad":
            return fmt_mad(v)
        if col.kind in ("label", "bool"):
            return label(v)
        if col.kind == "province" and v:
            names = app.state.province_names.get(v)
            if names:
                return f"{names[1] if compat.current_locale() == 'ar' else names[0]} ({v})"
        if col.kind == "json":
            return json.dumps(v, ensure_ascii=False) if v else ""
        if col.kind == "link" and v is not None:
            kind = _NAME_SOURCES.get(col.key, ("", ()))[0]
            text = (_NAMES.get() or {}).get((kind, v), f"#{v}")
            target = LINK_TARGETS.get(col.key)
            if target:
                return Markup('<a href="/{}/{}">{}</a>').format(target, v, text)
            return text
        return "" if v is None else v

    @app.get("/{slug}", response_class=HTMLResponse)
    async def list_view(request: Request, slug: str, p: Principal = Depends(principal)) -> Response:
        spec = spec_for(slug, p)
        params = request.query_params
        qs, q, values = await filtered(spec, p, params)
        keys = spec.column_keys()
        sort = str(params.get("sort") or "-id")
        if sort.lstrip("-") not in keys or not next(
                c for c in spec.columns if c.key == sort.lstrip("-")).sortable:
            sort = "-id"
        try:
            page = max(1, min(int(params.get("page") or 1), 100_000))
        except ValueError:
            page = 1
        ordered = qs.order_by(sort, "-id") if sort.lstrip("-") != "id" else qs.order_by(sort)
        # One row more than a page tells whether there is a next page without counting.
        rows = await ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).values(*keys)
        has_next = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        await load_names(rows)
        if not has_next:
            total: int | None = (page - 1) * PAGE_SIZE + len(rows)
        elif q:
            # A free-text search cannot use an index: counting its matches would scan the whole
            # table on every page view, so only the page is fetched.
            total = None
        else:
            total = await capped_count(qs, COUNT_CAP)
        filters = []
        for f in spec.filters:
            options = f.options(p)
            if hasattr(options, "__await__"):
                options = await options
            selected = values.get(f.name, "")
            filters.append((f, options_html(tuple(options), selected), selected))
        query = {k: v for k, v in {"q": q, **values, "sort": sort}.items() if v}
        # Column headers link to the same selection sorted by that column (again: reversed).
        headers = []
        for c in spec.columns:
            link = None
            if c.sortable:
                link = f"/{slug}?" + urlencode({**query, "sort": c.key if sort != c.key
                                                else f"-{c.key}"})
            mark = " ▲" if sort == c.key else " ▼" if sort == f"-{c.key}" else ""
            headers.append((c.label, link, mark))
        return render(request, "list.html", {
            "p": p, "spec": spec, "slug": slug, "rows": rows,
            "body": table_body(slug, rows, [[cell(spec, c, r, p) for c in spec.columns]
                                            for r in rows], detail=spec.has_detail,
                               bulk=[a.name for a in forms.BULK_ACTIONS.get(slug, [])]
                               if p.can_write else []),
            "q": q, "filters": filters, "sort": sort, "page": page, "total": total,
            "headers": headers,
            "capped": total is not None and total > COUNT_CAP, "count_cap": COUNT_CAP,
            "has_next": has_next, "page_size": PAGE_SIZE,
            "query": query, "qs_encode": urlencode,
            "can_create": spec.slug in forms.CREATE_FORMS or spec.slug == "users",
            "bulk_actions": forms.BULK_ACTIONS.get(slug, []) if p.can_write else [],
        })

    # -- export -------------------------------------------------------------------------------------
    @app.get("/{slug}/export.{fmt}")
    async def export(request: Request, slug: str, fmt: str,
                     p: Principal = Depends(principal)) -> Response:
        from .export import csv_rows, xlsx_bytes

        spec = spec_for(slug, p)
        if fmt not in ("csv", "xlsx"):
            raise HTTPException(404)
        qs, _q, _values = await filtered(spec, p, request.query_params)
        keys = [c.key for c in spec.all_columns]
        rows = await qs.order_by("id").limit(200_000).values(*keys)
        for r in rows:
            for c in spec.all_columns:
                if c.kind == "cin" and p.masked:
                    r[c.key] = mask_cin(r[c.key])
                elif c.kind == "phone" and p.masked:
                    r[c.key] = mask_phone(r[c.key])
                elif c.kind == "json" and r[c.key] is not None:
                    r[c.key] = json.dumps(r[c.key], ensure_ascii=False)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        name = f"{slug}-{stamp}.{fmt}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            buf = io.StringIO()
            writer_ = csv.writer(buf)
            for line in csv_rows(keys, rows):
                writer_.writerow(line)
            data = ("\ufeff" + buf.getvalue()).encode()
            return Response(data, media_type="text/csv; charset=utf-8", headers=headers)
        data = await run_in_threadpool(xlsx_bytes, slug, keys, rows)
        return StreamingResponse(iter([data]), headers=headers, media_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))

    # -- create -------------------------------------------------------------------------------------
    def can_create(spec: ResourceSpec, p: Principal) -> bool:
        return p.can_write and p.role in spec.create_roles

    async def choices_for(fields_: list[forms.Field], p: Principal) -> dict[str, list[Any]]:
        from .resources import program_options, province_options, region_options

        out: dict[str, list[Any]] = {}
        for f in fields_:
            if f.kind != "select":
                continue
            if f.choices == "provinces":
                out[f.name] = await province_options(p)
            elif f.choices == "regions":
                out[f.name] = await region_options(p)
            elif f.choices == "programs":
                out[f.name] = await program_options(p)
            elif isinstance(f.choices, list):
                out[f.name] = f.choices
            else:
                out[f.name] = [(v.value, label(v.value)) for v in f.choices]
        return out

    @app.get("/{slug}/new", response_class=HTMLResponse)
    async def create_view(request: Request, slug: str,
                          p: Principal = Depends(principal)) -> Response:
        spec = spec_for(slug, p)
        fields_ = forms.USER_FIELDS if slug == "users" else (
            forms.CREATE_FORMS[slug].fields if slug in forms.CREATE_FORMS else None)
        if fields_ is None or not can_create(spec, p):
            raise HTTPException(404)
        return render(request, "form.html", {
            "p": p, "spec": spec, "fields": fields_, "values": dict(request.query_params),
            "choices": await choices_for(fields_, p), "action": f"/{slug}/new",
            "title": forms.CREATE_FORMS[slug].title if slug in forms.CREATE_FORMS else
            "Create a user"})

    @app.post("/{slug}/new", response_class=HTMLResponse)
    async def create(request: Request, slug: str,
                     pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        p, form = pf
        spec = spec_for(slug, p)
        if not can_create(spec, p) or (slug not in forms.CREATE_FORMS and slug != "users"):
            raise HTTPException(404)
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        fields_ = forms.USER_FIELDS if slug == "users" else forms.CREATE_FORMS[slug].fields
        try:
            if slug == "users":
                regions = [c for c in values.get("regions", "").replace(" ", ",").split(",") if c]
                user_id = await run_in_threadpool(
                    lambda: accounts.create_user(
                        db, values.get("username", ""), values.get("password", ""),
                        role=values.get("role", ""), regions=regions,
                        language=compat.normalize_locale(values.get("language")),
                        actor=p.actor))
                url = f"/users/{user_id}"
            else:
                url = await run_write(forms.CREATE_FORMS[slug].handler, values, p)
        except EmpowerError as exc:
            values.pop("password", None)
            return render(request, "form.html", {
                "p": p, "spec": spec, "fields": fields_, "values": values,
                "choices": await choices_for(fields_, p), "action": f"/{slug}/new",
                "error": _error_message(exc), "error_detail": translate_error(exc.message),
                "error_field": exc.field,
                "title": forms.CREATE_FORMS[slug].title if slug in forms.CREATE_FORMS else
                "Create a user"}, status_code=422)
        return RedirectResponse(url, 303)

    # -- detail, edit, actions ---------------------------------------------------------------------
    async def fetch(spec: ResourceSpec, p: Principal, record_id: int) -> dict[str, Any]:
        row = await spec.query(p).filter(id=record_id).first().values()
        if row is None:
            raise HTTPException(404)
        return row

    async def detail_context(spec: ResourceSpec, p: Principal, row: dict[str, Any]) -> dict[str, Any]:
        from .detail import related

        await load_names([row])
        ctx: dict[str, Any] = {"p": p, "spec": spec, "slug": spec.slug, "row": row,
                               "fields": [(c.label, cell(spec, c, row, p)) for c in spec.all_columns],
                               "actions": [], "audit": []}
        if p.can_write:
            for action in forms.ACTIONS.get(spec.slug, []):
                if action.when(row):
                    ctx["actions"].append((action, await choices_for(action.fields, p)))
        ctx.update(await related(spec.slug, row, p, cell_fn=cell, prepare=load_names))
        ctx["can_edit"] = p.can_write and spec.slug in forms.EDIT_FORMS
        return ctx

    @app.get("/{slug}/{record_id}", response_class=HTMLResponse)
    async def detail(request: Request, slug: str, record_id: int,
                     p: Principal = Depends(principal)) -> Response:
        spec = spec_for(slug, p)
        if not spec.has_detail:
            raise HTTPException(404)
        row = await fetch(spec, p, record_id)
        return render(request, "detail.html", await detail_context(spec, p, row))

    @app.get("/{slug}/{record_id}/edit", response_class=HTMLResponse)
    async def edit_view(request: Request, slug: str, record_id: int,
                        p: Principal = Depends(principal)) -> Response:
        spec = spec_for(slug, p)
        if slug not in forms.EDIT_FORMS or not p.can_write:
            raise HTTPException(404)
        row = await fetch(spec, p, record_id)
        fields_ = forms.EDIT_FORMS[slug][0]
        values = {f.name: ("" if row.get(f.name) is None else
                           ("true" if row[f.name] is True else "false" if row[f.name] is False
                            else str(row[f.name]))) for f in fields_}
        return render(request, "form.html", {
            "p": p, "spec": spec, "fields": fields_, "values": values,
            "choices": await choices_for(fields_, p), "action": f"/{slug}/{record_id}/edit",
            "title": "Edit"})

    @app.post("/{slug}/{record_id}/edit", response_class=HTMLResponse)
    async def edit(request: Request, slug: str, record_id: int,
                   pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        p, form = pf
        spec = spec_for(slug, p)
        if slug not in forms.EDIT_FORMS or not p.can_write:
            raise HTTPException(404)
        await fetch(spec, p, record_id)
        fields_, handler = forms.EDIT_FORMS[slug]
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        try:
            url = await run_write(handler, record_id, values, p)
        except EmpowerError as exc:
            return render(request, "form.html", {
                "p": p, "spec": spec, "fields": fields_, "values": values,
                "choices": await choices_for(fields_, p),
                "action": f"/{slug}/{record_id}/edit", "title": "Edit",
                "error": _error_message(exc), "error_detail": translate_error(exc.message),
                "error_field": exc.field}, status_code=422)
        return RedirectResponse(url, 303)

    @app.post("/{slug}/bulk/{action}", response_class=HTMLResponse)
    async def bulk(request: Request, slug: str, action: str,
                   pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        """Run one action on the selected rows, all or nothing, each through its service."""
        p, form = pf
        spec = spec_for(slug, p)
        found = next((a for a in forms.BULK_ACTIONS.get(slug, []) if a.name == action), None)
        if found is None or not p.can_write:
            raise HTTPException(404)
        try:
            ids = sorted({int(x) for x in form.getlist("ids")})
        except ValueError as exc:
            raise HTTPException(404) from exc
        values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "ids")}
        if not ids or len(ids) > forms.BULK_LIMIT:
            return render(request, "bulk.html", {"p": p, "spec": spec, "done": 0,
                                                 "error": compat.gettext("Select 1 to 500 rows.")},
                          status_code=422)
        # Every id must be inside her scope; one that is not makes the whole request a 404.
        if await spec.query(p).filter(id__in=ids).count() != len(ids):
            raise HTTPException(404)

        def run_all(uow: Any) -> str:
            for record_id in ids:
                try:
                    found.handler(uow, record_id, values, p)
                except EmpowerError as exc:
                    exc.message = f"#{record_id}: {exc.message}"
                    raise
            return ""

        try:
            await run_write(run_all)
        except EmpowerError as exc:
            return render(request, "bulk.html", {
                "p": p, "spec": spec, "done": 0, "error": _error_message(exc),
                "error_detail": translate_error(exc.message)}, status_code=422)
        return render(request, "bulk.html", {"p": p, "spec": spec, "done": len(ids),
                                             "action": found})

    @app.post("/users/{record_id}/{action}", response_class=HTMLResponse)
    async def user_action(request: Request, record_id: int, action: str,
                          pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        p, form = pf
        spec = spec_for("users", p)
        row = await fetch(spec, p, record_id)
        try:
            if action in ("deactivate", "activate"):
                await run_in_threadpool(accounts.set_active, db, record_id,
                                        action == "activate", actor=p.actor)
            elif action == "update":
                regions = [c for c in str(form.get("regions") or "").replace(" ", ",").split(",")
                           if c]
                await run_in_threadpool(lambda: accounts.update_user(
                    db, record_id, role=str(form.get("role") or ""), regions=regions,
                    actor=p.actor))
            elif action == "password":
                await run_in_threadpool(accounts.change_password, db, record_id,
                                        str(form.get("password") or ""), actor=p.actor)
            else:
                raise HTTPException(404)
        except EmpowerError as exc:
            ctx = await detail_context(spec, p, row)
            ctx.update(error=_error_message(exc), error_detail=translate_error(exc.message),
                       error_action=action)
            return render(request, "detail.html", ctx, status_code=422)
        return RedirectResponse(f"/users/{record_id}", 303)

    @app.post("/{slug}/{record_id}/{action}", response_class=HTMLResponse)
    async def act(request: Request, slug: str, record_id: int, action: str,
                  pf: tuple[Principal, Any] = Depends(writer)) -> Response:
        p, form = pf
        spec = spec_for(slug, p)
        found = next((a for a in forms.ACTIONS.get(slug, []) if a.name == action), None)
        if found is None or not p.can_write:
            raise HTTPException(404)
        row = await fetch(spec, p, record_id)
        values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        try:
            url = await run_write(found.handler, record_id, values, p)
        except EmpowerError as exc:
            ctx = await detail_context(spec, p, row)
            ctx.update(error=_error_message(exc), error_detail=translate_error(exc.message),
                       error_action=action, values=values)
            return render(request, "detail.html", ctx, status_code=422)
        return RedirectResponse(url, 303)

    return app
