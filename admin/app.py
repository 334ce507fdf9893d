"""The panel application: fastapi-admin's app class, hardened, with the project's own routes.

fastapi-admin's stock routes (generic create/update/delete through Tortoise, an open ``/init``
page, unauthenticated custom routes) are not mounted: the panel keeps its application class,
resource registry, Jinja environment, widgets and catalogs, and serves its own routers
(:mod:`empower.admin.routes`), in which every read is scoped to the user's regions and every
write is a core service call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_admin.app import FastAPIAdmin
from sqlalchemy.engine import make_url

import empower
from empower.config import Settings
from empower.errors import InvalidInput

from . import compat
from . import models as m
from .deps import COOKIE, LoginRequired, Panel, principal
from .middleware import ProxyHeadersMiddleware, SecurityHeadersMiddleware
from .rendering import render
from .resources import RESOURCES, Resource, register_menu, registry
from .routes import ROUTERS
from .sessions import SessionStore, open_store
from .throttle import LoginThrottle

__all__ = ["PanelApp", "assets_dir", "create_app", "tortoise_url"]

log = logging.getLogger("empower.admin")
STATIC_DIR = Path(__file__).parent / "static"


class PanelApp(FastAPIAdmin):
    """fastapi-admin's application with the proxy's headers and security headers outermost."""

    #: The reverse proxies whose ``X-Forwarded-For`` is believed (``EMPOWER_TRUSTED_PROXIES``).
    trusted_proxies: tuple[Any, ...] = ()

    def build_middleware_stack(self) -> Any:
        # Around Starlette's error middleware too: the 500 page carries the headers as well.
        return ProxyHeadersMiddleware(SecurityHeadersMiddleware(super().build_middleware_stack()),
                                      self.trusted_proxies)


def tortoise_url(sqlalchemy_url: str) -> str:
    """The Tortoise spelling of a SQLAlchemy URL (SQLite file or PostgreSQL via psycopg).

    Raises :class:`InvalidInput` for any other database.
    """
    url = make_url(sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite://{url.database or ':memory:'}"
    if url.get_backend_name() == "postgresql":
        auth = url.username or ""
        if url.password:
            auth += f":{url.password}"
        host = url.host or "127.0.0.1"
        return f"psycopg://{auth}@{host}:{url.port or 5432}/{url.database}"
    raise InvalidInput(f"database_url: the panel does not support {url.get_backend_name()}",
                       code="panel.unsupported_database",
                       params={"backend": url.get_backend_name()}, field="database_url")


def assets_dir(configured: Path | str | None = None) -> Path | None:
    """Where Tabler's files are: ``configured`` (``EMPOWER_ASSETS_DIR``), else the copy a wheel
    carries (``setup.py`` puts it in ``assets/tabler``), else a ``node_modules`` that ``npm ci``
    filled beside the package or in the working directory; None when none has it."""
    packaged = Path(__file__).resolve().parent / "assets" / "tabler"
    if configured is None and (packaged / "css" / "tabler.min.css").is_file():
        return packaged
    candidates = [configured, Path(__file__).resolve().parent.parent / "node_modules",
                  Path.cwd() / "node_modules"]
    for c in candidates:
        if c and (Path(c) / "@tabler" / "core" / "dist").is_dir():
            return Path(c) / "@tabler" / "core" / "dist"
    return None


def _install_error_pages(app: FastAPIAdmin) -> None:
    """Every error is a page of the panel in her language (never a traceback)."""

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

    @app.exception_handler(RequestValidationError)
    async def _unreadable(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's default is a JSON list of pydantic errors (echoing the input): the panel
        # answers its own 422 page instead, in her language when she is logged in (a route's
        # parameters may fail before its principal dependency has run).
        p = getattr(request.state, "principal", None)
        if p is None:
            try:
                p = await principal(request)
            except LoginRequired:
                p = None
        return render(request, "error.html", {"status": 422, "p": p}, status_code=422)

    @app.exception_handler(404)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return render(request, "error.html", {"status": 404, "p": getattr(
            request.state, "principal", None)}, status_code=404)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return render(request, "error.html", {"status": 500, "p": None}, status_code=500)


def create_app(settings: Settings | None = None, *, database_url: str | None = None,
               redis_url: str | None = None, store: Any = None, idle_seconds: int | None = None,
               absolute_seconds: int | None = None, clock: Callable[[], float] = time.time,
               redis_prefix: str = "empower:",
               resources: Iterable[Resource] | None = None) -> FastAPIAdmin:
    """Build the panel for one database (SQLite or PostgreSQL) and session store.

    ``resources`` (default: every registered one, :data:`empower.admin.resources.RESOURCES`)
    are the lists and records it serves, in menu order. ``idle_seconds`` and
    ``absolute_seconds`` override the settings' session timeouts (tests).
    """
    compat.install()
    settings = settings or Settings()
    db_url = database_url or settings.database_url
    db = empower.connect(db_url, rules=settings.rules())
    store = store if store is not None else open_store(redis_url or settings.redis_url)
    panel = Panel(
        db=db,
        sessions=SessionStore(
            store, prefix=redis_prefix, clock=clock,
            idle_seconds=idle_seconds or settings.session_idle_minutes * 60,
            absolute_seconds=absolute_seconds or settings.session_max_hours * 3600),
        resources=registry(resources) if resources is not None else RESOURCES,
        clock=clock,
        throttle=LoginThrottle(store, prefix=redis_prefix, clock=clock,
                               lock_after=settings.lockout_failures,
                               lock_minutes=settings.lockout_minutes,
                               ip_limit=settings.login_ip_failures,
                               ip_window=settings.login_ip_window_minutes * 60),
        masked_searches_per_minute=settings.masked_searches_per_minute,
        partner_late_days=settings.partner_late_days)

    @asynccontextmanager
    async def lifespan(app: FastAPIAdmin) -> AsyncIterator[None]:
        async with compat.tortoise_lifespan(tortoise_url(db_url),
                                            {"models": ["empower.admin.models"]}):
            rows = await m.Province.all().values("code", "region_code", "name_fr", "name_ar")
            panel.province_names = {r["code"]: (r["name_fr"], r["name_ar"]) for r in rows}
            for r in rows:
                panel.provinces_by_region.setdefault(r["region_code"], []).append(r["code"])
            yield
        db.dispose()

    app = PanelApp(title="empower", lifespan=lifespan, docs_url=None, redoc_url=None,
                   openapi_url=None)
    # The class keeps its registry in class attributes: give each app its own.
    app.resources = []
    app.model_resources = {}
    app.redis = store
    app.admin_path = ""
    app.logo_url = ""
    app.language_switch = True
    app.state.panel = panel
    app.trusted_proxies = settings.trusted_networks()
    register_menu(app, panel.resources)

    assets = assets_dir(settings.assets_dir)
    panel.has_assets = assets is not None
    if assets is not None:
        app.mount("/assets/tabler", StaticFiles(directory=assets), name="tabler")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_pages(app)
    for router in ROUTERS:
        app.include_router(router)
    return app
