"""Demo grievances: a year of the mechanism through its services (so their rules hold).

A few hundred complaints and data-protection requests (about one per eight women), by phone,
in person, through an association, by letter or WhatsApp; four in five from a registered woman,
the others anonymous. Each goes as far as its dates allow by the demo's last day: acknowledged
within a few working days (some late), investigated, answered (mostly in time, some late, some
found unfounded), the woman told, closed; a few are appealed and answered again. Access
requests are answered by her subject file; no erasure is run (it would change the rest of the
demo). Its own random stream: adding it left the rest of the demo as it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from empower.grievances import add_working_days
from empower.schemas import GrievanceCreate
from empower.services.grievances import (
    acknowledge_grievance,
    add_grievance_note,
    appeal_grievance,
    assign_grievance,
    close_grievance,
    declare_unfounded,
    receive_grievance,
    record_subject_file,
    resolve_grievance,
    start_review,
    tell_complainant,
)

__all__ = ["grievances"]

ACTOR = "demo:grievances"
HANDLERS = ["user:salma.b", "user:youssef.e", "user:hind.a"]
CHANNELS = [
    ("phone", 40),
    ("in_person", 25),
    ("association", 15),
    ("letter", 8),
    ("whatsapp", 10),
    ("email", 2),
]
CATEGORIES = [
    ("payment", 30),
    ("selection", 20),
    ("training", 15),
    ("other", 10),
    ("data_protection", 10),
    ("conduct", 10),
    ("sexual_exploitation_abuse", 5),
]
WORDS = {
    "payment": "La tranche annoncée n'est pas arrivée sur son compte.",
    "selection": "Elle ne comprend pas pourquoi sa candidature n'a pas été retenue.",
    "training": "Les séances de formation ont été annulées sans prévenir.",
    "other": "Demande d'information sur le programme.",
    "data_protection": "Demande au titre de la loi 09-08.",
    "conduct": "Comportement déplacé d'un agent de l'association partenaire.",
    "sexual_exploitation_abuse": "Signalement transmis au point focal.",
}


def _weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def grievances(gen: Any) -> None:
    """Receive and take the demo's grievances as far as their dates allow (``gen``: the demo's
    generator, for its women, provinces, last day and counts)."""
    uow, as_of = gen.uow, gen.as_of
    rng = random.Random(f"{gen.rng.random()}-grievances")
    women = gen.beneficiary_ids()  # in registration order
    count = max(20, min(400, gen.n // 8))
    counts = {"grievance": 0, "grievance_answered": 0, "grievance_closed": 0}

    def when(start: date, lo: int, hi: int) -> date:
        return add_working_days(start, rng.randint(lo, hi))

    for _ in range(count):
        received = as_of - timedelta(days=rng.randint(0, 365))
        category = _weighted(rng, CATEGORIES)
        kind = rng.choice(["access", "correction", "objection"]) if category == "data_protection" else None
        woman = rng.choice(women) if women and (kind or rng.random() < 0.8) else None
        case = receive_grievance(
            uow,
            GrievanceCreate(
                received_on=received,
                channel=_weighted(rng, CHANNELS),
                category=category,
                request_kind=kind,
                beneficiary_id=woman,
                province_code=None if woman else gen.provinces.draw(rng),
                description=WORDS[category],
            ),
            actor=ACTOR,
            today=as_of,
        )
        counts["grievance"] += 1
        cid = case.id
        acknowledged = when(received, 0, 4)
        if acknowledged > as_of:
            continue
        acknowledge_grievance(uow, cid, on=acknowledged, actor=ACTOR)
        assign_grievance(uow, cid, rng.choice(HANDLERS), on=acknowledged, actor=ACTOR)
        start_review(uow, cid, on=acknowledged, actor=ACTOR)
        answered = when(acknowledged, 2, 16)
        if answered > as_of:
            if rng.random() < 0.5:
                add_grievance_note(
                    uow, cid, "Vérification en cours auprès du partenaire.", on=as_of, actor=ACTOR
                )
            continue
        if kind == "access":
            record_subject_file(uow, cid, on=answered, actor=ACTOR)
        elif rng.random() < 0.2:
            declare_unfounded(
                uow, cid, "Les pièces du dossier ne confirment pas la plainte.", on=answered, actor=ACTOR
            )
        else:
            resolve_grievance(uow, cid, "Situation régularisée et expliquée.", on=answered, actor=ACTOR)
        counts["grievance_answered"] += 1
        told = answered + timedelta(days=rng.randint(0, 5))
        if told > as_of:
            continue
        tell_complainant(uow, cid, on=told, satisfied=rng.random() < 0.75, actor=ACTOR)
        closed = told + timedelta(days=rng.randint(0, 7))
        if closed > as_of:
            continue
        close_grievance(uow, cid, on=closed, actor=ACTOR)
        counts["grievance_closed"] += 1
        appealed = closed + timedelta(days=rng.randint(1, 20))
        if rng.random() < 0.08 and appealed <= as_of:
            appeal_grievance(uow, cid, on=appealed, reason="Elle conteste la réponse.", actor=ACTOR)
            start_review(uow, cid, on=appealed, actor=ACTOR)
            again = when(appealed, 2, 12)
            if again <= as_of:
                resolve_grievance(
                    uow, cid, "Réexamen : réponse confirmée et expliquée.", on=again, actor=ACTOR
                )
    gen.counts.update(counts)
    gen.progress("grievances", counts["grievance"])
