"""One regression test per fastapi-admin 1.0.4 defect fixed in ``empower.admin.compat``.

Each test exercises the stock fastapi-admin code path that broke; it fails if the fix is removed.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from contextlib import asynccontextmanager
from datetime import date

import pytest
from empower.admin import compat
from empower.admin import models as m
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request


def _request() -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "raw_path": b"/",
                    "query_string": b"", "headers": [], "app": None})


def test_defect1_fastapi_admin_imports_with_aioredis_aliased():
    # Without the alias, aioredis 2.0.1 fails at import on Python 3.11 (proved in a subprocess).
    bare = subprocess.run([sys.executable, "-c", "import fastapi_admin.app"],
                          capture_output=True, text=True)
    assert bare.returncode != 0 and "TimeoutError" in bare.stderr
    fixed = subprocess.run(
        [sys.executable, "-c", "from empower.admin import compat; compat.install(); "
                               "import fastapi_admin.app, fastapi_admin.providers.login"],
        capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stderr


def test_defect2_old_template_response_call_form_renders():
    from fastapi_admin.exceptions import not_found_error_exception

    # fastapi-admin's own handler uses TemplateResponse(name, status_code=..., context=...).
    response = asyncio.run(not_found_error_exception(_request(), type("E", (), {
        "status_code": 404})()))
    assert response.status_code == 404
    assert b"<html" in response.body


def test_defect3_date_range_filter_hands_plain_dates_to_sqlite(tmp_path, sqlite_template):
    import shutil

    from fastapi_admin.widgets.filters import Date

    path = tmp_path / "f.db"
    shutil.copy(sqlite_template, path)

    async def run() -> int:
        async with compat.tortoise_lifespan(f"sqlite://{path}", {"models": ["empower.admin.models"]}):
            flt = Date(name="birth_date", label="Birth date")
            qs = await flt.get_queryset(_request(), "1980-01-01 - 1999-12-31", m.Beneficiary.all())
            return await qs.count()

    assert asyncio.run(run()) == 0


def test_defect4_catalogs_compiled_in_memory():
    from fastapi_admin import i18n

    # fastapi-admin's own API: raw keys came back before the catalogs were compiled.
    i18n.set_locale("fr_FR")
    assert i18n._("prev_page") == "Prec"
    assert i18n._("login_failed") != "login_failed"
    with compat.locale_scope("fr"):
        assert compat.gettext("prev_page") != "prev_page"
        assert compat.gettext("Beneficiaries") == "Bénéficiaires"
    with compat.locale_scope("ar"):
        assert compat.gettext("Beneficiaries") == "المستفيدات"
    with compat.locale_scope("en"):
        assert compat.gettext("prev_page") == "Prev"


def test_defect5_concurrent_requests_keep_their_own_language():
    from fastapi_admin import i18n
    from fastapi_admin.template import templates

    tpl = templates.env.from_string("{{ _('Beneficiaries') }}")

    async def one(locale: str) -> tuple[str, str]:
        i18n.set_locale(locale)  # what fastapi-admin's middleware calls per request
        await asyncio.sleep(0.001)
        return locale, tpl.render()

    async def many() -> list[tuple[str, str]]:
        return await asyncio.gather(*(asyncio.create_task(one("fr_FR" if i % 2 else "en_US"))
                                      for i in range(60)))

    expected = {"fr_FR": "Bénéficiaires", "en_US": "Beneficiaries"}
    wrong = [(loc, out) for loc, out in asyncio.run(many()) if out != expected[loc]]
    assert wrong == []


def test_defect6_request_tasks_see_the_tortoise_context(tmp_path, sqlite_template):
    import shutil

    path = tmp_path / "t.db"
    shutil.copy(sqlite_template, path)

    @asynccontextmanager
    async def lifespan(app):
        async with compat.tortoise_lifespan(f"sqlite://{path}",
                                            {"models": ["empower.admin.models"]}):
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/regions")
    async def regions() -> dict:
        return {"n": await m.Region.all().count()}

    with TestClient(app) as client:
        assert client.get("/regions").json() == {"n": 12}


def test_stored_xss_template_less_display_is_escaped():
    from fastapi_admin.widgets.displays import Display

    out = asyncio.run(Display().render(_request(), "<script>alert(1)</script>"))
    assert "<script>" not in str(out)
    assert "&lt;script&gt;" in str(out)


@pytest.mark.parametrize("value", [date(2024, 1, 2)])
def test_plain_dates_are_rebuilt(value):
    import pendulum

    assert type(compat._plain(pendulum.date(2024, 1, 2), date_only=True)) is date
    assert type(compat._plain(pendulum.datetime(2024, 1, 2, 3), date_only=False)).__name__ == \
        "datetime"
