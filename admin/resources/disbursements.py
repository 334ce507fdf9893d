"""Tranches: the payments of a grant (paid from the grant's page)."""

from __future__ import annotations

from empower import vocab

from .. import models as m
from .base import N_, Column, Filter, Resource
from .filters import equals, search_fields, vocab_options

__all__ = ["resource"]

_C = Column

resource = Resource(
    "disbursements", N_("Tranches"), m.Disbursement,
    [_C("id", "#"), _C("reference", N_("Reference")), _C("grant_id", N_("Grant"), "link"),
     _C("amount_centimes", N_("Amount"), "mad"), _C("paid_on", N_("Paid on"), "date"),
     _C("channel", N_("Channel"), "label")],
    lambda p: p.scope_disbursements, search_fields("reference"), N_("Reference"),
    [Filter("channel", N_("Channel"), vocab_options(vocab.Channel),
            equals("channel", vocab.Channel))], has_detail=False)
