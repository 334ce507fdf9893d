"""Payment batches on top of :mod:`tests.scenarios`, from its own grants (no new people, so the
scenario's other figures stay as they are):

- ``AWAL`` (national) built without a region: a cash-out of Amina's (04) and the Khadija of
  01's grants, the whole country's batch, which no set of regions covers;
- ``ATLAS`` (04) for region 04: a transfer to the cooperative of 04;
- ``NORD`` (01) for region 01: a transfer to the cooperative of 01.

Tests of scope use it; it is not part of the scenario the reports read.
"""

from __future__ import annotations

from typing import Any

import empower
from empower.models import Cooperative
from empower.schemas import BatchCreate
from tests.factories import make_rib
from tests.scenarios import TODAY

__all__ = ["add_batches"]


def add_batches(db: empower.Database, scenario: Any) -> dict[str, int]:
    """Build the three batches (drafts) and commit; their ids by name (``national``, ``b04``,
    ``b01``)."""
    out: dict[str, int] = {}
    with db.unit_of_work() as uow:
        for n, key in enumerate(("k04", "k01"), start=1):
            # (a RIB set as a correction would set it; the service's rules are not the point)
            uow.session.get(Cooperative, scenario.cooperatives[key]).rib = make_rib(500 + n)
        uow.flush()
        for name, program, channel, region in (("national", "AWAL", "cash_out", None),
                                               ("b04", "ATLAS", "bank_transfer", "04"),
                                               ("b01", "NORD", "bank_transfer", "01")):
            built = empower.build_batch(uow, BatchCreate(
                program_id=scenario.programs[program], channel=channel, planned_on=TODAY,
                region_code=region), actor="user:payer")
            assert built.batch is not None, built.left_out
            out[name] = built.batch.id
        uow.commit()
    return out
