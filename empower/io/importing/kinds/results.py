"""The logframe and partner contributions: indicators (key: code), targets (key: indicator,
program, partner, region, period) and contributions (key: reference).

Indicators and targets are brought to the file's values through
:func:`empower.services.results.save_indicator` and :func:`~empower.services.results.set_target`
(a target's value and baseline may be corrected by a re-import). A recorded contribution is
money received: an import never corrects it; a row that differs is rejected naming the column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from empower.errors import InvalidInput, NotFound
from empower.io.importing.kinds.base import CREATED, UNCHANGED, model
from empower.models import Agreement, Contribution, Indicator, Partner
from empower.rules import centimes
from empower.schemas import ContributionCreate, IndicatorCreate, TargetCreate
from empower.services.results import record_contribution, save_indicator, set_target

if TYPE_CHECKING:
    from empower.io.importing.run import ImportRun

__all__ = ["contribution", "indicator", "target"]


def indicator(run: ImportRun, v: dict[str, Any]) -> str:
    """Create the indicator, or bring it to the file's values."""
    data = {k: v.get(k) for k in IndicatorCreate.model_fields if k in v}
    if data.get("direction") is None:
        data.pop("direction", None)
    return save_indicator(run.uow, model(IndicatorCreate, data), actor=run.actor)[1]


def _partner_id(run: ImportRun, name: str | None, *, field: str = "partner") -> int | None:
    if name is None:
        return None
    pid = run.uow.session.scalar(select(Partner.id).where(
        func.lower(Partner.name) == name.lower()))
    if pid is None:
        raise NotFound(f"partner '{name}' does not exist", code="partner.unknown",
                       params={"name": name}, field=field, value=name)
    return int(pid)


def target(run: ImportRun, v: dict[str, Any]) -> str:
    """Record the target, or correct its value and baseline."""
    code = v["indicator_code"]
    iid = run.uow.session.scalar(select(Indicator.id).where(Indicator.code == code))
    if iid is None:
        raise NotFound(f"indicator '{code}' does not exist", code="indicator.unknown",
                       params={"code": code}, field="indicator_code", value=code)
    data = model(TargetCreate, {
        "indicator_id": iid, "program_id": run.program_id(v["program_code"]),
        "partner_id": _partner_id(run, v.get("partner")), "region_code": v.get("region_code"),
        "period": v["period"], "value": v["value"], "baseline": v.get("baseline")})
    return set_target(run.uow, data, actor=run.actor)[1]


def _agreement(run: ImportRun, v: dict[str, Any]) -> int:
    program, partner = v["program_code"], v["partner"]
    query = select(Agreement.id).where(
        Agreement.program_id == run.program_id(program),
        Agreement.partner_id == _partner_id(run, partner))
    if v.get("signed_on") is not None:
        query = query.where(Agreement.signed_on == v["signed_on"])
    found = run.uow.session.scalars(query).all()
    if not found:
        on = f" signed on {v['signed_on'].isoformat()}" if v.get("signed_on") else ""
        raise NotFound(f"no agreement between program {program} and partner '{partner}'{on}",
                       code="agreement.unknown",
                       params={"program": program, "partner": partner, "on": on},
                       field="signed_on" if on else "partner", value=partner)
    if len(found) > 1:
        raise InvalidInput(f"program {program} and partner '{partner}' have {len(found)} "
                           "agreements: give the signing date", code="agreement.ambiguous",
                           params={"program": program, "partner": partner,
                                   "count": len(found)}, field="signed_on")
    return int(found[0])


def contribution(run: ImportRun, v: dict[str, Any]) -> str:
    """Record the contribution; a recorded one must match the file (else rejected)."""
    data = model(ContributionCreate, {
        "agreement_id": _agreement(run, v), "kind": v.get("kind") or "cash",
        "amount": v["amount"], "received_on": v["received_on"], "reference": v["reference"]})
    found = run.uow.session.scalar(select(Contribution).where(
        Contribution.reference == data.reference))
    if found is None:
        record_contribution(run.uow, data, actor=run.actor)
        return CREATED
    for name, column, wanted in (
            ("agreement_id", "partner", data.agreement_id), ("kind", "kind", data.kind),
            ("amount_centimes", "amount", centimes(data.amount)),
            ("received_on", "received_on", data.received_on)):
        if getattr(found, name) != wanted:
            raise InvalidInput(f"{column}: contribution {found.reference} is recorded with "
                               f"another {column}; an import does not correct received money",
                               code="import.contribution_differs",
                               params={"reference": found.reference, "column": column},
                               field=column)
    return UNCHANGED
