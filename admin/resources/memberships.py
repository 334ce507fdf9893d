"""Memberships: who is in which cooperative (written from the cooperative's page)."""

from __future__ import annotations

from empower import vocab

from .. import models as m
from .base import N_, Column, Filter, Resource
from .filters import equals, vocab_options

__all__ = ["resource"]

_C = Column

resource = Resource(
    "memberships", N_("Members"), m.Membership,
    [_C("id", "#"), _C("cooperative_id", N_("Cooperative"), "link"),
     _C("beneficiary_id", N_("Beneficiary"), "link"), _C("role", N_("Role"), "label"),
     _C("joined_on", N_("Joined on"), "date"), _C("left_on", N_("Left on"), "date")],
    lambda p: p.scope_by_beneficiary, None, "",
    [Filter("role", N_("Role"), vocab_options(vocab.CooperativeRole),
            equals("role", vocab.CooperativeRole))], has_detail=False)
