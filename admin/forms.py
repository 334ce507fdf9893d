"""The form toolkit: fields, forms, actions, and reading typed values off a submitted form.

A form is a list of :class:`Field` and a handler ``(uow, values, principal) -> redirect path``
run in a SQLAlchemy unit of work with actor ``user:<username>``; an action's handler also gets
the record's id. Inputs are parsed with the core's pydantic schemas; any :class:`EmpowerError`
is shown on the form with the values kept. The forms themselves live with their resource
(:mod:`empower.admin.resources`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from empower.errors import InvalidInput
from empower.rules import centimes, record_id

from .scope import Principal

__all__ = [
    "BULK_LIMIT",
    "KEPT_LIMIT",
    "DATE_ON",
    "DATE_REASON",
    "Action",
    "EditForm",
    "Field",
    "FormSpec",
    "amount_value",
    "date_value",
    "form_data",
    "int_value",
    "kept_values",
    "read_values",
]

N_ = str

# At most this many rows in one bulk action (one unit of work).
BULK_LIMIT = 500
# A refused form is shown again with her values, but not one longer than this: no field takes
# more than 300 characters, so a longer value was not typed, and is not sent back whole.
KEPT_LIMIT = 1000


@dataclass
class Field:
    name: str
    label: str
    # text | date | number | amount | select | bool | textarea | password | checkboxes (several
    # of ``choices``; read as a list)
    kind: str = "text"
    # An enum class, a list of (value, label), "provinces" / "regions" / "programs" (hers), or
    # an async ``options(principal)`` giving her (value, label) pairs.
    choices: Any = None
    required: bool = False
    dir: str | None = None  # "rtl" for Arabic-script inputs


@dataclass
class FormSpec:
    """A create form. ``handler`` None: the resource's own router does the write (users)."""

    fields: list[Field]
    handler: Callable[[Any, dict[str, Any], Principal], str] | None
    title: str = ""


@dataclass
class EditForm:
    """An edit form: its fields (filled from the record) and ``handler(uow, id, values, p)``."""

    fields: list[Field]
    handler: Callable[[Any, int, dict[str, Any], Principal], str]
    # The form's values from the record when a column is not shown as it is stored (a JSON
    # list as JSON text, codes comma-separated); default: each column as text.
    prefill: Callable[[dict[str, Any]], dict[str, str]] | None = None


def _always(row: dict[str, Any]) -> bool:
    return True


@dataclass
class Action:
    """A button on a record's page: a small form and the core service it runs."""

    name: str
    label: str
    fields: list[Field]
    handler: Callable[[Any, int, dict[str, Any], Principal], str]
    when: Callable[[dict[str, Any]], bool] = _always
    style: str = "primary"
    # Its form is part of the record's page (a session's roster), not one of the action cards.
    inline: bool = False
    # Who may use it (writers only: viewers never act); others neither see it nor post it.
    roles: tuple[str, ...] = ("admin", "officer")
    # Whether the page offers it to her (``offered(row, principal, panel)``), beyond ``when``:
    # a button she may not use is not shown. It is no permission: the handler (the core service)
    # refuses the write itself, with its translated reason.
    offered: Callable[[dict[str, Any], Principal, Any], Awaitable[bool]] | None = None


DATE_ON = [Field("on", N_("Date"), "date", required=True)]
DATE_REASON = [*DATE_ON, Field("reason", N_("Reason"))]


def int_value(values: dict[str, Any], name: str) -> int | None:
    """A record number typed in a form (``#`` allowed); None when blank.

    Raises :class:`InvalidInput` naming the field when it is not a record number
    (:func:`empower.rules.record_id`: ASCII digits, at most ``MAX_RECORD_ID``).
    """
    raw = (values.get(name) or "").strip().lstrip("#")
    if not raw:
        return None
    return record_id(raw, field=name)


def date_value(values: dict[str, Any], name: str) -> date:
    """A required ISO date; raises :class:`InvalidInput` naming the field otherwise."""
    raw = (values.get(name) or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name}: '{raw}' is not a date (YYYY-MM-DD)", code="input.not_a_date",
                           params={"value": raw}, field=name, value=raw) from exc


def amount_value(values: dict[str, Any], name: str) -> Decimal | None:
    """An amount in MAD through the core's centimes conversion; None when blank.

    Raises :class:`InvalidInput` (from :func:`empower.rules.centimes`) when it is not an amount.
    """
    raw = (values.get(name) or "").strip()
    if not raw:
        return None
    return Decimal(centimes(raw, field=name)) / 100


def kept_values(values: dict[str, str]) -> dict[str, str]:
    """The values a refused form is shown again with: each as submitted, except one longer
    than :data:`KEPT_LIMIT`, which is left empty (the error says it, shortened)."""
    return {k: ("" if len(v) > KEPT_LIMIT else v) for k, v in values.items()}


def read_values(form: Any, fields: list[Field]) -> dict[str, str]:
    """A submitted form's values as text, the CSRF token left out; the ticked boxes of a
    ``checkboxes`` field (one form key each) joined with commas."""
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    for f in fields:
        if f.kind == "checkboxes":
            values[f.name] = ",".join(str(v) for v in form.getlist(f.name) if str(v))
    return values


def form_data(fields: list[Field], values: dict[str, Any]) -> dict[str, Any]:
    """Form values keyed as the schema expects: blanks dropped, booleans and amounts parsed,
    the boxes ticked of a ``checkboxes`` field as a list (none ticked: an empty list)."""
    out: dict[str, Any] = {}
    for f in fields:
        raw = values.get(f.name)
        if f.kind == "checkboxes":
            out[f.name] = [v for v in str(raw or "").split(",") if v]
            continue
        if f.kind == "bool":
            if raw in ("true", "false"):
                out[f.name] = raw == "true"
            continue
        if raw is None or str(raw).strip() == "":
            continue
        if f.kind == "amount":
            out[f.name] = amount_value(values, f.name)
        else:
            out[f.name] = str(raw).strip()
    return out
