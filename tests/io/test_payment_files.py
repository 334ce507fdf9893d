"""Payment files for each channel, the provider's return file, and ``empower payments ...``."""

from __future__ import annotations

import csv
import io
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

import empower
from empower.cli import main
from empower.errors import InvalidTransition, ReturnRefused
from empower.io.payment_files import payment_file, read_return_file, write_payment_file
from empower.models import AuditEvent, Disbursement, Grant, PaymentBatch, PaymentInstruction
from empower.schemas import BatchCreate
from empower.services._common import today
from empower.vocab import BatchStatus, InstructionStatus
from tests.factories import make_payable, make_program, make_user

CORPUS = Path(__file__).parent / "corpus" / "payments"
ON = date(2024, 4, 1)
SENT_ON = date(2024, 4, 2)
NAMES = [("Khadija", "Amrani"), ("Fatna", "Ouali"), ("Zineb", "El Idrissi"),
         ("Aïcha", "Bennani")]
BATCH = "PAY-AWAL-20240401-01"


@pytest.fixture
def cli_env(db: empower.Database, monkeypatch: pytest.MonkeyPatch) -> empower.Database:
    """``empower ...`` through :func:`empower.cli.main` on the test database, wide lines."""
    monkeypatch.setenv("EMPOWER_DATABASE_URL",
                       db.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("EMPOWER_DEFAULT_LANGUAGE", raising=False)
    return db


def _setup(db: empower.Database, *, women: int = 4, no_rib: int = 0) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow, tranche_shares=["40", "40", "20"])
        make_user(uow, "karima", "officer")
        make_user(uow, "nadia", "admin")
        for first, last in NAMES[:women]:
            make_payable(uow, program, first_name=first, last_name=last)
        for _ in range(no_rib):
            make_payable(uow, program, rib=None, first_name="Hafsa", last_name="Tazi")
        uow.commit()


def _batch(db: empower.Database, channel: str = "bank_transfer", *, approve: bool = True,
           send: bool = False) -> int:
    with db.unit_of_work() as uow:
        program = uow.session.scalar(select(empower.models.Program))
        assert program is not None
        built = empower.build_batch(uow, BatchCreate(program_id=program.id, channel=channel,
                                                     planned_on=ON), actor="user:karima")
        assert built.batch is not None
        if approve:
            empower.approve_batch(uow, built.batch.id, on=ON, actor="user:nadia")
        if send:
            empower.send_batch(uow, built.batch.id, on=SENT_ON, actor="user:karima")
        uow.commit()
        return built.batch.id


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _xlsx_rows(data: bytes) -> list[tuple[object, ...]]:
    wb = load_workbook(io.BytesIO(data))
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


# -- the files ---------------------------------------------------------------------------------


def test_a_transfer_file_has_rib_name_amount_and_label(db: empower.Database) -> None:
    _setup(db, women=2)
    batch_id = _batch(db)
    with db.unit_of_work(readonly=True) as uow:
        rows = _csv_rows(payment_file(uow, batch_id))
        sheet = _xlsx_rows(payment_file(uow, batch_id, fmt="xlsx"))
        ribs = {i.payee_rib for i in uow.session.scalars(select(PaymentInstruction))}
    assert rows[0] == ["Référence", "RIB", "Nom du bénéficiaire", "Montant (MAD)", "Libellé"]
    assert [r[0] for r in rows[1:]] == [f"{BATCH}-00001", f"{BATCH}-00002"]
    assert {r[1] for r in rows[1:]} == ribs and all(len(r[1]) == 24 for r in rows[1:])
    assert {r[2] for r in rows[1:]} == {"Khadija Amrani", "Fatna Ouali"}
    assert {r[3] for r in rows[1:]} == {"8000.00"}
    assert all(r[4].startswith("Subvention G-") and r[4].endswith("tranche 1") for r in rows[1:])
    # The workbook says the same; the RIB stays text (24 digits), the amount is a number.
    assert list(sheet[0]) == rows[0]
    assert [list(map(str, r[:3])) for r in sheet[1:]] == [r[:3] for r in rows[1:]]
    assert all(isinstance(r[1], str) and float(r[3]) == 8000.0 for r in sheet[1:])  # type: ignore[arg-type]


def test_a_cash_out_list_and_a_mobile_money_file(db: empower.Database) -> None:
    _setup(db, women=2)
    cash = _batch(db, "cash_out")
    with db.unit_of_work() as uow:
        empower.send_batch(uow, cash, on=SENT_ON, actor="user:karima")
        empower.reconcile_batch(uow, cash, [
            empower.schemas.ReturnLine(line=n + 2, reference=f"{BATCH}-0000{n + 1}",
                                       status="failed") for n in range(2)],
            actor="user:karima")
        uow.commit()
    mobile = _batch(db, "mobile_money")
    with db.unit_of_work(readonly=True) as uow:
        cash_rows = _csv_rows(payment_file(uow, cash))
        mobile_rows = _xlsx_rows(payment_file(uow, mobile, fmt="xlsx"))
        people = {(b.cin, b.phone) for b in uow.session.scalars(select(empower.models.Beneficiary))}
    assert cash_rows[0] == ["Référence", "CIN", "Nom du bénéficiaire", "Téléphone",
                            "Montant (MAD)"]
    assert {(r[1], r[3]) for r in cash_rows[1:]} == people
    assert list(mobile_rows[0]) == ["Référence", "Téléphone", "Nom du bénéficiaire",
                                    "Montant (MAD)"]
    assert {r[1] for r in mobile_rows[1:]} == {p for _, p in people}
    assert all(str(r[1]).startswith("+212") for r in mobile_rows[1:])


def test_the_pseudonymised_file_has_no_names(db: empower.Database) -> None:
    _setup(db, women=2)
    cash = _batch(db, "cash_out")
    with db.unit_of_work(readonly=True) as uow:
        data = payment_file(uow, cash, pseudonymised=True)
        sheet = payment_file(uow, cash, fmt="xlsx", pseudonymised=True)
    rows = _csv_rows(data)
    assert rows[0] == ["Référence", "CIN", "Téléphone", "Montant (MAD)"]
    assert all(r[1].startswith("AB") for r in rows[1:])
    for name in ("Khadija", "Amrani", "Fatna", "Ouali"):
        assert name.encode() not in data
        assert all(name not in str(c) for row in _xlsx_rows(sheet) for c in row)


def test_a_name_that_would_run_as_a_formula_is_written_as_text(db: empower.Database) -> None:
    _setup(db, women=1)
    batch_id = _batch(db)
    evil = '=HYPERLINK("http://evil.example/x","Khadija")'
    with db.unit_of_work() as uow:
        # A payee kept from before the name rules (the batch keeps her as she was).
        uow.session.execute(update(PaymentInstruction).values(payee_name=evil))
        uow.commit()
    with db.unit_of_work(readonly=True) as uow:
        rows = _csv_rows(payment_file(uow, batch_id))
        data = payment_file(uow, batch_id, fmt="xlsx")
    assert rows[1][2] == "'" + evil
    wb = load_workbook(io.BytesIO(data))
    cell = wb.worksheets[0]["C2"]
    assert cell.data_type == "s" and cell.value == "'" + evil
    wb.close()


def test_a_draft_or_cancelled_batch_has_no_file(db: empower.Database, tmp_path: Path) -> None:
    _setup(db, women=1)
    draft = _batch(db, approve=False)
    with db.unit_of_work(readonly=True) as uow, pytest.raises(InvalidTransition) as caught:
        payment_file(uow, draft)
    assert caught.value.code == "payment.file_not_approved"
    with pytest.raises(InvalidTransition):
        write_payment_file(db, draft, tmp_path / "f.csv", actor="user:karima")
    assert not (tmp_path / "f.csv").exists()
    with db.unit_of_work() as uow:
        empower.cancel_batch(uow, draft, on=ON, actor="user:karima")
        uow.commit()
    with db.unit_of_work(readonly=True) as uow, pytest.raises(InvalidTransition):
        payment_file(uow, draft, fmt="xlsx")


def test_writing_the_file_sends_the_batch_and_again_gives_the_same_file(
        db: empower.Database, tmp_path: Path) -> None:
    _setup(db, women=2)
    batch_id = _batch(db)
    first = write_payment_file(db, batch_id, tmp_path / "a.xlsx", actor="user:karima")
    assert first.marked_sent and first.lines == 2 and first.total_centimes == 1_600_000
    with db.unit_of_work(readonly=True) as uow:
        batch = uow.session.get(PaymentBatch, batch_id)
        assert batch is not None and batch.status == BatchStatus.SENT and batch.sent_on == today()
        assert {i.status for i in batch.instructions} == {InstructionStatus.SENT}
        sends = uow.session.scalars(select(AuditEvent).where(
            AuditEvent.entity == "payment_batch", AuditEvent.action == "send")).all()
        assert len(sends) == 1
    time.sleep(1.1)  # openpyxl stamps the clock (to the second) into what it saves
    again = write_payment_file(db, batch_id, tmp_path / "b.xlsx", actor="user:karima")
    assert not again.marked_sent
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    write_payment_file(db, batch_id, tmp_path / "a.csv", actor="user:karima")
    write_payment_file(db, batch_id, tmp_path / "b.csv", actor="user:karima")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


# -- return files ------------------------------------------------------------------------------


def test_the_return_file_reads_french_headers_and_labels() -> None:
    lines = read_return_file(CORPUS / "retour_barid.csv")
    assert [(ln.line, ln.reference[-5:], ln.status.value) for ln in lines] == [
        (2, "00001", "paid"), (3, "00002", "failed"), (4, "00003", "returned"),
        (5, "00001", "paid"), (7, "00004", "paid"), (8, "00007", "paid")]
    assert lines[0].paid_on == date(2024, 4, 5) and lines[0].provider_reference == "BC-2404-778812"
    assert lines[1].reason == "Compte clôturé" and lines[1].paid_on is None
    assert lines[4].paid_on == date(2024, 4, 6)


def test_a_return_workbook_with_english_headers(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["reference", "status", "paid_on", "provider_reference", "reason"])
    ws.append([f"{BATCH}-00001", "paid", datetime(2024, 4, 5), 778812, None])
    ws.append([f"{BATCH}-00002", "échouée", None, None, "RIB clos"])
    wb.save(tmp_path / "return.xlsx")
    lines = read_return_file(tmp_path / "return.xlsx")
    assert [(ln.line, ln.status.value, ln.paid_on) for ln in lines] == [
        (2, "paid", date(2024, 4, 5)), (3, "failed", None)]
    assert lines[0].provider_reference == "778812"


def test_every_unreadable_cell_is_named_with_its_line_column_and_value(tmp_path: Path) -> None:
    path = tmp_path / "retour.csv"
    path.write_text("Référence,Statut,Date de paiement\n"
                    f"{BATCH}-00001,peut-être,05/04/2024\n"
                    f"{BATCH}-00002,payé,31/02/2024\n"
                    f"{BATCH}-00003,payé,06/04/2024\n"
                    ",échec,\n", encoding="cp1252")
    with pytest.raises(ReturnRefused) as caught:
        read_return_file(path)
    problems = [(p.line, p.field, p.value) for p in caught.value.problems]
    assert problems == [(2, "status", "peut-être"), (3, "paid_on", "31/02/2024"),
                        (5, "reference", None)]
    assert "Statut" in caught.value.problems[0].message
    assert caught.value.code == "payment.return_cells_invalid"


# -- the command line --------------------------------------------------------------------------


def test_build_lists_what_was_left_out_grant_by_grant(
        cli_env: empower.Database, capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_env, women=2, no_rib=1)
    assert main(["payments", "build", "--program", "AWAL", "--channel", "bank_transfer",
                 "--on", "2024-04-01", "--as", "karima"]) == 0
    out = capsys.readouterr().out
    assert f"Lot {BATCH} préparé (brouillon) : 2 paiements, 16\u202f000,00 MAD" in out
    assert "Écartées (1)" in out and "RIB" in out
    with cli_env.unit_of_work(readonly=True) as uow:
        batch = uow.session.scalar(select(PaymentBatch))
        assert batch is not None and batch.created_by == "user:karima"
    # Nothing left to take: no batch, said plainly, exit 0.
    assert main(["payments", "build", "--program", "AWAL", "--channel", "bank_transfer",
                 "--on", "2024-04-01", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "No batch: no grant of AWAL is due on 2024-04-01" in out
    assert "already in open batch" in out


def test_the_whole_cycle_on_the_command_line(cli_env: empower.Database, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_env)
    assert main(["payments", "build", "--program", "AWAL", "--channel", "cash_out",
                 "--on", "2024-04-01", "--as", "karima", "--provider", "Barid Cash"]) == 0
    # The builder cannot sign her own batch off; nobody without an account can.
    assert main(["payments", "approve", BATCH, "--as", "karima", "--on", "2024-04-01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("erreur :") and "Traceback" not in err
    assert main(["payments", "approve", BATCH.lower(), "--as", "nadia", "--on", "2024-04-01"]) == 0
    assert "approuvé par user:nadia" in capsys.readouterr().out
    with cli_env.unit_of_work() as uow:
        # Sent on a known day, so the return file's payment dates come after it.
        empower.send_batch(uow, uow.session.scalar(select(PaymentBatch.id)), on=SENT_ON,
                           actor="user:karima")
        uow.commit()
    out_file = tmp_path / "barid.xlsx"
    assert main(["payments", "export", BATCH, str(out_file), "--pseudonymised"]) == 0
    assert "4 paiements" in capsys.readouterr().out
    assert list(_xlsx_rows(out_file.read_bytes())[0]) == ["Référence", "CIN", "Téléphone",
                                                          "Montant (MAD)"]

    # The provider's file as it came: refused whole for the line of another batch.
    assert main(["payments", "reconcile", BATCH, str(CORPUS / "retour_barid.csv")]) == 1
    err = capsys.readouterr().err
    assert "8" in err and "PAY-AWAL-20240315-01-00007" in err and "Traceback" not in err
    assert _count(cli_env, Disbursement) == 0
    fixed = tmp_path / "retour.csv"
    fixed.write_bytes(b"".join((CORPUS / "retour_barid.csv").read_bytes()
                               .splitlines(keepends=True)[:-1]))
    for _ in range(2):  # the same file twice changes nothing the second time
        assert main(["payments", "reconcile", BATCH, str(fixed)]) == 0
    first, second = [ln for ln in capsys.readouterr().out.splitlines() if "lignes lues" in ln]
    assert first.startswith("5 lignes lues : 2 payées (16\u202f000,00 MAD), 1 en échec, "
                            "1 retournées, 0 inchangées, 1 répétées")
    assert second.startswith("5 lignes lues : 0 payées") and "4 inchangées" in second
    with cli_env.unit_of_work(readonly=True) as uow:
        assert uow.session.scalar(select(PaymentBatch.status)) == BatchStatus.RECONCILED
        paid = uow.session.scalars(select(Disbursement)).all()
        assert sorted(d.reference[-5:] for d in paid) == ["00001", "00004"]
        assert sum(g.in_flight_centimes for g in uow.session.scalars(select(Grant))) == 0

    # A file contradicting what is reconciled is refused whole, naming its lines.
    contra = tmp_path / "contra.csv"
    contra.write_text(f"Référence;Statut;Date de paiement\n{BATCH}-00002;Payé;07/04/2024\n"
                      f"{BATCH}-00001;Payé;05/04/2024\n{BATCH}-00003;Payé;07/04/2024\n",
                      encoding="utf-8")
    assert main(["payments", "reconcile", BATCH, str(contra), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "2 line(s) cannot be applied (lines 2, 4)" in err
    assert "already reconciled as failed" in err and "already reconciled as returned" in err
    assert _count(cli_env, Disbursement) == 2

    assert main(["payments", "close", BATCH]) == 0
    assert main(["payments", "list", "--program", "AWAL"]) == 0
    out = capsys.readouterr().out
    assert "clôturé" in out and BATCH in out and "32\u202f000,00 MAD" in out


def test_export_and_cancel_refusals_are_one_line(cli_env: empower.Database, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _setup(cli_env, women=1)
    _batch(cli_env, approve=False)
    assert main(["payments", "export", BATCH, str(tmp_path / "f.csv"), "--lang", "en"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"error: batch {BATCH} is draft; its payment file is written once it is "
                   "approved (by a second person)")
    assert main(["payments", "export", "PAY-NONE", str(tmp_path / "f.csv")]) == 1
    assert "« PAY-NONE » n'existe pas" in capsys.readouterr().err
    assert main(["payments", "reconcile", BATCH, str(tmp_path / "missing.csv")]) == 2
    assert main(["payments", "cancel", BATCH, "--reason", "doublon"]) == 0
    assert main(["payments", "cancel", BATCH]) == 1
    assert main(["payments", "build", "--program", "NOPE", "--channel", "cash_out"]) == 1
    assert main(["payments", "build", "--program", "AWAL", "--channel", "cash_out",
                 "--on", "demain"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def _count(db: empower.Database, model: type) -> int:
    with db.unit_of_work(readonly=True) as uow:
        return len(uow.session.scalars(select(model)).all())


# -- RIB in imports and exports -----------------------------------------------------------------


def _spaced(rib: str) -> str:
    return " ".join(rib[i:i + 4] for i in range(0, 24, 4))


def test_a_rib_column_imports_checked_and_exports_only_in_full(db: empower.Database,
                                                               tmp_path: Path) -> None:
    from empower.io.exporting import export_kind
    from empower.io.importing import import_file
    from tests.factories import make_rib

    good, other = make_rib(41), make_rib(42)
    bad = other[:-2] + f"{(int(other[-2:]) + 1) % 100:02d}"
    people = tmp_path / "femmes.csv"
    people.write_text(
        "CIN;Prénom;Nom;Date de naissance;Province;Date du consentement;RIB\n"
        f"AB500001;Khadija;Amrani;1988-05-02;04.441;2024-01-10;{_spaced(good)}\n"
        f"AB500002;Fatna;Ouali;1990-07-11;04.441;2024-01-10;{bad}\n"
        "AB500003;Zineb;Idrissi;1991-02-03;04.441;2024-01-10;\n", encoding="utf-8")
    report = import_file(db, "beneficiaries", people, mode="valid-only", actor="import:f.csv")
    assert report.created == 2
    assert [(r.line, r.column, r.code) for r in report.rejections] == [(3, "RIB", "rib.bad_key")]
    with db.unit_of_work(readonly=True) as uow:
        stored = {b.cin: b.rib for b in uow.session.scalars(select(empower.models.Beneficiary))}
    assert stored == {"AB500001": good, "AB500003": None}
    # The same file again: the spaced RIB is the stored one, nothing changes.
    again = import_file(db, "beneficiaries", people, mode="valid-only", actor="import:f.csv")
    assert again.unchanged == 2 and again.updated == 0

    coops = tmp_path / "coops.csv"
    coops.write_text("Référence;Nom;Secteur;Province;Date de création;RIB\n"
                     f"C-1;Tifawin;argan;04.441;2019-03-01;{_spaced(other)}\n", encoding="utf-8")
    assert import_file(db, "cooperatives", coops, actor="import:c.csv").created == 1
    assert import_file(db, "cooperatives", coops, actor="import:c.csv").unchanged == 1

    full, pseudo = tmp_path / "full.csv", tmp_path / "pseudo.csv"
    for kind, rib in (("beneficiaries", good), ("cooperatives", other)):
        export_kind(db, kind, full)
        rows = list(csv.DictReader(full.open(encoding="utf-8-sig")))
        assert rib in {r["rib"] for r in rows}, kind
        export_kind(db, kind, pseudo, pseudonym_key="k" * 32, pseudonymize=True)
        text = pseudo.read_text(encoding="utf-8-sig")
        assert "rib" not in text.splitlines()[0] and rib not in text, kind
    # The full export imports back unchanged, RIB included.
    export_kind(db, "beneficiaries", full)
    assert import_file(db, "beneficiaries", full, actor="import:full.csv").unchanged == 2


def test_the_templates_have_the_rib_column(tmp_path: Path) -> None:
    from empower.io.template import write_template

    for kind in ("beneficiaries", "cooperatives"):
        path = write_template(kind, tmp_path / f"{kind}.xlsx")
        wb = load_workbook(path, read_only=True)
        header = next(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        assert "rib" in header, kind


def test_docs_list_the_return_file_headers() -> None:
    from empower.io.payment_files import RETURN_FILE

    doc = (Path(__file__).resolve().parents[2] / "docs" / "payments.md").read_text("utf-8")
    for col in RETURN_FILE.columns:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{col.name}` |"))
        assert all(alias in row for alias in col.aliases), col.name
