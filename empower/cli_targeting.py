"""``empower targeting ...``: a call for applications from the command line.

``preview`` counts, by province and milieu, the registered women who pass each rule of an intake
and all of them, before anyone applies; ``open`` / ``close`` / ``select`` / ``promote`` take the
intake through its steps; ``explain`` says one woman's result (for the letter she is sent, and
for appeals); ``override`` takes back a refusal by the rules with a written reason.

Output is in French (the officers' language); refusals are :class:`~empower.errors.EmpowerError`
and printed by :func:`empower.cli.main` as one line. A woman is looked up by her CIN but named
back by her record number only: the terminal and whatever it is pasted into never get her CIN.
"""

from __future__ import annotations

import getpass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from empower.text import escape

__all__ = ["app"]

app = typer.Typer(help="Calls for applications (intakes): preview, select, explain.",
                  no_args_is_help=True)



class _Out:
    """Standard output as it is when printed to: a file or a pipe gets wide lines (a table of
    rules is wide), a terminal its own width."""

    def print(self, *args: Any, **kwargs: Any) -> None:
        console = Console(highlight=False)
        if not console.is_terminal:
            console = Console(highlight=False, width=200)
        console.print(*args, **kwargs)


out = _Out()

_OUTCOME = {"passed": "satisfaite", "failed": "non satisfaite", "missing": "valeur manquante"}
_STATUS = {"applied": "candidate", "enrolled": "sélectionnée (inscrite)", "exited": "sortie",
           "rejected": "refusée", "waitlisted": "sur liste d'attente"}
_INTAKE_STATUS = {"draft": "brouillon", "open": "ouvert", "closed": "clôturé",
                  "selected": "sélection faite"}

IntakeCode = Annotated[str, typer.Option("--intake", help="code of the intake (the call)")]
Cin = Annotated[str, typer.Option("--cin", help="her CIN (used to find her, never printed)")]
Actor = Annotated[str | None, typer.Option(
    "--actor", help="who does this, for the audit log (default: user:<login>)")]


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a date (YYYY-MM-DD)",
                                 param_hint=f"--{name}") from exc


OnRequired = Annotated[str, typer.Option("--on", help="the day (YYYY-MM-DD)")]


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        login = "cli"
    return f"user:{login}"


def _database() -> Any:
    from empower.cli import open_database

    return open_database()


def _say(text: str) -> None:
    # Plain text: codes, rule values and reasons may hold [brackets].
    out.print(escape(text), markup=False, soft_wrap=True)


def _number(value: Decimal | float | None) -> str:
    if value is None:
        return "-"
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",")


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _labels(intake: Any) -> list[str]:
    from empower.targeting import check_rules

    return [rule.label() for rule in check_rules(intake.rules)]


@app.command("preview")
def preview_command(intake: IntakeCode, on: Annotated[str | None, typer.Option(
        "--on", help="register as of this day (default: the closing date, or today if "
                     "earlier)")] = None) -> None:
    """How many registered women pass each rule, and all of them, by province and milieu."""
    from sqlalchemy import select

    from empower.models import Province
    from empower.services import targeting
    from empower.services._common import today

    day = _day(on, "on") if on else None
    db = _database()
    try:
        with db.unit_of_work(readonly=True) as uow:
            found = targeting.intake_by_code(uow, intake)
            rows = targeting.preview(uow, found.id, on=day)
            labels = _labels(found)
            names = dict(uow.session.execute(select(Province.code, Province.name_fr)).all())
            covered = bool(found.province_codes or found.region_codes)
            title = (f"Appel {found.code} : {found.name} ({_INTAKE_STATUS[found.status.value]})"
                     f", au {(day or min(today(), found.closes_on)).isoformat()}")
    finally:
        db.dispose()
    table = Table(title=Text(escape(title)), title_justify="left")
    table.add_column("Province")
    table.add_column("Milieu")
    table.add_column("Inscrites", justify="right")
    for label in labels:
        table.add_column(Text(escape(label)), justify="right", overflow="fold")
    table.add_column("Toutes les règles" + (" (et zone)" if covered else ""), justify="right")
    milieu = {"urban": "urbain", "rural": "rural", None: "non renseigné"}
    totals = [0] * (len(labels) + 2)
    for row in rows:
        values = [row.registered, *row.passing, row.passing_all]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.add_row(Text(escape(f"{row.province_code} {names.get(row.province_code, '')}")),
                      milieu.get(row.milieu, row.milieu or "-"), *(_count(v) for v in values))
    table.add_section()
    table.add_row("Total", "", *(_count(v) for v in totals), style="bold")
    out.print(table)
    if not rows:
        _say("Aucune femme inscrite au registre à cette date.")


@app.command("open")
def open_command(intake: IntakeCode, on: OnRequired, actor: Actor = None) -> None:
    """Open a draft intake to applications."""
    _step("open", intake, _day(on, "on"), _actor(actor))


@app.command("close")
def close_command(intake: IntakeCode, on: OnRequired, actor: Actor = None) -> None:
    """Close an open intake: no more applications, its rules are frozen."""
    _step("close", intake, _day(on, "on"), _actor(actor))


def _step(action: str, code: str, on: date, actor: str) -> None:
    from empower.services import targeting

    db = _database()
    try:
        with db.unit_of_work() as uow:
            found = targeting.intake_by_code(uow, code)
            step = targeting.open_intake if action == "open" else targeting.close_intake
            step(uow, found.id, on=on, actor=actor)
            uow.commit()
    finally:
        db.dispose()
    said = "ouvert" if action == "open" else "clôturé"
    _say(f"Appel {code} {said} le {on.isoformat()}.")


@app.command("select")
def select_command(intake: IntakeCode, on: OnRequired, actor: Actor = None,
                   show: Annotated[int, typer.Option(min=0, help="ranking lines shown")] = 10,
                   ) -> None:
    """Run a closed intake's selection: the best-ranked enrolled, the others waitlisted."""
    from empower.services import targeting

    day = _day(on, "on")
    db = _database()
    try:
        with db.unit_of_work() as uow:
            found = targeting.intake_by_code(uow, intake)
            result = targeting.select_intake(uow, found.id, on=day, actor=_actor(actor))
            uow.commit()
        with db.unit_of_work(readonly=True) as uow:
            found = targeting.intake_by_code(uow, intake)
            top = _ranked(uow, found.id, show)
            places = found.places
    finally:
        db.dispose()
    _say(f"Sélection de l'appel {intake} au {day.isoformat()} ({places} places) : "
         f"{len(result.selected)} sélectionnées, {len(result.waitlisted)} sur liste d'attente, "
         f"{len(result.skipped)} écartées.")
    for enrollment_id, why in result.skipped[:show]:
        _say(f"  écartée : inscription n° {enrollment_id} ({why})")
    _print_ranking(top, show, len(result.selected) + len(result.waitlisted))


def _ranked(uow: Any, intake_id: int, limit: int) -> list[tuple[Any, ...]]:
    from sqlalchemy import select

    from empower.models import Enrollment

    return [tuple(r) for r in uow.session.execute(
        select(Enrollment.rank, Enrollment.id, Enrollment.beneficiary_id, Enrollment.score,
               Enrollment.status)
        .where(Enrollment.intake_id == intake_id, Enrollment.rank.is_not(None))
        .order_by(Enrollment.rank).limit(limit))]


def _print_ranking(top: list[tuple[Any, ...]], show: int, total: int) -> None:
    if not top:
        return
    table = Table(title=f"Classement (les {min(show, total)} premières sur {total})",
                  title_justify="left")
    for name, justify in (("Rang", "right"), ("Inscription", "right"), ("Bénéficiaire", "right"),
                          ("Score", "right"), ("Statut", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for rank, enrollment_id, person_id, score, status in top:
        table.add_row(str(rank), f"n° {enrollment_id}", f"n° {person_id}", _number(score),
                      _STATUS.get(status.value, status.value))
    out.print(table)


@app.command("promote")
def promote_command(intake: IntakeCode, on: OnRequired, actor: Actor = None) -> None:
    """Fill the places freed since the selection from the waiting list, in rank order."""
    from empower.services import targeting

    day = _day(on, "on")
    db = _database()
    try:
        with db.unit_of_work() as uow:
            found = targeting.intake_by_code(uow, intake)
            promoted = targeting.promote_waitlisted(uow, found.id, on=day, actor=_actor(actor))
            said = [(e.rank, e.id) for e in promoted]
            uow.commit()
    finally:
        db.dispose()
    if not said:
        _say(f"Appel {intake} : aucune place libérée à pourvoir au {day.isoformat()}.")
        return
    _say(f"Appel {intake} : {len(said)} promue(s) depuis la liste d'attente, inscrite(s) le "
         f"{day.isoformat()} : " + ", ".join(f"rang {r} (inscription n° {i})" for r, i in said))


@app.command("explain")
def explain_command(intake: IntakeCode, cin: Cin) -> None:
    """One woman's result: each rule, her score, rank and status (for her letter, appeals)."""
    import empower
    from empower.services import targeting

    db = _database()
    try:
        with db.unit_of_work(readonly=True) as uow:
            found = targeting.intake_by_code(uow, intake)
            person = empower.beneficiary_by_cin(uow, cin)
            said = targeting.explain(uow, found.id, person.id)
    finally:
        db.dispose()
    _print_explanation(said)


def _print_explanation(said: Any) -> None:
    head = f"Appel {said.intake_code}, bénéficiaire n° {said.beneficiary_id}"
    if said.applied:
        head += f" : candidature {_STATUS.get(said.status, said.status)}"
    else:
        head += " : pas de candidature (résultat que donneraient les règles aujourd'hui)"
    _say(head)
    table = Table(title=f"Règles (version {said.rules_version})", title_justify="left")
    table.add_column("Règle")
    table.add_column("Résultat")
    for result in said.results:
        rule = "zone de l'appel (provinces ou régions)" if result.get("field") == "coverage" \
            else str(result.get("rule", ""))
        table.add_row(Text(escape(rule)), _OUTCOME.get(result["outcome"], result["outcome"]))
    out.print(table)
    failed = [r for r in said.results if r["outcome"] != "passed"]
    _say("Éligible : " + ("oui" if said.eligible else
                          f"non ({len(failed)} règle(s) non satisfaite(s) ou sans valeur)"))
    _say(f"Score : {_number(said.score)}")
    _say(f"Rang : {said.rank if said.rank is not None else '-'}")
    if said.override_reason:
        _say(f"Dérogation : {said.override_reason}")


@app.command("override")
def override_command(intake: IntakeCode, cin: Cin,
                     reason: Annotated[str, typer.Option(help="why, in writing (kept in the "
                                                              "audit log)")],
                     actor: Actor = None) -> None:
    """Take back a refusal by the rules, with a written reason: she is eligible again."""
    import empower
    from empower.services import targeting

    db = _database()
    try:
        with db.unit_of_work() as uow:
            found = targeting.intake_by_code(uow, intake)
            person = empower.beneficiary_by_cin(uow, cin)
            enrollment = targeting.application_of(uow, found, person.id)
            targeting.override_refusal(uow, enrollment.id, reason=reason, actor=_actor(actor))
            enrollment_id = enrollment.id
            uow.commit()
    finally:
        db.dispose()
    _say(f"Appel {intake} : refus de l'inscription n° {enrollment_id} levé (dérogation "
         f"enregistrée) ; elle est de nouveau candidate pour la sélection.")
