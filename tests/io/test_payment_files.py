"""A payment run through its files and the ``empower payments`` command: the provider's file
for each channel, a realistic return file in French, reconciliation twice, refusals."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import empower
from empower.cli import main
from empower.errors import InvalidTransition, ReturnRefused
from empower.io.payment_files import payment_file, read_return_file, write_payment_file
from empower.models import Disbursement, Grant, PaymentBatch
from empower.schemas import BatchCreate
from empower.vocab import BatchStatus, InstructionStatus
from tests.factories import make_payable, make_program, make_user

ON = date(2024, 4, 1)


@pytest.fixture
def run(db: empower.Database, db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EMPOWER_DATABASE_URL", db_url)

    def command(*args: str) -> int:
        return main(list(args))

    return command


def _batch(db: empower.Database, channel: str = "bank_transfer", n: int = 3,
           **person: object) -> tuple[str, list[int]]:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        make_user(uow, "karima", "officer")
        make_user(uow, "nadia", "admin")
        grants = [make_payable(uow, program, first_name="Fatima", **person).id
                  for _ in range(n)]
        built = empower.build_batch(uow, BatchCreate(program_id=program.id, channel=channel,
                                                     planned_on=ON), actor="user:karima")
        assert built.batch is not None
        uow.commit()
        return built.batch.reference, grants


def test_each_channel_has_its_file_and_cells_are_spreadsheet_safe(db: empower.Database,
                                                                  tmp_path: Path) -> None:
    reference, _ = _batch(db, "cash_out", n=2)
    with db.unit_of_work() as uow:
        batch = uow.session.scalars(select(PaymentBatch)).one()
        with pytest.raises(InvalidTransition) as caught:
            payment_file(uow, batch.id)
        assert caught.value.code == "payment.file_needs_approval"
        empower.approve_batch(uow, batch.id, on=ON, actor="user:nadia")
        content = payment_file(uow, batch.id).decode("utf-8-sig")
        lines = content.strip().splitlines()
        assert lines[0] == "Référence;CIN;Nom du bénéficiaire;Téléphone;Montant (MAD)"
        assert len(lines) == 3 and "20000.00" in lines[1]
        # Every cell passes through the spreadsheet guard; a phone stays +212... (inert).
        assert ";+2126" in lines[1] and ";'" not in lines[1]
        hidden = payment_file(uow, batch.id, pseudonymised=True).decode("utf-8-sig")
        assert "Fatima" not in hidden and "Nom" not in hidden.splitlines()[0]
        book = load_workbook(io.BytesIO(payment_file(uow, batch.id, fmt="xlsx")))
        rows = list(book.active.values)
        assert rows[0][1] == "CIN" and rows[1][4] == 20000.0
        uow.commit()
    out = tmp_path / "barid-cash.csv"
    assert write_payment_file(db, reference, out, actor="user:karima", on=ON) == 2
    with db.unit_of_work(readonly=True) as uow:
        batch = uow.session.scalars(select(PaymentBatch)).one()
        assert batch.status == BatchStatus.SENT and batch.sent_on == ON
        assert {i.status for i in batch.instructions} == {InstructionStatus.SENT}
    again = tmp_path / "again.csv"
    write_payment_file(db, reference, again, actor="user:karima")
    assert again.read_bytes() == out.read_bytes()


def test_a_transfer_file_has_the_rib(db: empower.Database) -> None:
    _batch(db, "bank_transfer", n=1)
    with db.unit_of_work() as uow:
        batch = uow.session.scalars(select(PaymentBatch)).one()
        empower.approve_batch(uow, batch.id, on=ON, actor="user:nadia")
        header, row = payment_file(uow, batch.id).decode("utf-8-sig").strip().splitlines()
        assert header.split(";")[1] == "RIB" and len(row.split(";")[1]) == 24


def _return_file(path: Path, refs: list[str]) -> Path:
    """As Barid Cash sends it back: French headers and labels, a failed line, a repeated line,
    a line for a reference that is not in the batch."""
    path.write_text(
        "Référence;Statut;Date de paiement;Référence opération;Motif de rejet\n"
        f"{refs[0]};Payé;05/04/2024;BC-778812;\n"
        f"{refs[1]};Échec;;;CIN expirée\n"
        f"{refs[0]};payé;05/04/2024;BC-778812;\n"
        f"{refs[2]};Non retiré;;;délai de retrait dépassé\n", encoding="utf-8")
    return path


def test_a_whole_cycle_from_the_command_line(db: empower.Database, run, tmp_path: Path,  # type: ignore[no-untyped-def]
                                             capsys: pytest.CaptureFixture[str]) -> None:
    reference, grants = _batch(db, "cash_out")
    assert run("payments", "approve", reference, "--as", "karima", "--on", "2024-04-01") == 1
    assert "the role admin" in capsys.readouterr().err  # an officer does not sign money off
    assert run("payments", "approve", reference, "--as", "nadia", "--on", "2024-04-01") == 0
    assert run("payments", "export", reference, str(tmp_path / "out.xlsx"), "--on",
               "2024-04-02") == 0
    with db.unit_of_work(readonly=True) as uow:
        lines = uow.session.scalars(select(PaymentBatch)).one().instructions
        refs, paid_grant = [i.reference for i in lines], lines[0].grant_id
    assert sorted(grants) == sorted(i.grant_id for i in lines)
    returned = _return_file(tmp_path / "retour.csv", refs)
    capsys.readouterr()
    assert run("payments", "reconcile", reference, str(returned), "--on", "2024-04-06") == 0
    said = capsys.readouterr().out
    assert "1 paid" in said and "1 failed" in said and "1 returned" in said
    assert "1 repeated" in said
    assert run("payments", "reconcile", reference, str(returned)) == 0  # twice: nothing new
    again = capsys.readouterr().out
    assert "0 paid" in again and "3 already recorded" in again
    with db.unit_of_work(readonly=True) as uow:
        tranches = list(uow.session.scalars(select(Disbursement)))
        assert [t.grant_id for t in tranches] == [paid_grant]
        assert tranches[0].paid_on == date(2024, 4, 5) and tranches[0].channel.value == "cash"
        assert all(g.in_flight_centimes == 0 for g in uow.session.scalars(select(Grant)))
        batch = uow.session.scalars(select(PaymentBatch)).one()
        assert batch.status == BatchStatus.RECONCILED
        failed = [i for i in batch.instructions if i.status == InstructionStatus.FAILED]
        assert failed[0].failure_reason == "CIN expirée"
    assert run("payments", "close", reference) == 0
    assert run("payments", "list") == 0
    assert reference in capsys.readouterr().out


def test_an_unknown_reference_refuses_the_file_naming_the_line(db: empower.Database, run,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    reference, _ = _batch(db, "cash_out", n=1)
    run("payments", "approve", reference, "--as", "nadia", "--on", "2024-04-01")
    run("payments", "export", reference, str(tmp_path / "out.csv"), "--on", "2024-04-02")
    with db.unit_of_work(readonly=True) as uow:
        ref = uow.session.scalars(select(PaymentBatch)).one().instructions[0].reference
    bad = tmp_path / "retour.csv"
    bad.write_text("reference,status,paid_on\n"
                   f"{ref},paid,2024-04-05\n"
                   "PAY-NOPE-00001,paid,2024-04-05\n"
                   f"{ref},banana,2024-04-05\n", encoding="utf-8")
    capsys.readouterr()
    assert run("payments", "reconcile", reference, str(bad)) == 1
    said = capsys.readouterr().err
    assert "line 4" in said and "banana" in said
    with pytest.raises(ReturnRefused):
        read_return_file(bad)
    bad.write_text("reference,status,paid_on\n"
                   f"{ref},paid,2024-04-05\n"
                   "PAY-NOPE-00001,paid,2024-04-05\n", encoding="utf-8")
    assert run("payments", "reconcile", reference, str(bad)) == 1
    said = capsys.readouterr().err
    assert "line 3" in said and "PAY-NOPE-00001" in said
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.scalars(select(Disbursement)).all() == []


def test_build_says_why_grants_were_left_out(db: empower.Database, run,  # type: ignore[no-untyped-def]
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with db.unit_of_work() as uow:
        program = make_program(uow)
        make_payable(uow, program, rib=None)
        make_payable(uow, program)
        uow.commit()
    assert run("payments", "build", "--program", "AWAL", "--channel", "virement", "--on",
               "2024-04-01", "--as", "karima") == 0
    said = capsys.readouterr().out
    assert "1 line(s)" in said and "no RIB" in said
    assert run("payments", "build", "--program", "AWAL", "--channel", "virement", "--on",
               "2024-04-01") == 0
    assert "No batch" in capsys.readouterr().out
