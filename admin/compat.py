"""Compatibility and hardening layer for fastapi-admin 1.0.4 on today's stack.

fastapi-admin stopped at 1.0.4 (2022) and does not run on Python 3.11, starlette 1.x and
tortoise-orm 1.x as released. The project owns this small layer instead of a fork. Every fix names
the defect it closes (numbers from ``docs/fastapi-admin.md``) and has a regression test in
``tests/admin/test_compat.py`` that fails without it.

Call :func:`install` before anything imports ``fastapi_admin`` (``empower.admin`` does it first).
"""

from __future__ import annotations

import io
import sys
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

__all__ = [
    "LOCALES",
    "current_locale",
    "gettext",
    "install",
    "locale_scope",
    "set_locale",
    "translations_for",
]

# The panel's languages, as stored in ``users.language``; French is the default.
LOCALES = ("fr", "ar", "en")
DEFAULT_LOCALE = "fr"
_FASTAPI_ADMIN_CATALOG = {"fr": "fr_FR", "en": "en_US"}
_PROJECT_LOCALE_DIR = Path(__file__).parent / "locale"

_installed = False
_catalogs: dict[str, NullTranslations] = {}
# Defect 5: the active language lives in a context variable (one per request task), never in a
# module global shared by every concurrent request.
_locale: ContextVar[str] = ContextVar("empower_admin_locale", default=DEFAULT_LOCALE)


# -- defect 1: aioredis 2.0.1 cannot be imported on Python >= 3.11 ----------------------------
def _alias_aioredis() -> None:
    """Make ``import aioredis`` resolve to ``redis.asyncio``.

    Defect 1: ``aioredis`` 2.0.1 fails at import on Python 3.11 ("duplicate base class
    TimeoutError"); fastapi-admin imports it (``app.py``, ``providers/login.py``) only for the
    ``Redis`` type and ``get``/``set(ex=)``/``delete``, which ``redis.asyncio`` provides unchanged.
    """
    import redis.asyncio

    sys.modules["aioredis"] = redis.asyncio


# -- defect 2: starlette 1.0 removed TemplateResponse(name, context) ---------------------------
def _fix_template_response() -> None:
    """Accept the old ``TemplateResponse(name, context)`` call form on the shared templates.

    Defect 2: starlette 1.0 only accepts ``TemplateResponse(request, name, context)``; fastapi-admin
    calls the old form about twenty times, so every stock page raised ``TypeError``.
    """
    from fastapi_admin import template

    templates = template.templates
    original = type(templates).TemplateResponse

    def template_response(*args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], str):
            name = args[0]
            context = kwargs.pop("context", None) or (args[1] if len(args) > 1 else {})
            request = context.get("request")
            return original(templates, request, name, context, *args[2:], **kwargs)
        return original(templates, *args, **kwargs)

    templates.TemplateResponse = template_response


# -- defect 3: pendulum objects reach the database driver --------------------------------------
def _plain(value: Any, *, date_only: bool) -> Any:
    if isinstance(value, datetime):
        # pendulum.DateTime is a datetime subclass the drivers refuse: rebuild a plain naive UTC one.
        if value.tzinfo is not None:
            from datetime import UTC

            value = value.astimezone(UTC).replace(tzinfo=None)
        plain = datetime(value.year, value.month, value.day, value.hour, value.minute,
                         value.second, value.microsecond)
        return plain.date() if date_only else plain
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value


def _fix_date_filters() -> None:
    """Hand plain ``date``/``datetime`` objects to the driver in date range filters.

    Defect 3: ``filters.Datetime.parse_value`` returns pendulum objects; sqlite3 raises
    ``ProgrammingError: type 'DateTime' is not supported`` when the filter runs.
    """
    from fastapi_admin.widgets import filters

    async def get_queryset(self: Any, request: Any, value: Any, qs: Any) -> Any:
        parsed = await self.parse_value(request, value)
        if parsed is None:
            return qs
        date_only = bool(self.context.get("date"))
        start, end = (_plain(v, date_only=date_only) for v in parsed)
        return qs.filter(**{self.context.get("name"): (start, end)})

    filters.Datetime.get_queryset = get_queryset


# -- defect 4: the wheel ships .po files only --------------------------------------------------
def _compile_po(path: Path, locale: str) -> Translations:
    """Compile one ``.po`` catalog in memory (no ``.mo`` file is shipped or written)."""
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def _load_catalogs() -> None:
    """Build one catalog per panel language: the project's own, then fastapi-admin's keys.

    Defect 4: fastapi-admin's ``i18n.py`` loads ``.mo`` files the wheel does not contain, so the UI
    showed raw keys ("prev_page"). The project's catalogs (``admin/locale``) take precedence.
    """
    from fastapi_admin.constants import BASE_DIR

    for locale in LOCALES:
        project_po = _PROJECT_LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
        trans = _compile_po(project_po, locale) if project_po.exists() else Translations()
        upstream = _FASTAPI_ADMIN_CATALOG.get(locale)
        if upstream:
            po = Path(BASE_DIR) / "locales" / upstream / "LC_MESSAGES" / "messages.po"
            if po.exists():
                # merge() lets the later catalog win, so add ours on top of upstream's.
                base = _compile_po(po, upstream)
                base.merge(trans)
                trans = base
        _catalogs[locale] = trans


def translations_for(locale: str) -> NullTranslations:
    """The compiled catalog of a panel language (French for unknown codes)."""
    if not _catalogs:
        _load_catalogs()
    return _catalogs.get(locale) or _catalogs[DEFAULT_LOCALE]


# -- defect 5: one module-global locale for all concurrent requests ----------------------------
def normalize_locale(value: str | None) -> str:
    """``fr_FR``/``ar-MA``/``EN`` -> ``fr``/``ar``/``en``; anything else -> the default."""
    if not value:
        return DEFAULT_LOCALE
    code = value.replace("-", "_").split("_")[0].lower()
    return code if code in LOCALES else DEFAULT_LOCALE


def set_locale(locale: str | None) -> str:
    """Set the language of the current request task only; returns the normalised code."""
    code = normalize_locale(locale)
    _locale.set(code)
    return code


def current_locale() -> str:
    """The language of the current request task."""
    return _locale.get()


class locale_scope:  # noqa: N801 - used like a function: ``with locale_scope("ar"):``
    """Run a block in one language and restore the previous one after."""

    def __init__(self, locale: str | None) -> None:
        self.locale = normalize_locale(locale)

    def __enter__(self) -> str:
        self._token = _locale.set(self.locale)
        return self.locale

    def __exit__(self, *exc: object) -> None:
        _locale.reset(self._token)


def gettext(message: str) -> str:
    """Translate into the current task's language (looked up at call time, never cached)."""
    return translations_for(_locale.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations_for(_locale.get()).ungettext(singular, plural, n)


def _fix_locale_global() -> None:
    """Replace fastapi-admin's global locale by the context variable.

    Defect 5: ``i18n.set_locale`` re-installs a module-global catalog into the shared Jinja
    environment per request, so concurrent requests rendered in each other's language. The Jinja
    environment now gets lazy callables that read the context variable at render time.
    """
    from fastapi_admin import i18n, resources, template
    from fastapi_admin.providers import login

    def _set(locale: str) -> None:
        set_locale(locale)

    i18n.set_locale = _set
    i18n._ = gettext
    # These modules bound ``_`` at import: point them at the lazy one too.
    resources._ = gettext
    login._ = gettext
    template.templates.env.install_gettext_callables(
        gettext, ngettext, newstyle=False)


# -- defect 6: Tortoise 1.x context is invisible to request tasks ------------------------------
def tortoise_lifespan(db_url: str, modules: dict[str, Any]) -> Any:
    """A lifespan context manager that opens Tortoise for every request task.

    Defect 6: Tortoise 1.x keeps its state in a context variable; a plain ``Tortoise.init()`` in
    the lifespan is invisible to request tasks under uvicorn ("No TortoiseContext is currently
    active"). ``RegisterTortoise`` enables the global fallback that request tasks read.
    """
    from tortoise.contrib.fastapi import RegisterTortoise

    return RegisterTortoise(db_url=db_url, modules=modules, generate_schemas=False,
                            use_tz=False, timezone="UTC", _enable_global_fallback=True)


# -- hardening: stored XSS in list cells -------------------------------------------------------
def _fix_unescaped_displays() -> None:
    """Escape the output of template-less widgets.

    Stored XSS: ``Widget.render`` returns the raw value when a display has no template and
    ``list.html`` prints cells with ``|safe``, so a ``<script>`` in a name ran in officers'
    browsers. Values are now escaped into ``Markup`` (template output is already autoescaped).
    """
    from fastapi_admin.widgets import Widget

    async def render(self: Any, request: Any, value: Any) -> Markup:
        if value is None:
            value = ""
        if not self.template:
            return escape(value)
        return Markup(self.templates.get_template(self.template).render(  # noqa: S704
            value=value, **self.context))

    Widget.render = render


def install() -> None:
    """Apply every fix once; safe to call again."""
    global _installed
    if _installed:
        return
    _alias_aioredis()
    _fix_template_response()
    _fix_date_filters()
    _load_catalogs()
    _fix_locale_global()
    _fix_unescaped_displays()
    _installed = True
