"""Grievances on top of :mod:`tests.scenarios` (no new people): in 04 a standard case of a
woman of 04 and a sexual-abuse case, in 01 a conduct case and an anonymous standard one.

Tests of scope and of the confidential channel use it; it is not part of the scenario the
reports read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import empower
from empower.schemas import GrievanceCreate
from tests.scenarios import IN, OUT, TODAY

__all__ = ["add_grievances"]


def add_grievances(db: empower.Database, scenario: Any) -> dict[str, int]:
    """Receive the four cases and commit; their ids by name."""
    woman = scenario.people["amina"]  # of 04
    rows = {
        "std04": {"category": "payment", "beneficiary_id": woman},
        "sea04": {"category": "sexual_exploitation_abuse", "province_code": IN},
        "cnd01": {"category": "conduct", "province_code": OUT},
        "std01": {"category": "training", "province_code": OUT},
    }
    out: dict[str, int] = {}
    with db.unit_of_work() as uow:
        for name, extra in rows.items():
            data = GrievanceCreate.model_validate(
                {
                    "reference": f"SC-{name}",
                    "received_on": TODAY - timedelta(days=30),
                    "channel": "phone",
                    **extra,
                }
            )
            out[name] = empower.receive_grievance(uow, data, actor="test:scenario").id
        uow.commit()
    return out
