"""A resource that is not part of the panel: the frozen monthly reports, for admins, read only.

It is what adding a resource takes: this one file (a module of ``admin/resources/`` in the
real panel) and one registration line (``test_extending.py`` passes it to ``create_app``).
"""

from __future__ import annotations

from empower.admin import models as m
from empower.admin.resources import Column, Filter, Resource
from empower.admin.resources.filters import search_fields


def _months(_p):
    return [("2024-01", "2024-01"), ("2024-02", "2024-02")]


resource = Resource(
    "snapshots", "Frozen reports", m.ReportSnapshot,
    [Column("id", "#"), Column("month", "Month"), Column("scope", "Scope"),
     Column("frozen_at", "Frozen at", "datetime"), Column("frozen_by", "Frozen by")],
    lambda p: p.scope_all, search_fields("scope", "frozen_by"), "Scope or who froze it",
    [Filter("month", "Month", _months, lambda qs, v, _p: qs.filter(month=v))],
    admin_only=True, has_detail=False,
    extra=[Column("checksum", "Checksum")],
)
