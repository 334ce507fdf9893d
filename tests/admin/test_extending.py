"""Adding a resource is one module and one registration line; every module is registered."""

from __future__ import annotations

import csv
import io
import pkgutil
import uuid
from datetime import datetime

import pytest
from empower.admin import create_app
from empower.admin import resources as registered
from empower.admin.resources import RESOURCES, registry
from empower.admin.sessions import MemoryStore
from fastapi.testclient import TestClient

from empower.models import ReportSnapshot
from tests.admin import snapshot_resource
from tests.admin.conftest import PASSWORD, UserClient, csrf_of


@pytest.fixture
def extended(db_url, db, seed, clock):
    with db.unit_of_work() as uow:
        for month, scope, by in [("2024-01", "all", "cli:alice"), ("2024-02", "region=04", "cli:bob")]:
            uow.session.add(ReportSnapshot(month=month, scope=scope, frozen_by=by,
                                           checksum=uuid.uuid4().hex, figures={"n": 1},
                                           frozen_at=datetime(2024, 3, 1, 9, 0)))
        uow.commit()
    app = create_app(database_url=db_url, store=MemoryStore(), clock=clock,
                     resources=[*RESOURCES.values(), snapshot_resource.resource])
    with TestClient(app) as client:
        def login(username):
            user = UserClient(client)
            page = user.get("/login")
            assert user.post("/login", data={"username": username, "password": PASSWORD,
                                             "csrf_token": csrf_of(page.text)}).status_code == 303
            return user

        yield login


def test_a_registered_resource_gets_list_search_filter_export_and_menu(extended):
    admin = extended("admin")
    page = admin.get("/snapshots")
    assert page.status_code == 200
    assert 'href="/snapshots"' in page.text  # in the menu
    assert "cli:alice" in page.text and "cli:bob" in page.text
    searched = admin.get("/snapshots?q=bob").text
    assert "cli:bob" in searched and "cli:alice" not in searched
    filtered = admin.get("/snapshots?month=2024-01").text
    assert "cli:alice" in filtered and "cli:bob" not in filtered
    sorted_page = admin.get("/snapshots?sort=month").text
    assert sorted_page.index("cli:alice") < sorted_page.index("cli:bob")
    export = admin.get("/snapshots/export.csv?month=2024-02")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["id", "month", "scope", "frozen_at", "frozen_by", "checksum"]
    assert [r[1:3] for r in rows[1:]] == [["2024-02", "region=04"]]
    # Read only: no create form, no record page.
    assert admin.get("/snapshots/new").status_code == 404
    assert admin.get("/snapshots/1").status_code == 404


def test_its_roles_hold_like_any_other(extended):
    amina = extended("amina")
    assert amina.get("/snapshots").status_code == 404
    assert amina.get("/snapshots/export.csv").status_code == 404
    assert 'href="/snapshots"' not in amina.get("/").text
    assert amina.get("/beneficiaries").status_code == 200


def test_the_default_panel_does_not_serve_it(client):
    admin = UserClient(client)
    page = admin.get("/login")
    admin.post("/login", data={"username": "admin", "password": PASSWORD,
                               "csrf_token": csrf_of(page.text)})
    assert admin.get("/snapshots").status_code == 404


def test_every_resource_module_is_registered_once():
    modules = {name for _f, name, _pkg in pkgutil.iter_modules(registered.__path__)
               if name not in ("base", "filters")}
    defined = {name: getattr(__import__(f"empower.admin.resources.{name}",
                                        fromlist=["resource"]), "resource") for name in modules}
    assert sorted(r.slug for r in defined.values()) == sorted(RESOURCES)
    for resource in defined.values():
        assert RESOURCES[resource.slug] is resource


def test_two_resources_with_one_slug_are_refused():
    with pytest.raises(ValueError, match="snapshots"):
        registry([snapshot_resource.resource, snapshot_resource.resource])
