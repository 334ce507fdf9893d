"""``empower privacy ...``: the law 09-08 desk on the command line.

Mounted by the core CLI through the ``empower.cli`` entry-point group (it prints PDFs with the
reports' WeasyPrint machinery, which the core does not import)::

    empower privacy subject-file --cin AB123456 --out dossier.pdf --lang ar
    empower privacy subject-file --cin AB123456 --out dossier.json --grievance PLA-2026-00012
"""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from empower.config import Settings

__all__ = ["app"]

app = typer.Typer(help="Law 09-08 requests: her subject file.", no_args_is_help=True)


class Lang(StrEnum):
    fr = "fr"
    ar = "ar"
    en = "en"


@app.callback()
def _group() -> None:
    """Law 09-08 requests: her subject file."""


@app.command("subject-file")
def subject_file_command(
    cin: str = typer.Option(..., "--cin", help="Her CIN."),
    out: Path = typer.Option(..., "--out", help="FILE.pdf or FILE.json."),
    lang: Lang | None = typer.Option(None, "--lang", help="fr (default), ar or en (PDF)."),
    grievance: str | None = typer.Option(
        None,
        "--grievance",
        help="The access request (its reference) this file answers: it "
        "is recorded as fulfilled and resolved.",
    ),
    actor: str | None = typer.Option(None, "--actor", help="Who produces it (default cli:<user>)."),
) -> None:
    """Write everything held about one woman, for the officer to hand her."""
    import empower
    from empower.errors import InvalidInput
    from empower.services._common import beneficiary_by_cin
    from empower.services.grievances import grievance_by_reference, record_subject_file
    from empower.subject_file import subject_file, write_json

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".json"):
        raise InvalidInput(
            f"--out: '{out.name}' ends neither in .pdf nor in .json",
            code="privacy.out_format",
            params={"value": out.name[:60]},
            field="out",
            value=out.name[:60],
        )
    settings = Settings()
    language = (lang.value if lang else settings.default_language) or "fr"
    db = empower.connect(
        settings.database_url, rules=settings.rules(), busy_timeout=settings.sqlite_busy_timeout
    )
    try:
        with db.unit_of_work() as uow:
            her = beneficiary_by_cin(uow, cin)
            case_id = None
            if grievance:
                case_ = grievance_by_reference(uow, grievance)
                if case_.beneficiary_id != her.id:
                    raise InvalidInput(
                        f"--grievance: {case_.reference} is not her request",
                        code="privacy.not_her_request",
                        params={"ref": case_.reference},
                        field="grievance",
                    )
                case_id = case_.id
            content = subject_file(uow, her.id)
            if suffix == ".json":
                write_json(content, out)
            else:
                from empower.reports.subject_file import write_subject_pdf

                write_subject_pdf(content, out, lang=language)
            if case_id is not None:
                record_subject_file(uow, case_id, actor=actor or f"cli:{getpass.getuser()}")
                uow.commit()
    finally:
        db.dispose()
    counted = sum(len(rows) for rows in content["sections"].values())
    Console(stderr=True).print(f"[green]Wrote[/] {out} ({counted} records)")
