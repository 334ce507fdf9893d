"""Properties of the KPI functions on random facts (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from empower.reports import kpis
from empower.reports.period import Month
from hypothesis import given, settings
from hypothesis import strategies as st

OCT = Month(2026, 10)
PLACES = [("04", "04.441"), ("06", "06.141"), ("06", "06.181")]
DAYS = st.integers(min_value=-60, max_value=60).map(lambda d: date(2026, 10, 15) + timedelta(d))

enrolment = st.fixed_dictionaries({
    "beneficiary_id": st.integers(1, 12),
    "enrolled_on": DAYS,
    "exit_after": st.one_of(st.none(), st.integers(0, 60)),
    "archived_on": st.one_of(st.none(), DAYS),
    "restored_after": st.one_of(st.none(), st.integers(0, 60)),
})


def _frame(rows):
    out = []
    for r in rows:
        region, province = PLACES[r["beneficiary_id"] % 3]
        exited = None if r["exit_after"] is None else r["enrolled_on"] + timedelta(r["exit_after"])
        out.append({"beneficiary_id": r["beneficiary_id"], "region": region,
                    "province": province, "age_band": "25-34", "milieu": "rural",
                    "enrolled_on": r["enrolled_on"], "exited_on": exited,
                    "exit_reason": None if exited is None else "completed",
                    # her archive period is hers, whichever row
                    "archive_periods": None})
    frame = pd.DataFrame(out, columns=["beneficiary_id", "region", "province", "age_band",
                                       "milieu", "enrolled_on", "exited_on", "exit_reason",
                                       "archive_periods"])
    archive = {r["beneficiary_id"]: _period(r) for r in rows}
    frame["archive_periods"] = frame["beneficiary_id"].map(archive)
    frame["archived_on"] = frame["beneficiary_id"].map(
        {r["beneficiary_id"]: r["archived_on"] for r in rows})
    frame["restored_on"] = frame["beneficiary_id"].map(
        {r["beneficiary_id"]: _restore(r) for r in rows})
    return frame


def _restore(r):
    if r["archived_on"] is None or r["restored_after"] is None:
        return None
    return r["archived_on"] + timedelta(r["restored_after"])


def _period(r):
    if r["archived_on"] is None:
        return None
    back = _restore(r)
    return f"{r['archived_on'].isoformat()}/{back.isoformat() if back else ''}"


def _grouped_like_the_extract(frame):
    """Women with one row lose their id and are counted; the others keep it (as extract does)."""
    counts = frame["beneficiary_id"].value_counts()
    alone = frame[frame["beneficiary_id"].map(counts) == 1].drop(columns="beneficiary_id")
    keys = list(alone.columns)
    alone = (alone.astype(object).where(alone.notna(), "<none>").groupby(keys).size()
             .rename("n").reset_index().replace("<none>", None))
    alone.insert(0, "beneficiary_id", pd.array([pd.NA] * len(alone), dtype="Int64"))
    many = frame[frame["beneficiary_id"].map(counts) > 1].assign(n=1)
    many["beneficiary_id"] = many["beneficiary_id"].astype("Int64")
    return pd.concat([alone, many[alone.columns]], ignore_index=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(enrolment, max_size=25))
def test_active_enrollments_counts_each_woman_once(rows):
    frame = _frame(rows)
    end = OCT.end
    expected = {r.beneficiary_id for r in frame.itertuples()
                if r.enrolled_on <= end and (pd.isna(r.exited_on) or r.exited_on > end)
                and not (pd.notna(r.archived_on) and r.archived_on <= end
                         and (pd.isna(r.restored_on) or r.restored_on > end))}
    frame = frame.drop(columns=["archived_on", "restored_on"])
    result = kpis.active_enrollments(frame, OCT)
    assert int(result["n"].sum()) == len(expected)
    # grouping women with a single row, as the extract does, changes nothing
    grouped = kpis.active_enrollments(_grouped_like_the_extract(frame), OCT)
    assert int(grouped["n"].sum()) == len(expected)
    by_region = grouped.groupby("region")["n"].sum().to_dict()
    assert sum(by_region.values()) == len(expected)
    assert int(kpis.new_enrollments(_grouped_like_the_extract(frame), OCT)["n"].sum()) == sum(
        1 for r in rows if OCT.start <= r["enrolled_on"] <= end)
