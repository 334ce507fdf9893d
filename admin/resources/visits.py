"""Coaching visits to a woman's or a cooperative's project; the overdue ones.

A visit is overdue when its next visit was due before today (:func:`overdue`: the list's filter
and the dashboard's card). The coach's note is personal: shown only to the roles that see
personal data (column kind ``personal``, hidden from viewers like CIN and phone are masked).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.queryset import QuerySet

import empower
from empower import vocab
from empower.models import utcnow
from empower.schemas import VisitCreate, parse_input

from .. import models as m
from ..compat import gettext
from ..forms import Field, FormSpec, form_data
from ..scope import Principal, check_coop, check_person, check_program
from .base import N_, Column, Filter, Resource
from .filters import by_int, equals, program_options, search_fields, vocab_options

__all__ = ["overdue", "resource"]

_C = Column

FIELDS = [
    Field("reference", N_("Reference"), required=True),
    Field("program_id", N_("Program"), "select", "programs", required=True),
    Field("beneficiary_id", N_("Beneficiary #"), "number"),
    Field("cooperative_id", N_("Cooperative #"), "number"),
    Field("visited_on", N_("Visited on"), "date", required=True),
    Field("kind", N_("Kind"), "select", vocab.VisitKind, required=True),
    Field("next_visit_due", N_("Next visit due"), "date"),
    Field("note", N_("Note"), "textarea"),
]


def overdue(qs: QuerySet[Any], today: date) -> QuerySet[Any]:
    """The visits whose next visit was due before ``today``."""
    return qs.filter(next_visit_due__lt=today)


def _overdue_filter(qs: QuerySet[Any], value: str, _p: Principal) -> QuerySet[Any]:
    return overdue(qs, utcnow().date()) if value == "yes" else qs


def create(uow: Any, values: dict[str, Any], p: Principal) -> str:
    data = parse_input(VisitCreate, form_data(FIELDS, values))
    check_program(uow, p, data.program_id)
    check_person(uow, p, data.beneficiary_id)
    check_coop(uow, p, data.cooperative_id)
    visit = empower.record_visit(uow, data, actor=p.actor)
    return f"/coaching_visits/{visit.id}"


resource = Resource(
    "coaching_visits", N_("Coaching visits"), m.CoachingVisit,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("program_id", N_("Program"), "link"),
     _C("beneficiary_id", N_("Beneficiary"), "link"),
     _C("cooperative_id", N_("Cooperative"), "link"), _C("visited_on", N_("Visited on"), "date"),
     _C("kind", N_("Kind"), "label"), _C("next_visit_due", N_("Next visit due"), "date")],
    lambda p: p.within, search_fields("reference"), N_("Reference"),
    [Filter("overdue", N_("Overdue"), lambda _p: [("yes", gettext("Overdue"))],
            _overdue_filter),
     Filter("kind", N_("Kind"), vocab_options(vocab.VisitKind), equals("kind", vocab.VisitKind)),
     Filter("program", N_("Program"), program_options, by_int("program_id"))],
    extra=[_C("note", N_("Note"), "personal", sortable=False)],
    create=FormSpec(FIELDS, create, N_("Record a coaching visit")),
    audit_entity="visit",
)
