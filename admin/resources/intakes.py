"""Calls for applications (intakes): their rules, their funnel, selection and waiting list.

An intake is a program's configuration: admins create and change it (through
:func:`empower.services.targeting.create_intake` / ``update_intake``, which check its rules and
weights), open and close it, run its selection and promote from its waiting list. Officers read
the intakes of the programs they see, and the applications of the women of their regions; they
override a refusal on the application's page (:mod:`empower.admin.resources.enrollments`).

An intake's page shows its funnel (:func:`empower.panel_targeting.funnel`), its applications
in selection order, and the preview of its rules over the register by province and milieu
(:func:`empower.services.targeting.preview`), each narrowed to her regions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from tortoise.expressions import RawSQL, Subquery
from tortoise.queryset import QuerySet

from empower import vocab
from empower.errors import InvalidInput, NotFound
from empower.panel_targeting import applications, funnel
from empower.schemas import IntakeCreate, parse_input
from empower.services import targeting
from empower.targeting import check_rules, check_weights

from .. import models as m
from ..compat import gettext
from ..formatting import label
from ..forms import DATE_ON, Action, EditForm, Field, FormSpec, date_value, form_data
from ..scope import Principal, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, search_fields

__all__ = ["covers_intake", "intake_scope", "open_intake_options", "resource", "rule_label"]

_C = Column

FIELDS = [
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("code", N_("Code"), required=True),
    Field("name", N_("Name"), required=True),
    Field("opens_on", N_("Opens on"), "date", required=True),
    Field("closes_on", N_("Closes on"), "date", required=True),
    Field("places", N_("Places"), "number", required=True),
    Field("region_codes", N_("Regions (codes, comma-separated)")),
    Field("province_codes", N_("Provinces (codes, comma-separated)")),
    Field("promote_until", N_("Promotion from the waiting list until"), "date"),
    Field("rules", N_("Eligibility rules (JSON)"), "textarea"),
    Field("weights", N_("Score weights (JSON)"), "textarea"),
]
_PLAIN = [f for f in FIELDS if f.name not in ("region_codes", "province_codes", "rules",
                                              "weights")]


# Region and province codes as the reference tables spell them: the only text spliced into the
# coverage condition below (never anything typed).
_CODE = re.compile(r"[0-9]{2}(\.[0-9]{3})?")


def _lists(column: str, code: str) -> str:
    """SQL: the JSON list in ``intakes.<column>`` holds ``code`` (an element is ``"code"``).

    ``LENGTH(REPLACE(...))`` rather than ``LIKE '%...%'``: psycopg reads ``%`` as a parameter
    mark, and SQLite and PostgreSQL both have these two functions.
    """
    text = f'CAST("intakes"."{column}" AS TEXT)'
    return f"LENGTH(REPLACE({text}, '\"{code}\"', '')) < LENGTH({text})"


def _empty(column: str) -> str:
    # The core stores "no list" as JSON null (SQLAlchemy's JSON), older rows may hold SQL NULL.
    return f'("intakes"."{column}" IS NULL OR CAST("intakes"."{column}" AS TEXT) = \'null\')'


def covers_intake(p: Principal, region_codes: Any, province_codes: Any) -> bool:
    """Whether her regions cover an intake's area: it names none (the program's area), or one
    of her regions, or one of her provinces. The Python twin of :func:`intake_scope`'s SQL."""
    if p.region_scope is None or (not region_codes and not province_codes):
        return True
    return bool(set(region_codes or []) & set(p.regions)
                or set(province_codes or []) & set(p.provinces))


def intake_scope(p: Principal) -> Any:
    """The intakes she sees: of a program she sees (national or of her regions) and open where
    she works (:func:`covers_intake`): an officer of 04 does not see a national call open in
    region 01 only."""
    def narrow(qs: QuerySet[Any]) -> QuerySet[Any]:
        if p.region_scope is None:
            return qs
        parts = [f"({_empty('region_codes')} AND {_empty('province_codes')})"]
        parts += [_lists("region_codes", c) for c in p.regions if _CODE.fullmatch(c)]
        parts += [_lists("province_codes", c) for c in p.provinces if _CODE.fullmatch(c)]
        # Every piece is a fixed text or a reference code matched by _CODE above.
        covered = RawSQL(f"(CASE WHEN {' OR '.join(parts)} THEN 1 ELSE 0 END)")
        return (qs.filter(program_id__in=Subquery(p.within(m.Program.all()).values("id")))
                .annotate(empower_covered=covered).filter(empower_covered=1))

    return narrow


def _json_list(values: dict[str, Any], name: str) -> Any:
    """The JSON text of a rules or weights field (blank: none).

    Raises :class:`InvalidInput` ``intake.json_invalid`` naming the field, line and column.
    """
    raw = (values.get(name) or "").strip()
    if not raw:
        return []
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: "[[[[..." nested too deep
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise InvalidInput(f"{name}: not JSON (line {line}, column {column})",
                           code="intake.json_invalid",
                           params={"line": line, "column": column}, field=name,
                           value=raw[:200]) from exc


def _codes(values: dict[str, Any], name: str) -> list[str] | None:
    codes = [c for c in re.split(r"[\s,;]+", values.get(name) or "") if c]
    return codes or None


def _data(values: dict[str, Any]) -> IntakeCreate:
    """The intake as the core takes it; its rules and weights checked by the core first, so a
    wrong one is named (``targeting.rule_invalid``, on its field)."""
    rules = _json_list(values, "rules")
    weights = _json_list(values, "weights")
    for name, check in (("rules", check_rules), ("weights", check_weights)):
        try:
            check(rules if name == "rules" else weights)
        except InvalidInput as exc:
            exc.field = name
            _say_where(exc)
            raise
    data = form_data(_PLAIN, values)
    data.update(rules=rules, weights=weights, region_codes=_codes(values, "region_codes"),
                province_codes=_codes(values, "province_codes"))
    return parse_input(IntakeCreate, data)


_WHERE = re.compile(r"(rule|weight) ([0-9]{1,4})")


def _say_where(exc: InvalidInput) -> None:
    """The core names the condition in English (``rule 2``): said in her language here."""
    found = _WHERE.fullmatch(str(exc.params.get("where", "")))
    if found is not None:
        text = gettext("rule %(n)s") if found.group(1) == "rule" else gettext("weight %(n)s")
        exc.params["where"] = text % {"n": found.group(2)}


def _admin(p: Principal) -> None:
    # The routes offer these forms to admins only; a crafted request gets the same 404.
    if not p.is_admin:
        raise NotFound("intake: not found", code="record.not_found",
                       params={"what": "intake", "id": 0})


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    _admin(p)
    data = _data(values)
    check_program(uow, p, data.program_id)
    intake = targeting.create_intake(uow, data, actor=p.actor)
    return f"/intakes/{intake.id}"


def update(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
    _admin(p)
    targeting.update_intake(uow, record_id, _data(values), actor=p.actor)
    return f"/intakes/{record_id}"


def prefill(row: dict[str, Any]) -> dict[str, str]:
    """The edit form's rules and weights as JSON, and the codes comma-separated."""
    return {"rules": json.dumps(row.get("rules") or [], ensure_ascii=False, indent=1),
            "weights": json.dumps(row.get("weights") or [], ensure_ascii=False, indent=1),
            "region_codes": ", ".join(row.get("region_codes") or []),
            "province_codes": ", ".join(row.get("province_codes") or [])}


def _step(service: Any) -> Any:
    def handler(uow: Any, record_id: int, values: dict[str, Any], p: Principal) -> str:
        _admin(p)
        service(uow, record_id, on=date_value(values, "on"), actor=p.actor)
        return f"/intakes/{record_id}"

    return handler


# -- how a page names a rule ----------------------------------------------------------------
_OPS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": "="}


def _value(field: str, value: Any) -> str:
    if field in ("milieu", "education_level", "marital_status"):
        return label(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rule_label(result: dict[str, Any]) -> str:
    """A rule (as an application stores it: ``field``, ``op``, ``value``) in her language:
    ``Âge entre 18 et 45``, ``Milieu = rural``, ``Handicap : oui``."""
    field = str(result.get("field", ""))
    op = str(result.get("op", ""))
    value = result.get("value")
    name = gettext(field)
    if field == "coverage":
        return f"{gettext('coverage')} : {', '.join(str(v) for v in value or [])}"
    if op == "is true":
        return f"{name} : {gettext('yes')}"
    if op == "is false":
        return f"{name} : {gettext('no')}"
    if op == "between" and isinstance(value, list) and len(value) == 2:
        return gettext("%(field)s between %(low)s and %(high)s") % {
            "field": name, "low": _value(field, value[0]), "high": _value(field, value[1])}
    if op in ("in", "not in") and isinstance(value, list):
        words = ", ".join(_value(field, v) for v in value)
        text = gettext("%(field)s is one of %(values)s") if op == "in" else gettext(
            "%(field)s is none of %(values)s")
        return text % {"field": name, "values": words}
    return f"{name} {_OPS.get(op, op)} {_value(field, value)}"


# -- the intake's page ----------------------------------------------------------------------
async def page(row: dict[str, Any], p: Principal, panel: Any) -> dict[str, Any]:
    """Funnel, applications and preview of the intake, for her regions."""
    def read() -> dict[str, Any]:
        with panel.db.unit_of_work(readonly=True) as uow:
            preview = targeting.preview(uow, row["id"])
            return {"funnel": funnel(uow, row["id"], p.region_scope),
                    "applications": applications(uow, row["id"], p.region_scope),
                    "preview": [r for r in preview
                                if p.region_scope is None or r.province_code in p.provinces]}

    ctx = await run_in_threadpool(read)
    ctx["rule_label"] = rule_label
    ctx["rules"] = [rule_label(r) for r in row.get("rules") or []]
    ctx["weights"] = row.get("weights") or []
    ctx["intake_id"] = row["id"]
    ctx["program_id"] = row["program_id"]
    ctx["can_apply"] = p.can_write and row.get("status") == "open"
    ctx["province_names"] = panel.province_names
    return ctx


def _status(*statuses: str) -> Any:
    return lambda r: r.get("status") in statuses


def _status_options(_p: Principal) -> list[tuple[str, str]]:
    return [(s.value, label(s.value, "intake")) for s in vocab.IntakeStatus]


async def open_intake_options(p: Principal) -> list[tuple[str, str]]:
    """The open intakes she sees (the enrolment form's choice: the core checks its program)."""
    rows = await intake_scope(p)(m.Intake.filter(status="open")).order_by("code").values(
        "id", "code", "name", "program_id")
    programs = dict(await m.Program.filter(id__in={r["program_id"] for r in rows}).values_list(
        "id", "code")) if rows else {}
    return [(str(r["id"]), f"{r['code']} · {r['name']} ({programs.get(r['program_id'], '')})")
            for r in rows]


ADMINS = ("admin",)

resource = Resource(
    "intakes", N_("Calls for applications"), m.Intake,
    [_C("id", "#"), _C("code", N_("Code")), _C("name", N_("Name")),
     _C("program_id", N_("Program"), "link"),
     _C("status", N_("Status"), "label", context="intake"),
     _C("opens_on", N_("Opens on"), "date"), _C("closes_on", N_("Closes on"), "date"),
     _C("places", N_("Places"))],
    intake_scope, search_fields("code", "name"), N_("Code or name"),
    [Filter("status", N_("Status"), _status_options, equals("status", vocab.IntakeStatus)),
     Filter("program", N_("Program"), program_options, by_int("program_id"))],
    create_roles=ADMINS, edit_roles=ADMINS,
    extra=[_C("region_codes", N_("Regions"), "json", sortable=False),
           _C("province_codes", N_("Provinces"), "json", sortable=False),
           _C("promote_until", N_("Promotion from the waiting list until"), "date"),
           _C("rules_version", N_("Rules version")),
           _C("opened_on", N_("Opened on"), "date"), _C("closed_on", N_("Closed on"), "date"),
           _C("selected_on", N_("Selected on"), "date"),
           _C("selected_by", N_("Selected by"))],
    create=FormSpec(FIELDS, create, N_("Create a call for applications")),
    edit=EditForm(FIELDS, update, prefill),
    actions=[
        Action("open", N_("Open to applications"), DATE_ON,
               _step(targeting.open_intake), _status("draft"), "success", roles=ADMINS),
        Action("close", N_("Close the call"), DATE_ON,
               _step(targeting.close_intake), _status("open"), "warning", roles=ADMINS),
        Action("select", N_("Run the selection"), DATE_ON,
               _step(targeting.select_intake), _status("closed"), "primary", roles=ADMINS),
        Action("promote", N_("Promote from the waiting list"), DATE_ON,
               _step(targeting.promote_waitlisted), _status("selected"), "secondary",
               roles=ADMINS),
    ],
    page=page, page_template="_intake.html",
    audit_entity="intake",
)
