"""My open grievances: the open cases assigned to her (or received by her and not yet
assigned), the nearest due date first, each due date marked on track, at risk or late.

The same rows, columns, page and actions as :mod:`.grievances` (its rules of who sees what
hold here too), narrowed by :func:`.grievances.mine`.
"""

from __future__ import annotations

from .. import models as m
from .base import N_, Resource
from .filters import search_fields
from .grievances import ACTIONS, COLUMNS, EXTRA, FILTERS, mine, page, shown

__all__ = ["resource"]

resource = Resource(
    "my_grievances",
    N_("My open grievances"),
    m.Grievance,
    COLUMNS,
    mine,
    search_fields("reference"),
    N_("Reference"),
    [f for f in FILTERS if f.name in ("mark", "category")],
    extra=EXTRA,
    actions=ACTIONS,
    page=page,
    page_template="_grievance.html",
    audit_entity="grievance",
    default_sort="due_on",
    shown=shown,
)
