"""Month-on-month change of every figure's total: this month against the month before.

Both months are computed from the same state of the database by the same KPI code (the month
before is its report's totals, not its frozen snapshot), so a change is what happened between
the months, not a late correction. Counts change by a whole number, amounts by MAD (an exact
two-decimal string), shares by percentage points, medians by their own unit. A change whose
either month would be suppressed is marked suppressed: a published format hides it too (a
change from a hidden figure would tell it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from empower.reports.figures import CATALOGUE

__all__ = ["month_on_month"]

KINDS = {k.key: k.kind for k in CATALOGUE}


def _hidden(figure: dict[str, Any]) -> bool:
    return bool(figure.get("suppressed"))


def _change(kind: str, now: Any, before: Any) -> tuple[Any, str]:
    if now is None or before is None:
        return None, "points" if kind in ("share", "money_share") else kind
    if kind in ("share", "money_share"):
        return round((float(now) - float(before)) * 100, 2), "points"
    if kind in ("money", "median_money"):
        return f"{Decimal(str(now)) - Decimal(str(before)):.2f}", "MAD"
    if kind == "count":
        return int(now) - int(before), "count"
    change = round(float(now) - float(before), 2)  # median days
    return (int(change) if change.is_integer() else change), "days"


def month_on_month(figures: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]],
                   previous_month: str) -> dict[str, dict[str, Any]]:
    """``{kpi: {"previous_month", "previous", "change", "unit", "suppressed"}}`` for every KPI
    of ``figures`` that ``previous`` (the month before's figures, totals enough) has too."""
    out: dict[str, dict[str, Any]] = {}
    for key, figure in figures.items():
        before = previous.get(key)
        if before is None:
            continue
        kind = KINDS.get(key, "count")
        change, unit = _change(kind, figure.get("value"), before.get("value"))
        out[key] = {"previous_month": previous_month, "previous": before.get("value"),
                    "change": change, "unit": unit,
                    "suppressed": _hidden(figure) or _hidden(before)}
    return out
