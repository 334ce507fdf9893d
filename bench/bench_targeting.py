"""Benchmark: an intake's preview and its selection against hand-written SQL of the same rules.

    python bench/bench_targeting.py [--women 200000] [--applications 50000] [--places 5000]
                                    [--pg URL]

Set-up (not timed): ``--women`` women registered through ``register_beneficiaries`` (batches of
5,000) with varied ages, milieus, provinces, RSU scores (10% missing), household sizes (5%
missing), disability, education and marital status; 5% of them enrolled in another program
(``enrolled_elsewhere``); an intake of the program over three regions with six rules (age
between 18 and 55, milieu = rural, vulnerability_score < 70, household_size >= 2,
marital_status not in single, enrolled_elsewhere is false) and three weights (household size,
disability, widowhood); ``--applications`` of them apply through ``empower.apply`` (each judged
by the rules), then the intake is closed.

Timed, in the same run, on the same data:

- preview: ``empower.services.targeting.preview`` (by province and milieu, each rule and all)
  against one hand-written ``SELECT ... SUM(CASE ...) GROUP BY`` of the same six rules and the
  coverage; both must give the same counts;
- selection: ``select_intake`` (rank by score, then application date, registration and record
  number; enrol up to ``--places`` with the enrolment rules, waitlist the rest, audit events)
  against a hand-written ranking query and executemany UPDATEs of the statuses, ranks and dates
  (no rule, no audit). The baseline runs first in a transaction that is rolled back; neither
  time includes the commit. Both must select the same women in the same order.

Prints both times and the ratios (goal: within 3x). SQLite always; PostgreSQL with ``--pg`` or
``EMPOWER_BENCH_PG_URL`` (a database created and dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as `python bench/bench_targeting.py`: this folder is on the path.
from bench_import import _PgDatabase
from sqlalchemy import text

import empower
from empower import register_beneficiaries
from empower.models import Intake
from empower.predicates import birth_date_cutoff
from empower.reference import provinces
from empower.schemas import BeneficiaryCreate, EnrollmentCreate, IntakeCreate, ProgramCreate
from empower.services import targeting

BATCH = 5000
ACTOR = "script:bench"
OPENS, CLOSES, SELECT_ON = date(2024, 9, 1), date(2024, 10, 31), date(2024, 11, 5)
REGIONS = ["04", "06", "08"]
RULES = [{"field": "age", "op": "between", "value": [18, 55]},
         {"field": "milieu", "op": "=", "value": "rural"},
         {"field": "vulnerability_score", "op": "<", "value": 70},
         {"field": "household_size", "op": ">=", "value": 2},
         {"field": "marital_status", "op": "not in", "value": ["single"]},
         {"field": "enrolled_elsewhere", "op": "is false"}]
WEIGHTS = [{"field": "household_size", "weight": 2}, {"field": "disability", "weight": 5},
           {"field": "marital_status", "weight": 10, "equals": "widowed"}]


def _letters(n: int) -> str:
    # A distinct name per number (Latin letters only), so no two women look like duplicates.
    out = ""
    while True:
        n, k = divmod(n, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[k]
        if not n:
            return "Fa" + out


def _women(n: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    codes = [p["code"] for p in provinces()]
    near = [p["code"] for p in provinces() if p["region_code"] in REGIONS]
    rows = []
    for i in range(n):
        registered = date(2023, 1, 1) + timedelta(days=rng.randint(0, 500))
        rows.append({
            "cin": f"TG{100000 + i}", "first_name": _letters(i), "last_name": _letters(i // 7),
            "birth_date": date(1960, 1, 1) + timedelta(days=rng.randint(0, 16000)),
            "province_code": rng.choice(near) if rng.random() < 0.6 else rng.choice(codes),
            "milieu": rng.choice(["rural", "rural", "urban"]),
            "vulnerability_score": None if rng.random() < 0.1 else round(rng.uniform(0, 100), 1),
            "household_size": None if rng.random() < 0.05 else rng.randint(1, 9),
            "disability": rng.random() < 0.08,
            "education_level": rng.choice(["none", "literacy_program", "primary",
                                           "lower_secondary", "upper_secondary", "higher"]),
            "marital_status": rng.choice(["single", "married", "married", "divorced",
                                          "widowed"]),
            "consent_date": registered, "registered_on": registered})
    return rows


def setup(url: str, women: int, applications: int, places: int) -> int:
    """Register, enrol some elsewhere, make the intake, apply; returns the intake's id."""
    start = time.perf_counter()
    db = empower.connect(url)
    db.upgrade()
    rows = _women(women)
    with db.unit_of_work() as uow:
        main = empower.create_program(uow, ProgramCreate(
            code="TARGET", name="Appel bench", start_date=date(2024, 1, 1),
            budget=Decimal("100000000"), four_eyes=False), actor=ACTOR)
        other = empower.create_program(uow, ProgramCreate(
            code="OTHER", name="Autre programme", start_date=date(2024, 1, 1),
            budget=Decimal("100000000"), four_eyes=False), actor=ACTOR)
        main_id, other_id = main.id, other.id
        for i in range(0, len(rows), BATCH):
            result = register_beneficiaries(
                uow, [BeneficiaryCreate.model_validate(r) for r in rows[i:i + BATCH]],
                actor=ACTOR, today=date(2024, 6, 1))
            if result.errors:
                raise SystemExit(f"row refused: {result.errors[0].message}")
        uow.commit()
    with db.unit_of_work() as uow:
        ids = list(uow.session.scalars(text("SELECT id FROM beneficiaries ORDER BY id")))
    rng = random.Random(9)
    rng.shuffle(ids)
    elsewhere, applicants = ids[:len(ids) // 20], ids[len(ids) // 20:][:applications]
    with db.unit_of_work() as uow:
        for bid in elsewhere:
            empower.apply(uow, EnrollmentCreate(beneficiary_id=bid, program_id=other_id,
                                                applied_on=date(2024, 6, 1),
                                                enrolled_on=date(2024, 6, 1)), actor=ACTOR)
        intake = targeting.create_intake(uow, IntakeCreate.model_validate({
            "program_id": main_id, "code": "BENCH-2024", "name": "Appel bench 2024",
            "opens_on": OPENS, "closes_on": CLOSES, "places": places, "region_codes": REGIONS,
            "rules": RULES, "weights": WEIGHTS}), actor=ACTOR)
        targeting.open_intake(uow, intake.id, on=OPENS, actor=ACTOR)
        intake_id = intake.id
        uow.commit()
    for i in range(0, len(applicants), BATCH):
        with db.unit_of_work() as uow:
            for k, bid in enumerate(applicants[i:i + BATCH]):
                empower.apply(uow, EnrollmentCreate(
                    beneficiary_id=bid, program_id=main_id,
                    applied_on=OPENS + timedelta(days=(i + k) % 60), intake_id=intake_id),
                    actor=ACTOR)
            uow.commit()
    with db.unit_of_work() as uow:
        targeting.close_intake(uow, intake_id, on=CLOSES, actor=ACTOR)
        eligible = uow.session.execute(text(
            "SELECT count(*) FROM enrollments WHERE intake_id = :i AND eligible"),
            {"i": intake_id}).scalar_one()
        uow.commit()
    db.dispose()
    print(f"  set-up: {women:,} women, {len(elsewhere):,} enrolled elsewhere, "
          f"{len(applicants):,} applications ({eligible:,} eligible), {places:,} places "
          f"({time.perf_counter() - start:.0f} s, not timed)")
    return intake_id


# The preview by hand: the same six rules and the coverage, as an analyst would write them.
PREVIEW_SQL = """
SELECT b.province_code, b.milieu, count(*),
  SUM(CASE WHEN b.birth_date <= :age_low AND b.birth_date > :age_high THEN 1 ELSE 0 END),
  SUM(CASE WHEN b.milieu = 'rural' THEN 1 ELSE 0 END),
  SUM(CASE WHEN b.vulnerability_score < 70 THEN 1 ELSE 0 END),
  SUM(CASE WHEN b.household_size >= 2 THEN 1 ELSE 0 END),
  SUM(CASE WHEN b.marital_status NOT IN ('single') THEN 1 ELSE 0 END),
  SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.beneficiary_id = b.id
        AND e.program_id <> :program AND e.enrolled_on IS NOT NULL AND e.enrolled_on <= :on
        AND (e.exited_on IS NULL OR e.exited_on > :on)) THEN 1 ELSE 0 END),
  SUM(CASE WHEN b.birth_date <= :age_low AND b.birth_date > :age_high AND b.milieu = 'rural'
        AND b.vulnerability_score < 70 AND b.household_size >= 2
        AND b.marital_status NOT IN ('single')
        AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.beneficiary_id = b.id
        AND e.program_id <> :program AND e.enrolled_on IS NOT NULL AND e.enrolled_on <= :on
        AND (e.exited_on IS NULL OR e.exited_on > :on))
        AND p.region_code IN ('04', '06', '08') THEN 1 ELSE 0 END)
FROM beneficiaries b JOIN provinces p ON p.code = b.province_code
WHERE b.registered_on <= :on AND b.erased_on IS NULL
  AND NOT EXISTS (SELECT 1 FROM archive_periods a WHERE a.beneficiary_id = b.id
                  AND a.archived_on <= :on AND (a.restored_on IS NULL OR a.restored_on > :on))
GROUP BY b.province_code, b.milieu ORDER BY b.province_code, b.milieu
"""

RANKING_SQL = """
SELECT e.id FROM enrollments e JOIN beneficiaries b ON b.id = e.beneficiary_id
WHERE e.intake_id = :intake AND e.eligible = :yes AND e.status = 'applied'
ORDER BY e.score DESC, e.applied_on, b.registered_on, e.beneficiary_id
"""


def _timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def compare(label: str, url: str, intake_id: int) -> None:
    db = empower.connect(url)
    with db.unit_of_work() as uow:
        intake = uow.session.get(Intake, intake_id)
        assert intake is not None
        program_id, places = intake.program_id, intake.places
    params = {"age_low": birth_date_cutoff(18, CLOSES), "age_high": birth_date_cutoff(56, CLOSES),
              "program": program_id, "on": CLOSES}
    # Preview: each twice, the second measured (a warm cache for both).
    with db.unit_of_work(readonly=True) as uow:
        uow.session.execute(text(PREVIEW_SQL), params).all()
        base_s, base = _timed(lambda: uow.session.execute(text(PREVIEW_SQL), params).all())
    with db.unit_of_work(readonly=True) as uow:
        targeting.preview(uow, intake_id, on=CLOSES)
        ours_s, ours = _timed(lambda: targeting.preview(uow, intake_id, on=CLOSES))
    theirs = [(str(r[0]), str(getattr(r[1], "value", r[1])), *(int(x) for x in r[2:]))
              for r in base]
    mine = [(r.province_code, r.milieu, r.registered, *r.passing, r.passing_all) for r in ours]
    assert theirs == mine, "the preview and the hand-written SQL disagree"
    print(f"{label:10} preview    hand-written SQL {base_s:6.2f} s   empower preview "
          f"{ours_s:6.2f} s   ratio {ours_s / base_s:4.1f}x  "
          f"({sum(r[2] for r in mine):,} women, {sum(r[-1] for r in mine):,} pass all)")

    # Selection: the baseline in a transaction rolled back, then empower's, same data.
    def by_hand(uow: empower.UnitOfWork) -> list[int]:
        ranked = list(uow.session.scalars(text(RANKING_SQL), {"intake": intake_id, "yes": True}))
        chosen = [{"i": i, "r": r} for r, i in enumerate(ranked[:places], start=1)]
        waiting = [{"i": i, "r": r} for r, i in enumerate(ranked[places:], start=places + 1)]
        if chosen:
            uow.session.execute(text("UPDATE enrollments SET status = 'enrolled', "
                                     "enrolled_on = :on, rank = :r WHERE id = :i"),
                                [{**c, "on": SELECT_ON} for c in chosen])
        if waiting:
            uow.session.execute(text("UPDATE enrollments SET status = 'waitlisted', "
                                     "waitlisted_on = :on, rank = :r WHERE id = :i"),
                                [{**w, "on": SELECT_ON} for w in waiting])
        uow.session.execute(text("UPDATE intakes SET status = 'selected', selected_on = :on "
                                 "WHERE id = :i"), {"on": SELECT_ON, "i": intake_id})
        return [c["i"] for c in chosen]

    with db.unit_of_work() as uow:
        base_s, chosen = _timed(lambda: by_hand(uow))
        uow.rollback()
    with db.unit_of_work() as uow:
        ours_s, result = _timed(lambda: targeting.select_intake(uow, intake_id, on=SELECT_ON,
                                                                actor=ACTOR))
        uow.commit()
    assert result.selected == chosen, "the selection and the hand-written ranking disagree"
    with db.unit_of_work(readonly=True) as uow:
        enrolled = uow.session.execute(text(
            "SELECT count(*) FROM enrollments WHERE intake_id = :i AND status = 'enrolled'"),
            {"i": intake_id}).scalar_one()
    assert enrolled == len(chosen)
    print(f"{label:10} selection  hand-written SQL {base_s:6.2f} s   empower select_intake "
          f"{ours_s:6.2f} s   ratio {ours_s / base_s:4.1f}x  ({len(result.selected):,} "
          f"selected, {len(result.waitlisted):,} waitlisted, {len(result.skipped):,} skipped)")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--women", type=int, default=200_000)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--places", type=int, default=5_000)
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"),
                        help="PostgreSQL server URL (a database is created and dropped)")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="PostgreSQL only (the SQLite run takes ten minutes of set-up)")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            print("SQLite")
            intake_id = setup(url, args.women, args.applications, args.places)
            compare("SQLite", url, intake_id)
    if args.pg:
        pg = _PgDatabase(args.pg)
        try:
            print("PostgreSQL")
            intake_id = setup(pg.url, args.women, args.applications, args.places)
            compare("PostgreSQL", pg.url, intake_id)
        finally:
            pg.drop()
    else:
        print("PostgreSQL: skipped (give --pg URL or EMPOWER_BENCH_PG_URL)")


if __name__ == "__main__":
    main()
