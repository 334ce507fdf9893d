"""Completion of an activity and what counts towards it: the pure rules and their SQL twins."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine, literal, select

from empower.predicates import attended, completion_met, completion_met_sql


@pytest.mark.parametrize(("present", "planned", "share", "met"), [
    (8, 10, 0.8, True),      # exactly the share, despite 0.8 * 10 in binary
    (7, 10, 0.8, False),
    (5, 12, 0.8, False),     # the "attended 5 of 12 sessions, 0.42 < 0.80"
    (10, 12, 0.8, True),
    (7, 10, 0.7, True),
    (1, 3, 1 / 3, True),
    (0, 1, 0.01, False),
    (3, 3, 1.0, True),
    (0, 0, 0.8, False),      # nothing planned: nothing to complete
])
def test_completion_met_and_its_sql_twin_agree(present: int, planned: int, share: float,
                                               met: bool) -> None:
    assert completion_met(present, planned, share) is met
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        sql = conn.scalar(select(completion_met_sql(literal(present), literal(planned),
                                                    literal(share))))
    assert bool(sql) is met


def test_only_present_at_a_held_session_by_the_day_counts() -> None:
    day = date(2024, 3, 4)
    assert attended("present", "held", day, day)
    assert not attended("present", "held", day, date(2024, 3, 3))
    assert not attended("excused", "held", day, day)
    assert not attended("absent", "held", day, day)
    assert not attended("present", "planned", day, day)
    assert not attended("present", "cancelled", day, day)
