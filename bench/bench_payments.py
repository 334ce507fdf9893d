"""Benchmark: a month's payment run (build, approve, export, reconcile) against plain SQL.

    python bench/bench_payments.py [--grants 20000] [--pg URL] [--profile FILE]

Set-up (not timed): one program with a 40/40/20 tranche plan, ``--grants`` women registered
with a valid RIB (through the bulk registration service), each with an approved grant, and two
panel accounts (the builder, an officer; the approver, an admin). The provider's return file
(CSV, French headers and labels: mostly ``payé``, about 3 % ``échec`` with a reason, 1 %
``retourné``) is written beforehand. Then, in the same run, on two copies of that database, each
in its own child process, phase by phase:

- empower: ``build_batch`` (every grant's next tranche, payee, conditions; the reservations),
  ``approve_batch`` by the second person, export (``send_batch`` and the transfer file written:
  ``empower.io.payment_files.write_payment_file`` when it exists, else the instructions read
  through the ORM and written with ``csv``), and ``reconcile_batch`` of the return file (read
  with ``read_return_file`` when it exists, else ``csv`` and ``ReturnLine``), each phase one
  unit of work;
- baseline: plain SQL doing the same inserts and updates (INSERT the batch and its instructions
  with executemany, UPDATE grants in flight; UPDATE the batch; UPDATE instructions sent and the
  same file written with ``csv``; INSERT the disbursements, UPDATE grants disbursed / in flight /
  status, UPDATE the instructions), no rule and no audit, one transaction per phase.

Prints both per phase and in total, wall time and CPU time measured inside the child (a loaded
machine changes the CPU time less; on PostgreSQL it leaves out the server's), the ratios (goal:
within 3x), and the CPU of the whole child processes. SQLite always; PostgreSQL with ``--pg``
or ``EMPOWER_BENCH_PG_URL`` (databases created and dropped). ``--profile FILE`` writes a
cProfile of the empower child to FILE.sqlite and FILE.pg.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

# Run as `python bench/bench_payments.py`: this folder is on the path.
from bench_import import Run, _child, _PgDatabase
from sqlalchemy import create_engine, insert, text, update

import empower
from empower.models import Grant, Program, User, table_of
from empower.schemas import BeneficiaryCreate, ProgramCreate
from empower.services.beneficiaries import register_beneficiaries
from empower.vocab import Role

ACTOR = "bench"
BUILDER, APPROVER = "karima", "nadia"
BATCH = "PAY-BENCH-01"
APPROVED_ON = date.today() - timedelta(days=60)
PLANNED_ON = date.today() - timedelta(days=10)
SENT_ON = PLANNED_ON
PAID_ON = date.today() - timedelta(days=3)
FIRSTS = ["Fatima", "Khadija", "Aicha", "Meryem", "Zineb", "Naima", "Malika", "Hanane"]
LASTS = ["El Idrissi", "Benali", "Alaoui", "Tazi", "Ait Ali", "Bennani", "Ouazzani", "Amrani"]
RETURN_HEADER = ["Référence", "Statut", "Date de paiement", "Référence banque", "Motif"]


def rib(account: int) -> str:
    """A 24-digit RIB (bank 007, city 780) whose key passes the mod-97 check."""
    body = f"007780{account:016d}"
    return body + f"{97 - (int(body) * 100) % 97:02d}"


def setup(url: str, grants: int) -> None:
    """The program, the women with their RIB, one approved grant each, the two accounts."""
    db = empower.connect(url)
    db.upgrade()
    rng = random.Random(5)
    with db.unit_of_work() as uow:
        program = empower.create_program(uow, ProgramCreate.model_validate({
            "code": "BENCH", "name": "Bench", "start_date": date(2024, 1, 1),
            "budget": str(grants * 20_000), "grant_cap": "20000", "four_eyes": False,
            "tranche_shares": ["40", "40", "20"]}), actor=ACTOR)
        people = [BeneficiaryCreate.model_validate({
            "cin": f"BK{i:06d}", "first_name": rng.choice(FIRSTS), "last_name": rng.choice(LASTS),
            "birth_date": "1988-05-04", "province_code": "04.441", "consent_date": "2024-01-02",
            "registered_on": "2024-01-02", "rib": rib(100_000 + i)}) for i in range(grants)]
        ids: list[int] = []
        for start in range(0, grants, 5000):
            done = register_beneficiaries(uow, people[start:start + 5000], actor=ACTOR,
                                          today=date.today())
            assert not done.errors, done.errors[:3]
            ids.extend(done.created)
        amounts = [rng.randint(10, 40) * 500 * 100 for _ in ids]
        rows = [{"reference": f"BENCH-G-{n:06d}", "program_id": program.id, "beneficiary_id": bid,
                 "status": "approved", "amount_requested_centimes": amount,
                 "amount_approved_centimes": amount, "disbursed_centimes": 0,
                 "in_flight_centimes": 0, "submitted_on": APPROVED_ON - timedelta(days=20),
                 "approved_on": APPROVED_ON, "submitted_by": ACTOR, "approved_by": ACTOR}
                for n, (bid, amount) in enumerate(zip(ids, amounts, strict=True))]
        for start in range(0, len(rows), 5000):
            uow.session.execute(insert(table_of(Grant)), rows[start:start + 5000])
        uow.session.execute(update(Program).where(Program.id == program.id)
                            .values(committed_centimes=sum(amounts)))
        uow.session.add_all([User(username=BUILDER, password_hash="!", role=Role.OFFICER),
                             User(username=APPROVER, password_hash="!", role=Role.ADMIN)])
        uow.commit()
    db.dispose()


def return_file(path: Path, grants: int) -> tuple[int, int, int]:
    """The provider's answer for the batch's lines (their references are the batch's plus a
    line number): paid, failed (with a reason) and returned counts."""
    rng = random.Random(9)
    counts = [0, 0, 0]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(RETURN_HEADER)
        for n in range(1, grants + 1):
            draw = rng.random()
            ref = f"{BATCH}-{n:05d}"
            if draw < 0.96:
                out.writerow([ref, "payé", PAID_ON.strftime("%d/%m/%Y"), f"BP{n:08d}", ""])
                counts[0] += 1
            elif draw < 0.99:
                out.writerow([ref, "échec", "", "", rng.choice(["compte clôturé", "RIB erroné"])])
                counts[1] += 1
            else:
                out.writerow([ref, "retourné", "", "", "non retiré"])
                counts[2] += 1
    return counts[0], counts[1], counts[2]


EMPOWER = """
import csv, json, sys, time
from datetime import date
import empower
from empower.models import PaymentBatch
from empower.schemas import BatchCreate, ReturnLine
from sqlalchemy import select

url, return_path, out_path, times_path, planned, sent, profile = sys.argv[1:8]
planned, sent = date.fromisoformat(planned), date.fromisoformat(sent)
try:
    from empower.io import payment_files
except ImportError:
    payment_files = None
db = empower.connect(url)
times = {}

def run():
    start, cpu0 = time.perf_counter(), time.process_time()
    with db.unit_of_work() as uow:
        program = uow.session.scalar(select(empower.models.Program.id))
        built = empower.build_batch(uow, BatchCreate(program_id=program, channel="bank_transfer",
                                                     planned_on=planned, reference="{BATCH}"),
                                    actor="user:{BUILDER}")
        assert built.batch is not None and not built.left_out, built.left_out[:3]
        batch_id = built.batch.id
        uow.commit()
    times["build"] = time.perf_counter() - start
    times["cpu_build"] = time.process_time() - cpu0
    start, cpu0 = time.perf_counter(), time.process_time()
    with db.unit_of_work() as uow:
        empower.approve_batch(uow, batch_id, on=sent, actor="user:{APPROVER}")
        uow.commit()
    times["approve"] = time.perf_counter() - start
    times["cpu_approve"] = time.process_time() - cpu0
    start, cpu0 = time.perf_counter(), time.process_time()
    with db.unit_of_work() as uow:
        empower.send_batch(uow, batch_id, on=sent, actor="user:{BUILDER}")
        if payment_files is not None and hasattr(payment_files, "write_payment_file"):
            payment_files.write_payment_file(uow, batch_id, out_path, actor="user:{BUILDER}")
        else:
            batch = uow.session.get(PaymentBatch, batch_id)
            with open(out_path, "w", encoding="utf-8", newline="") as fh:
                out = csv.writer(fh, delimiter=";")
                out.writerow(["RIB", "Bénéficiaire", "Montant", "Référence"])
                for ins in batch.instructions:
                    out.writerow([ins.payee_rib, ins.payee_name,
                                  f"{ins.amount_centimes // 100}.{ins.amount_centimes % 100:02d}",
                                  ins.reference])
        uow.commit()
    times["export"] = time.perf_counter() - start
    times["cpu_export"] = time.process_time() - cpu0
    start, cpu0 = time.perf_counter(), time.process_time()
    if payment_files is not None and hasattr(payment_files, "read_return_file"):
        lines = payment_files.read_return_file(return_path)
    else:
        status = {"payé": "paid", "échec": "failed", "retourné": "returned"}
        with open(return_path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=";")
            next(reader)
            lines = [ReturnLine(line=n, reference=r[0], status=status[r[1]],
                                paid_on=(date(int(r[2][6:]), int(r[2][3:5]), int(r[2][:2]))
                                         if r[2] else None),
                                provider_reference=r[3] or None, reason=r[4] or None)
                     for n, r in enumerate(reader, start=2)]
    with db.unit_of_work() as uow:
        result = empower.reconcile_batch(uow, batch_id, lines, actor="user:{BUILDER}")
        uow.commit()
    times["reconcile"] = time.perf_counter() - start
    times["cpu_reconcile"] = time.process_time() - cpu0
    times["_counts"] = [result.paid, result.failed, result.returned]
    times["_file"] = "payment_files" if payment_files is not None else "csv"

if profile != "-":
    import cProfile
    cProfile.run("run()", profile)
else:
    run()
db.dispose()
with open(times_path, "w") as fh:
    json.dump(times, fh)
""".replace("{BATCH}", BATCH).replace("{BUILDER}", BUILDER).replace(
    "{APPROVER}", APPROVER)

BASELINE = """
import csv, json, sys, time
from datetime import date
from sqlalchemy import create_engine, text

url, return_path, out_path, times_path, planned, sent = sys.argv[1:7]
planned, sent = date.fromisoformat(planned), date.fromisoformat(sent)
engine = create_engine(url)
times = {}
start, cpu0 = time.perf_counter(), time.process_time()
with engine.begin() as conn:
    program = conn.execute(text("SELECT id FROM programs")).scalar_one()
    grants = conn.execute(text(
        "SELECT g.id, g.amount_approved_centimes, b.rib, b.first_name || ' ' || b.last_name "
        "FROM grants g JOIN beneficiaries b ON b.id = g.beneficiary_id "
        "WHERE g.program_id = :p AND g.status = 'approved' "
        "AND g.disbursed_centimes < g.amount_approved_centimes ORDER BY g.reference"),
        {"p": program}).all()
    batch = conn.execute(text(
        "INSERT INTO payment_batches (reference, program_id, channel, planned_on, status, "
        "created_by, created_at) VALUES ('{BATCH}', :p, 'bank_transfer', :d, 'draft', "
        "'user:{BUILDER}', CURRENT_TIMESTAMP) RETURNING id"), {"p": program, "d": planned}
        ).scalar_one()
    rows = [{"b": batch, "g": gid, "r": f"{BATCH}-{n:05d}", "a": approved * 40 // 100,
             "rib": rib, "name": name} for n, (gid, approved, rib, name) in enumerate(grants, 1)]
    conn.execute(text(
        "INSERT INTO payment_instructions (batch_id, grant_id, reference, tranche_number, "
        "amount_centimes, payee_name, payee_rib, status, created_at) "
        "VALUES (:b, :g, :r, 1, :a, :name, :rib, 'pending', CURRENT_TIMESTAMP)"), rows)
    conn.execute(text(
        "UPDATE grants SET in_flight_centimes = in_flight_centimes + :a WHERE id = :g "
        "AND status = 'approved' AND in_flight_centimes = 0 "
        "AND disbursed_centimes + :a <= amount_approved_centimes"), rows)
times["build"] = time.perf_counter() - start
times["cpu_build"] = time.process_time() - cpu0
start, cpu0 = time.perf_counter(), time.process_time()
with engine.begin() as conn:
    conn.execute(text("UPDATE payment_batches SET status = 'approved', approved_by = "
                      "'user:{APPROVER}', approved_on = :d WHERE id = :b AND status = 'draft'"),
                 {"d": sent, "b": batch})
times["approve"] = time.perf_counter() - start
times["cpu_approve"] = time.process_time() - cpu0
start, cpu0 = time.perf_counter(), time.process_time()
with engine.begin() as conn:
    conn.execute(text("UPDATE payment_batches SET status = 'sent', sent_on = :d WHERE id = :b"),
                 {"d": sent, "b": batch})
    conn.execute(text("UPDATE payment_instructions SET status = 'sent', sent_on = :d "
                      "WHERE batch_id = :b AND status = 'pending'"), {"d": sent, "b": batch})
    with open(out_path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["RIB", "Bénéficiaire", "Montant", "Référence"])
        for rib, name, amount, ref in conn.execute(text(
                "SELECT payee_rib, payee_name, amount_centimes, reference "
                "FROM payment_instructions WHERE batch_id = :b ORDER BY id"), {"b": batch}):
            out.writerow([rib, name, f"{amount // 100}.{amount % 100:02d}", ref])
times["export"] = time.perf_counter() - start
times["cpu_export"] = time.process_time() - cpu0
start, cpu0 = time.perf_counter(), time.process_time()
status = {"payé": "paid", "échec": "failed", "retourné": "returned"}
with open(return_path, encoding="utf-8", newline="") as fh:
    reader = csv.reader(fh, delimiter=";")
    next(reader)
    lines = [(r[0], status[r[1]], (date(int(r[2][6:]), int(r[2][3:5]), int(r[2][:2]))
                                   if r[2] else None), r[3] or None, r[4] or None)
             for r in reader]
with engine.begin() as conn:
    by_ref = {ref: (iid, gid, amount) for ref, iid, gid, amount in conn.execute(text(
        "SELECT reference, id, grant_id, amount_centimes FROM payment_instructions "
        "WHERE batch_id = :b"), {"b": batch})}
    paid = [{"r": ref, "g": by_ref[ref][1], "a": by_ref[ref][2], "d": day, "i": by_ref[ref][0],
             "pr": pref} for ref, st, day, pref, _why in lines if st == "paid"]
    other = [{"g": by_ref[ref][1], "a": by_ref[ref][2], "i": by_ref[ref][0], "st": st,
              "why": why, "d": sent} for ref, st, day, pref, why in lines if st != "paid"]
    conn.execute(text("INSERT INTO disbursements (reference, grant_id, amount_centimes, paid_on, "
                      "channel, created_at) VALUES (:r, :g, :a, :d, 'bank_transfer', "
                      "CURRENT_TIMESTAMP)"), paid)
    conn.execute(text("UPDATE grants SET disbursed_centimes = disbursed_centimes + :a, "
                      "in_flight_centimes = in_flight_centimes - :a, status = CASE WHEN "
                      "disbursed_centimes + :a = amount_approved_centimes THEN 'closed' "
                      "ELSE status END WHERE id = :g AND in_flight_centimes >= :a"), paid)
    conn.execute(text("UPDATE payment_instructions SET status = 'paid', paid_on = :d, "
                      "settled_on = :d, provider_reference = :pr, disbursement_id = "
                      "(SELECT id FROM disbursements WHERE reference = :r) WHERE id = :i "
                      "AND status = 'sent'"), paid)
    conn.execute(text("UPDATE grants SET in_flight_centimes = in_flight_centimes - :a "
                      "WHERE id = :g AND in_flight_centimes >= :a"), other)
    conn.execute(text("UPDATE payment_instructions SET status = :st, settled_on = :d, "
                      "failure_reason = :why WHERE id = :i AND status = 'sent'"), other)
    conn.execute(text("UPDATE payment_batches SET status = 'reconciled', reconciled_on = :d "
                      "WHERE id = :b"), {"d": sent, "b": batch})
times["reconcile"] = time.perf_counter() - start
times["cpu_reconcile"] = time.process_time() - cpu0
times["_counts"] = [len(paid), sum(1 for o in other if o["st"] == "failed"),
                    sum(1 for o in other if o["st"] == "returned")]
engine.dispose()
with open(times_path, "w") as fh:
    json.dump(times, fh)
""".replace("{BATCH}", BATCH).replace("{BUILDER}", BUILDER).replace(
    "{APPROVER}", APPROVER)

PHASES = ["build", "approve", "export", "reconcile"]


def _check(url: str, expected: tuple[int, int, int]) -> None:
    engine = create_engine(url)
    with engine.connect() as conn:
        paid = conn.execute(text("SELECT count(*), coalesce(sum(amount_centimes), 0) FROM "
                                 "disbursements")).one()
        flight = conn.execute(text("SELECT coalesce(sum(in_flight_centimes), 0) FROM grants")
                              ).scalar_one()
        settled = conn.execute(text("SELECT coalesce(sum(amount_centimes), 0) FROM "
                                    "payment_instructions WHERE status = 'paid'")).scalar_one()
    engine.dispose()
    assert paid[0] == expected[0] and paid[1] == settled and flight == 0, (paid, settled, flight)


def compare(label: str, folder: Path, empower_url: str, baseline_url: str,
            expected: tuple[int, int, int], profile: str | None) -> None:
    returned = folder / "return.csv"
    args = [str(returned), str(folder / "out.csv"), str(folder / "times.json"),
            PLANNED_ON.isoformat(), SENT_ON.isoformat()]
    base: Run = _child(BASELINE, baseline_url, *args)
    assert base.code == 0, "baseline failed"
    base_t = json.loads((folder / "times.json").read_text())
    _check(baseline_url, expected)
    ours: Run = _child(EMPOWER, empower_url, *args, profile or "-")
    assert ours.code == 0, f"empower run exited {ours.code}"
    ours_t = json.loads((folder / "times.json").read_text())
    assert tuple(ours_t["_counts"]) == expected, ours_t["_counts"]
    _check(empower_url, expected)
    print(f"{label} (file written with {ours_t['_file']})")
    print(f"  {'':10} {'wall: plain SQL':>16} {'empower':>8} {'ratio':>6}   "
          f"{'CPU: plain SQL':>15} {'empower':>8} {'ratio':>6}")
    for phase in [*PHASES, "total"]:
        if phase == "total":
            bw, ow = sum(base_t[p] for p in PHASES), sum(ours_t[p] for p in PHASES)
            bc, oc = (sum(base_t[f"cpu_{p}"] for p in PHASES),
                      sum(ours_t[f"cpu_{p}"] for p in PHASES))
        else:
            bw, ow, bc, oc = (base_t[phase], ours_t[phase], base_t[f"cpu_{phase}"],
                              ours_t[f"cpu_{phase}"])
        print(f"  {phase:10} {bw:14.2f} s {ow:6.2f} s {ow / max(bw, 1e-3):5.1f}x   "
              f"{bc:13.2f} s {oc:6.2f} s {oc / max(bc, 1e-3):5.1f}x")
    print(f"  (whole child processes, start-up included: {base.cpu:.1f} s vs {ours.cpu:.1f} s "
          f"CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=20_000)
    parser.add_argument("--pg", default=os.environ.get("EMPOWER_BENCH_PG_URL"),
                        help="PostgreSQL server URL (databases are created and dropped)")
    parser.add_argument("--profile", help="write cProfiles of the empower runs to FILE.sqlite, FILE.pg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        expected = return_file(folder / "return.csv", args.grants)
        print(f"{args.grants:,} approved grants with a RIB; return file: {expected[0]:,} paid, "
              f"{expected[1]:,} failed, {expected[2]:,} returned")
        setup(f"sqlite:///{folder / 'base.db'}", args.grants)
        shutil.copy(folder / "base.db", folder / "empower.db")
        shutil.copy(folder / "base.db", folder / "baseline.db")
        compare("SQLite", folder, f"sqlite:///{folder / 'empower.db'}",
                f"sqlite:///{folder / 'baseline.db'}", expected,
                args.profile and args.profile + ".sqlite")
        if args.pg:
            ours, theirs = _PgDatabase(args.pg), _PgDatabase(args.pg)
            try:
                setup(ours.url, args.grants)
                setup(theirs.url, args.grants)
                compare("PostgreSQL", folder, ours.url, theirs.url, expected,
                        args.profile and args.profile + ".pg")
            finally:
                ours.drop()
                theirs.drop()
        else:
            print("PostgreSQL: skipped (give --pg URL or EMPOWER_BENCH_PG_URL)")


if __name__ == "__main__":
    main()
