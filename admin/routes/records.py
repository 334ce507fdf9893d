"""The routes every resource gets: home, list, export, record page, create, edit, actions, bulk.

Every read goes through the resource's scope (a record outside her regions is a 404); every
write is the resource's handler run in a unit of work (:func:`~empower.admin.deps.run_write`),
which calls a core service. A refused write is shown on its form with her values, status 422.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from empower.errors import EmpowerError
from empower.models import utcnow
from empower.panel_queries import dashboard_counts, payment_counts
from empower.rules import MAX_RECORD_ID, record_number

from .. import compat
from .. import models as m
from ..deps import panel_of, principal, resource_for, run_write, writer
from ..detail import related
from ..export import csv_rows, xlsx_bytes
from ..formatting import label
from ..forms import BULK_LIMIT, Field, kept_values, read_values
from ..limits import over_limit
from ..rendering import (
    cells_for,
    error_detail,
    error_message,
    load_names,
    options_html,
    render,
    table_body,
)
from ..resources import Resource, grievances, visits
from ..resources.filters import program_options, province_options, region_options
from ..scope import Principal, as_seen_by
from ..security import mask_cin, mask_phone, mask_rib

__all__ = ["capped_count", "choices_for", "detail_context", "fetch", "path_id", "router"]

router = APIRouter()

PAGE_SIZE = 25
COUNT_CAP = 10_000


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


async def filtered(request: Request, spec: Resource, p: Principal, params: Any, *,
                   counting: bool = False) -> tuple[Any, str, dict[str, str]]:
    """Her rows of the resource, searched and filtered as the query string says.

    ``counting``: the same rows for the capped count, each filter in the form a count reads
    fastest (``Filter.count_apply``).
    """
    qs = spec.query(p)
    # NUL is no character of any name or number, and PostgreSQL refuses it in a parameter.
    q = str(params.get("q") or "").replace("\x00", "")[:100]
    panel = panel_of(request)
    if q and p.masked and spec.has_masked_columns:
        # She sees CIN and phone masked: whole values only, and a bounded number of tries.
        if spec.masked_search is not None:
            qs, probed = spec.masked_search(qs, q, panel.db.rules)
            if probed and await over_limit(panel.sessions, "masked-search", p.id,
                                           panel.masked_searches_per_minute):
                raise HTTPException(429)
    elif q and spec.search:
        qs = spec.search(qs, q, panel.db.rules)
    values: dict[str, str] = {}
    for f in spec.filters:
        v = str(params.get(f.name, f.default) or "").replace("\x00", "")[:40]
        values[f.name] = v
        if v:
            qs = (f.count_apply if counting and f.count_apply else f.apply)(qs, v, p)
    return qs, q, values


async def choices_for(fields_: list[Field], p: Principal) -> dict[str, list[Any]]:
    """The options of each select field, as she may choose them."""
    out: dict[str, list[Any]] = {}
    for f in fields_:
        if f.kind not in ("select", "checkboxes"):
            continue
        if f.choices == "provinces":
            out[f.name] = await province_options(p)
        elif f.choices == "regions":
            out[f.name] = await region_options(p)
        elif f.choices == "programs":
            out[f.name] = await program_options(p)
        elif isinstance(f.choices, list):
            out[f.name] = f.choices
        elif callable(f.choices) and not isinstance(f.choices, type):
            out[f.name] = await f.choices(p)
        else:
            out[f.name] = [(v.value, label(v.value)) for v in f.choices]
    return out


def path_id(raw: str) -> int:
    """The record number in a URL; HTTP 404 for anything else (ASCII digits only, at most
    ``MAX_RECORD_ID``: a larger one would overflow the driver, a ``²`` crash ``int()``)."""
    number = record_number(raw)
    if number is None:
        raise HTTPException(404)
    return number


async def fetch(spec: Resource, p: Principal, record_id: int) -> dict[str, Any]:
    """The record if it is hers; HTTP 404 otherwise (never 403: that would confirm it exists)."""
    if not 0 <= record_id <= MAX_RECORD_ID:
        raise HTTPException(404)
    row: dict[str, Any] | None = await spec.query(p).filter(id=record_id).first().values()
    if row is None:
        raise HTTPException(404)
    return row if spec.shown is None else spec.shown(row, p)


async def detail_context(request: Request, spec: Resource, p: Principal,
                         row: dict[str, Any]) -> dict[str, Any]:
    """What a record's page shows: its fields, the actions open to her, related tables."""
    cell = cells_for(request)
    await load_names([row])
    ctx: dict[str, Any] = {"p": p, "spec": spec, "slug": spec.slug, "row": row,
                           "fields": [(c.label, cell(spec, c, row, p)) for c in spec.all_columns],
                           "actions": [], "audit": []}
    if p.can_write:
        for action in spec.actions:
            if p.role in action.roles and action.when(row) and (
                    action.offered is None or await action.offered(row, p, panel_of(request))):
                ctx["actions"].append((action, await choices_for(action.fields, p)))
    ctx.update(await related(panel_of(request).resources, spec, row, p, cell_fn=cell,
                             prepare=load_names))
    ctx["can_edit"] = can_edit(spec, p)
    if spec.page is not None:
        ctx["page"] = await spec.page(row, p, panel_of(request))
        ctx["page_template"] = spec.page_template
    return ctx


def can_create(spec: Resource, p: Principal) -> bool:
    return p.can_write and p.role in spec.create_roles


def can_edit(spec: Resource, p: Principal) -> bool:
    return spec.edit is not None and p.can_write and p.role in spec.edit_roles


# -- home --------------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
async def home(request: Request, p: Principal = Depends(principal)) -> Response:
    db = panel_of(request).db

    today = utcnow().date()

    def counts() -> dict[str, int]:
        with db.unit_of_work(readonly=True) as uow:
            return {**dashboard_counts(uow, regions=p.region_scope, today=today),
                    **payment_counts(uow, regions=p.region_scope)}

    figures = await run_in_threadpool(counts)
    # Coaching visits whose next visit was due before today, in her regions (the visits list's
    # "overdue" filter, which the card links to).
    figures["overdue_visits"] = await visits.overdue(p.within(m.CoachingVisit.all()), today).count()
    # Open grievances past their due date that she sees (confidential ones: focal points and
    # admins only), which the grievances list's "late" mark links to.
    figures["late_grievances"] = await grievances.late(p, today).count()
    return render(request, "home.html", {"p": p, "counts": figures})


# -- lists -------------------------------------------------------------------------------------
@router.get("/{slug}", response_class=HTMLResponse)
async def list_view(request: Request, slug: str, p: Principal = Depends(principal)) -> Response:
    spec = resource_for(request, slug, p)
    cell = cells_for(request)
    params = request.query_params
    qs, q, values = await filtered(request, spec, p, params)
    keys = spec.column_keys()
    sort = str(params.get("sort") or spec.default_sort)
    if not spec.sortable(sort.removeprefix("-"), p):
        sort = "-id"
    try:
        page = max(1, min(int(params.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    # Ties are broken by id in the sort's own direction: one index on (column, id) then serves
    # the page both ways (read forwards or backwards), so a sort stops after a page of rows
    # instead of sorting the whole table (migration 0009).
    tie = "-id" if sort.startswith("-") else "id"
    ordered = qs.order_by(sort, tie) if sort.lstrip("-") != "id" else qs.order_by(sort)
    # One row more than a page tells whether there is a next page without counting.
    rows = await ordered.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1).values(*keys)
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if spec.shown is not None:
        rows = [spec.shown(r, p) for r in rows]
    await load_names(rows)
    if not has_next:
        total: int | None = (page - 1) * PAGE_SIZE + len(rows)
    elif q:
        # A free-text search cannot use an index: counting its matches would scan the whole
        # table on every page view, so only the page is fetched.
        total = None
    else:
        counted, _q, _values = await filtered(request, spec, p, params, counting=True)
        total = await capped_count(counted, COUNT_CAP)
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
        if spec.sortable(c.key, p):
            link = f"/{slug}?" + urlencode({**query, "sort": c.key if sort != c.key
                                            else f"-{c.key}"})
        mark = " ▲" if sort == c.key else " ▼" if sort == f"-{c.key}" else ""
        headers.append((c.label, link, mark))
    bulk_actions = spec.bulk_actions if p.can_write else []
    return render(request, "list.html", {
        "p": p, "spec": spec, "slug": slug, "rows": rows,
        "body": table_body(slug, rows, [[cell(spec, c, r, p) for c in spec.columns]
                                        for r in rows], detail=spec.has_detail,
                           bulk=[a.name for a in bulk_actions]),
        "q": q, "filters": filters, "sort": sort, "page": page, "total": total,
        "headers": headers,
        "capped": total is not None and total > COUNT_CAP, "count_cap": COUNT_CAP,
        "has_next": has_next, "page_size": PAGE_SIZE,
        "query": query, "qs_encode": urlencode,
        "can_create": spec.create is not None,
        "bulk_actions": bulk_actions,
    })


# -- export ------------------------------------------------------------------------------------
@router.get("/{slug}/export.{fmt}")
async def export(request: Request, slug: str, fmt: str,
                 p: Principal = Depends(principal)) -> Response:
    spec = resource_for(request, slug, p)
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(404)
    qs, _q, _values = await filtered(request, spec, p, request.query_params)
    keys = [c.key for c in spec.all_columns]
    rows = await qs.order_by("id").limit(200_000).values(*keys)
    if spec.shown is not None:
        rows = [spec.shown(r, p) for r in rows]
    for r in rows:
        for c in spec.all_columns:
            if c.kind == "cin" and p.masked:
                r[c.key] = mask_cin(r[c.key])
            elif c.kind == "phone" and p.masked:
                r[c.key] = mask_phone(r[c.key])
            elif c.kind == "rib" and p.masked:
                r[c.key] = mask_rib(r[c.key])
            elif c.kind == "personal" and p.masked:
                r[c.key] = None
            elif c.kind in ("shares", "labels") and r[c.key] is not None:
                r[c.key] = ("/" if c.kind == "shares" else ",").join(str(x) for x in r[c.key])
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


# -- create ------------------------------------------------------------------------------------
@router.get("/{slug}/new", response_class=HTMLResponse)
async def create_view(request: Request, slug: str,
                      p: Principal = Depends(principal)) -> Response:
    spec = resource_for(request, slug, p)
    if spec.create is None or spec.create.handler is None or not can_create(spec, p):
        raise HTTPException(404)
    fields_ = spec.create.fields
    return render(request, "form.html", {
        "p": p, "spec": spec, "fields": fields_, "values": dict(request.query_params),
        "choices": await choices_for(fields_, p), "action": f"/{slug}/new",
        "title": spec.create.title})


@router.post("/{slug}/new", response_class=HTMLResponse)
async def create(request: Request, slug: str,
                 pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    spec = resource_for(request, slug, p)
    if not can_create(spec, p) or spec.create is None or spec.create.handler is None:
        raise HTTPException(404)
    fields_ = spec.create.fields
    values = read_values(form, fields_)
    try:
        url = await run_write(request, spec.create.handler, values, p)
    except EmpowerError as refusal:
        exc = await as_seen_by(p, refusal)
        return render(request, "form.html", {
            "p": p, "spec": spec, "fields": fields_, "values": kept_values(values),
            "choices": await choices_for(fields_, p), "action": f"/{slug}/new",
            "error": error_message(exc), "error_detail": error_detail(exc),
            "error_field": exc.field, "title": spec.create.title}, status_code=422)
    return RedirectResponse(url, 303)


# -- record page, edit, actions ----------------------------------------------------------------
@router.get("/{slug}/{record_id}", response_class=HTMLResponse)
async def detail(request: Request, slug: str, record_id: str,
                 p: Principal = Depends(principal)) -> Response:
    rid = path_id(record_id)
    spec = resource_for(request, slug, p)
    if not spec.has_detail:
        raise HTTPException(404)
    row = await fetch(spec, p, rid)
    return render(request, "detail.html", await detail_context(request, spec, p, row))


@router.get("/{slug}/{record_id}/edit", response_class=HTMLResponse)
async def edit_view(request: Request, slug: str, record_id: str,
                    p: Principal = Depends(principal)) -> Response:
    rid = path_id(record_id)
    spec = resource_for(request, slug, p)
    if spec.edit is None or not can_edit(spec, p):
        raise HTTPException(404)
    row = await fetch(spec, p, rid)
    fields_ = spec.edit.fields
    values = {f.name: _prefill(f, row.get(f.name)) for f in fields_}
    if spec.edit.prefill is not None:
        values.update(spec.edit.prefill(row))
    return render(request, "form.html", {
        "p": p, "spec": spec, "fields": fields_, "values": values,
        "choices": await choices_for(fields_, p), "action": f"/{slug}/{rid}/edit",
        "title": "Edit"})


def _prefill(f: Field, value: Any) -> str:
    """A recorded value as its edit field shows it (a list: ticked boxes, or ``40/40/20``)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list):
        return ("," if f.kind == "checkboxes" else "/").join(str(v) for v in value)
    return str(value)


@router.post("/{slug}/{record_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, slug: str, record_id: str,
               pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    rid = path_id(record_id)
    spec = resource_for(request, slug, p)
    if spec.edit is None or not can_edit(spec, p):
        raise HTTPException(404)
    await fetch(spec, p, rid)
    fields_ = spec.edit.fields
    values = read_values(form, fields_)
    try:
        url = await run_write(request, spec.edit.handler, rid, values, p)
    except EmpowerError as refusal:
        exc = await as_seen_by(p, refusal)
        return render(request, "form.html", {
            "p": p, "spec": spec, "fields": fields_, "values": kept_values(values),
            "choices": await choices_for(fields_, p),
            "action": f"/{slug}/{rid}/edit", "title": "Edit",
            "error": error_message(exc), "error_detail": error_detail(exc),
            "error_field": exc.field}, status_code=422)
    return RedirectResponse(url, 303)


@router.post("/{slug}/bulk/{action}", response_class=HTMLResponse)
async def bulk(request: Request, slug: str, action: str,
               pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    """Run one action on the selected rows, all or nothing, each through its service."""
    p, form = pf
    spec = resource_for(request, slug, p)
    found = next((a for a in spec.bulk_actions if a.name == action), None)
    if found is None or not p.can_write:
        raise HTTPException(404)
    numbers = [record_number(str(x)) for x in form.getlist("ids")]
    if None in numbers:  # not a record number (another script's digits, beyond int4): no row
        raise HTTPException(404)
    ids = sorted({n for n in numbers if n is not None})
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "ids")}
    if not ids or len(ids) > BULK_LIMIT:
        return render(request, "bulk.html", {"p": p, "spec": spec, "done": 0,
                                             "error": compat.gettext("Select 1 to 500 rows.")},
                      status_code=422)
    # Every id must be inside her scope; one that is not makes the whole request a 404.
    if await spec.query(p).filter(id__in=ids).count() != len(ids):
        raise HTTPException(404)

    refused: list[int] = []

    def run_all(uow: Any) -> str:
        for record_id in ids:
            try:
                found.handler(uow, record_id, values, p)
            except EmpowerError:
                refused.append(record_id)  # the page names the row that stopped the batch
                raise
        return ""

    try:
        await run_write(request, run_all)
    except EmpowerError as refusal:
        exc = await as_seen_by(p, refusal)
        return render(request, "bulk.html", {
            "p": p, "spec": spec, "done": 0, "error": error_message(exc),
            "error_detail": error_detail(exc, record_id=refused[-1] if refused else None)},
            status_code=422)
    return render(request, "bulk.html", {"p": p, "spec": spec, "done": len(ids),
                                         "action": found})


@router.post("/{slug}/{record_id}/{action}", response_class=HTMLResponse)
async def act(request: Request, slug: str, record_id: str, action: str,
              pf: tuple[Principal, Any] = Depends(writer)) -> Response:
    p, form = pf
    rid = path_id(record_id)
    spec = resource_for(request, slug, p)
    found = spec.action(action)
    if found is None or not p.can_write or p.role not in found.roles:
        raise HTTPException(404)
    row = await fetch(spec, p, rid)
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        url = await run_write(request, found.handler, rid, values, p)
    except EmpowerError as refusal:
        exc = await as_seen_by(p, refusal)
        ctx = await detail_context(request, spec, p, row)
        ctx.update(error=error_message(exc), error_detail=error_detail(exc),
                   error_action=action, values=kept_values(values))
        return render(request, "detail.html", ctx, status_code=422)
    return RedirectResponse(url, 303)
