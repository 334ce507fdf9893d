"""Rendering: the Jinja environment, pages, list rows and cells, names shown in links.

Every value is escaped (Jinja autoescape, or ``html.escape`` where rows are built in Python);
CIN and phone are masked for viewers here, in the one place that turns a value into a cell.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache, partial
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi_admin.template import templates
from markupsafe import Markup

from empower.errors import (
    Conflict,
    EmpowerError,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from empower.grievances import OPEN_STATUSES, GrievanceConfig, deadline_mark
from empower.messages import describe
from empower.messages import render as render_message
from empower.models import utcnow

from . import compat
from . import models as m
from .formatting import fmt_date, fmt_datetime, fmt_mad, fmt_number, label
from .scope import Principal
from .security import mask_cin, mask_phone, mask_rib

if TYPE_CHECKING:
    from .resources.base import Column, Resource

__all__ = [
    "LINK_TARGETS",
    "cell",
    "cells_for",
    "error_detail",
    "error_message",
    "load_names",
    "options_html",
    "render",
    "table_body",
]

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates.env.loader.searchpath.insert(0, str(TEMPLATES_DIR))
# Templates ship with the package: no need to stat them on every render.
templates.env.auto_reload = False
templates.env.globals.update(fmt_date=fmt_date, fmt_datetime=fmt_datetime, fmt_mad=fmt_mad,
                             fmt_number=fmt_number, label=label)


def render(request: Request, name: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    """A page of the panel: the template with the menu, locale, CSRF token and assets flag.

    ``context["p"]`` is the logged-in user (None on the login and error pages).
    """
    p: Principal | None = context.get("p")
    locale = compat.current_locale()
    resources = request.app.state.panel.resources
    menu = [(slug, spec.label) for slug, spec in resources.items()
            if p is not None and (p.is_admin or not spec.admin_only)]
    base = {"request": request, "locale": locale, "rtl": locale == "ar", "menu": menu,
            "csrf": p.csrf if p else context.get("csrf", ""), "p": p,
            "has_assets": request.app.state.panel.has_assets}
    base.update(context)
    response: HTMLResponse = templates.TemplateResponse(request, name, base,
                                                        status_code=status_code)
    return response


def error_detail(exc: EmpowerError, *, record_id: int | None = None) -> str:
    """What was refused and why, in the user's language, from the error's code and params.

    ``record_id`` names the row of a bulk action that was refused. An error whose code has no
    catalog entry keeps the core's English sentence.
    """
    locale = compat.current_locale()
    if record_id is None:
        return describe(exc, locale)
    return render_message("panel.bulk_item_refused", {"id": record_id, "reason": exc}, locale,
                          default=f"#{record_id}: {exc.message}")


def error_message(exc: EmpowerError) -> str:
    """The translated headline of a refused write (its kind); the detail is said apart."""
    title = {
        NotFound: "Not found", Conflict: "Already recorded", InvalidInput: "Invalid value",
        RuleViolation: "Refused by a program rule",
    }
    for cls, text in title.items():
        if isinstance(exc, cls):
            return compat.gettext(text)
    return compat.gettext("Refused")


# -- names shown instead of bare ids in links --------------------------------------------------
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
    "activity_id": ("activities", ("code",)),
    "intake_id": ("intakes", ("code",)),
    "batch_id": ("payment_batches", ("reference",)),
    "indicator_id": ("indicators", ("code",)),
}
_NAME_MODELS: dict[str, Any] = {"beneficiaries": m.Beneficiary, "cooperatives": m.Cooperative,
                                "programs": m.Program, "partners": m.Partner, "grants": m.Grant,
                                "activities": m.Activity, "intakes": m.Intake,
                                "payment_batches": m.PaymentBatch, "indicators": m.Indicator}

# Where a link column points (None: the name is shown without a link).
LINK_TARGETS = {
    "beneficiary_id": "beneficiaries", "other_beneficiary_id": "beneficiaries",
    "cooperative_id": "cooperatives", "grant_id": "grants", "program_id": None,
    "activity_id": "activities", "intake_id": "intakes", "batch_id": "payment_batches",
    "partner_id": "partners", "indicator_id": "indicators",
}


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


# -- cells and rows ----------------------------------------------------------------------------
def cell(spec: Resource, col: Column, row: dict[str, Any], p: Principal, *,
         province_names: dict[str, tuple[str, str]],
         grievances: GrievanceConfig | None = None) -> Any:
    """One value as shown to her: masked, formatted for her locale, or a link by name."""
    v = row.get(col.key)
    if col.kind == "deadline":
        # A due date, and for an open case its mark (empower.grievances.deadline_mark).
        return deadline_cell(v, row.get("status"), grievances)
    if col.kind == "cin":
        return mask_cin(v) if p.masked else (v or "")
    if col.kind == "phone":
        return mask_phone(v) if p.masked else (v or "")
    if col.kind == "rib":
        return mask_rib(v) if p.masked else (v or "")
    if col.kind == "personal":
        # Personal words (a coach's note): only for the roles that see personal data.
        return compat.gettext("Not shown to your role") if p.masked and v else (v or "")
    if col.kind == "date":
        return fmt_date(v)
    if col.kind == "datetime":
        return fmt_datetime(v)
    if col.kind == "mad":
        return fmt_mad(v)
    if col.kind == "number":
        return fmt_number(v)
    if col.kind in ("label", "bool"):
        return label(v, col.context)
    if col.kind == "province" and v:
        names = province_names.get(v)
        if names:
            return f"{names[1] if compat.current_locale() == 'ar' else names[0]} ({v})"
    if col.kind == "json":
        return json.dumps(v, ensure_ascii=False) if v else ""
    if col.kind == "shares":  # a tranche plan: 40 / 40 / 20
        return " / ".join(str(x) for x in v) if v else ""
    if col.kind == "labels":  # several vocabulary values
        return ", ".join(label(x) for x in v) if v else ""
    if col.kind == "link" and v is not None:
        kind = _NAME_SOURCES.get(col.key, ("", ()))[0]
        text = (_NAMES.get() or {}).get((kind, v), f"#{v}")
        target = LINK_TARGETS.get(col.key)
        if target:
            return Markup('<a href="/{}/{}">{}</a>').format(target, v, text)
        return text
    return "" if v is None else v


def cells_for(request: Request) -> Callable[..., Any]:
    """:func:`cell` bound to this application's province names (read at start-up)."""
    panel = request.app.state.panel
    return partial(cell, province_names=panel.province_names,
                   grievances=panel.db.rules.grievances)


_MARK_STYLE = {"on_track": "green", "at_risk": "yellow", "late": "red"}


def deadline_cell(due: Any, status: Any, config: GrievanceConfig | None) -> Any:
    """A grievance's due date with its on-track / at-risk / late badge while it is open."""
    if due is None:
        return ""
    text = fmt_date(due)
    if status not in {s.value for s in OPEN_STATUSES}:
        return text
    mark = deadline_mark(due, utcnow().date(), config).value
    return Markup('{} <span class="badge bg-{}-lt" data-mark="{}">{}</span>').format(
        text, _MARK_STYLE[mark], mark, compat.gettext(f"mark_{mark}"))


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
