"""The grievances in the panel over HTTP: the confidential channel (an officer, a viewer and a
focal point of another region can neither list, count, search, export nor open a confidential
case; an admin sees that it exists, not its content), a case taken from receipt to closing
through the forms, "my open grievances" by due date with their marks, the dashboard's card,
CSRF and Arabic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from empower.admin import accounts
from sqlalchemy import select

import empower
from empower.models import Grievance, User, utcnow
from empower.vocab import GrievanceStatus
from tests.admin.conftest import PASSWORD
from tests.factories import make_grievance

TODAY = utcnow().date()


def _focal(db: empower.Database, name: str, role: str, regions: list[str]) -> None:
    uid = accounts.create_user(db, name, PASSWORD, role=role, regions=regions, actor="test:seed")
    accounts.set_focal_point(db, uid, True, actor="test:seed")


@pytest.fixture
def cases(db: empower.Database, seed) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A standard case and a sexual-abuse case in 04 (hers), a conduct case in 01, all late."""
    received = TODAY - timedelta(days=40)
    with db.unit_of_work() as uow:
        out = {
            "plain": make_grievance(
                uow,
                reference="PLA-STD-04",
                received_on=received,
                beneficiary_id=seed.inside_id,
                province_code=None,
            ).id,
            "sea": make_grievance(
                uow,
                reference="PLA-SEA-04",
                received_on=received,
                category="sexual_exploitation_abuse",
                beneficiary_id=seed.inside_id,
                province_code=None,
                description="Un animateur lui a demandé des faveurs",
            ).id,
            "conduct": make_grievance(
                uow, reference="PLA-CND-01", received_on=received, category="conduct", province_code="01.511"
            ).id,
        }
        uow.commit()
    _focal(db, "farah", "officer", ["04"])
    _focal(db, "zineb", "admin", [])
    return out


def _refs(html: str) -> set[str]:
    return {r for r in ("PLA-STD-04", "PLA-SEA-04", "PLA-CND-01") if r in html}


@pytest.mark.parametrize("name", ["amina", "vera", "omar"])
def test_officers_and_viewers_never_meet_a_confidential_case(as_user, cases, name) -> None:
    user = as_user(name)
    assert not _refs(user.get("/grievances").text) & {"PLA-SEA-04", "PLA-CND-01"}
    assert not _refs(user.get("/grievances?q=PLA-SEA").text)
    assert not _refs(user.get("/grievances?category=conduct").text)
    assert not _refs(user.get("/grievances/export.csv").text) & {"PLA-SEA-04", "PLA-CND-01"}
    assert not _refs(user.get("/my_grievances").text) & {"PLA-SEA-04", "PLA-CND-01"}
    for key in ("sea", "conduct"):
        assert user.get(f"/grievances/{cases[key]}").status_code == 404
        assert user.get(f"/my_grievances/{cases[key]}").status_code == 404
    home = user.get("/").text
    late = 1 if name in ("amina", "vera") else 0  # the standard case of 04 only
    assert f'data-count="late_grievances"><a href="/grievances?mark=late">{late}<' in home


def test_an_officer_cannot_act_on_a_confidential_case(as_user, db, cases) -> None:
    amina = as_user("amina")
    r = amina.submit(f"/grievances/{cases['sea']}/acknowledge", {"on": TODAY.isoformat()})
    assert r.status_code == 404
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grievance, cases["sea"]).status == GrievanceStatus.RECEIVED


def test_the_focal_point_sees_her_regions_confidential_cases_only(as_user, cases) -> None:
    farah = as_user("farah")
    assert _refs(farah.get("/grievances").text) == {"PLA-STD-04", "PLA-SEA-04"}
    page = farah.get(f"/grievances/{cases['sea']}")
    assert page.status_code == 200 and "des faveurs" in page.text
    assert f'action="/grievances/{cases["sea"]}/acknowledge"' in page.text
    assert farah.get(f"/grievances/{cases['conduct']}").status_code == 404
    assert "PLA-CND-01" not in farah.get("/grievances/export.csv").text
    r = farah.submit(
        f"/grievances/{cases['sea']}/acknowledge", {"on": TODAY.isoformat()}, f"/grievances/{cases['sea']}"
    )
    assert r.status_code == 303


def test_an_admin_sees_that_a_confidential_case_exists_not_what_it_says(as_user, db, cases, seed) -> None:
    admin = as_user("admin")
    assert _refs(admin.get("/grievances").text) == {"PLA-STD-04", "PLA-SEA-04", "PLA-CND-01"}
    page = admin.get(f"/grievances/{cases['sea']}")
    assert page.status_code == 200
    assert 'id="grievance-confidential"' in page.text
    assert "des faveurs" not in page.text and "Fatima" not in page.text
    assert f"/beneficiaries/{seed.inside_id}" not in page.text
    assert "/acknowledge" not in page.text
    export = admin.get("/grievances/export.csv").text
    sea_line = next(line for line in export.splitlines() if "PLA-SEA-04" in line)
    assert str(seed.inside_id) not in sea_line.split(",")[9:12]
    r = admin.submit(
        f"/grievances/{cases['sea']}/acknowledge", {"on": TODAY.isoformat()}, f"/grievances/{cases['sea']}"
    )
    assert r.status_code == 422
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Grievance, cases["sea"]).status == GrievanceStatus.RECEIVED
    zineb = as_user("zineb")  # an admin who is the focal point too
    assert "des faveurs" in zineb.get(f"/grievances/{cases['sea']}").text


def test_a_case_from_receipt_to_closing_in_the_panel(as_user, db, seed) -> None:
    amina = as_user("amina")
    day = TODAY.isoformat()
    r = amina.submit(
        "/grievances/new",
        {
            "received_on": day,
            "channel": "phone",
            "category": "payment",
            "beneficiary_id": str(seed.inside_id),
            "description": "La tranche n'est pas arrivée",
        },
        "/grievances/new",
    )
    assert r.status_code == 303, r.text[:2000]
    url = r.headers["location"]
    case_id = int(url.rsplit("/", 1)[1])
    for action, data in [
        ("acknowledge", {}),
        ("assign", {"assignee": "amina"}),
        ("review", {}),
        ("note", {"note": "Appel à la banque"}),
        ("resolve", {"resolution": "Tranche renvoyée"}),
        ("tell", {"satisfied": "true"}),
        ("close", {}),
    ]:
        r = amina.submit(f"{url}/{action}", {"on": day, **data}, url)
        assert r.status_code == 303, (action, r.text[:3000])
    page = amina.get(url).text
    for step in ("receive", "acknowledge", "assign", "review", "note", "resolve", "tell", "close"):
        assert f'data-step="{step}"' in page
    assert "Appel à la banque" in page and "Tranche renvoyée" in page
    r = amina.submit(f"{url}/appeal", {"on": day, "reason": "Elle conteste"}, url)
    assert r.status_code == 303
    r = amina.submit(f"{url}/review", {"on": day}, url)
    with db.unit_of_work(readonly=True) as uow:
        case = uow.session.get(Grievance, case_id)
        assert case.status == GrievanceStatus.UNDER_REVIEW and case.appealed_on == TODAY
        assert case.assigned_to == "user:amina"
    assert f'action="{url}/appeal"' not in amina.get(url).text  # once


def test_closing_before_she_was_told_is_refused_on_the_page(as_user, db, seed) -> None:
    with db.unit_of_work() as uow:
        cid = make_grievance(uow, received_on=TODAY - timedelta(days=3)).id
        empower.acknowledge_grievance(uow, cid, on=TODAY, actor="test:x")
        empower.start_review(uow, cid, on=TODAY, actor="test:x")
        empower.resolve_grievance(uow, cid, "Fait", on=TODAY, actor="test:x")
        uow.commit()
    amina = as_user("amina")
    r = amina.submit(f"/grievances/{cid}/close", {"on": TODAY.isoformat()}, f"/grievances/{cid}")
    assert r.status_code == 422
    assert "informée" in r.text


def test_csrf_is_required(as_user, cases) -> None:
    farah = as_user("farah")
    r = farah.post(f"/grievances/{cases['sea']}/acknowledge", data={"on": TODAY.isoformat()})
    assert r.status_code == 403
    r = farah.post("/grievances/new", data={"received_on": TODAY.isoformat()})
    assert r.status_code == 403


def test_my_open_grievances_by_due_date_with_marks(as_user, db, seed) -> None:
    with db.unit_of_work() as uow:
        for ref, days in (("MY-LATE", 40), ("MY-NEW", 0), ("MY-RISK", 14)):
            cid = make_grievance(uow, reference=ref, received_on=TODAY - timedelta(days=days)).id
            empower.assign_grievance(uow, cid, "user:amina", on=TODAY, actor="test:x")
        make_grievance(uow, reference="NOT-MINE")
        uow.commit()
    page = as_user("amina").get("/my_grievances").text
    order = [page.index(r) for r in ("MY-LATE", "MY-RISK", "MY-NEW")]
    assert order == sorted(order) and "NOT-MINE" not in page
    assert 'data-mark="late"' in page and 'data-mark="on_track"' in page
    late_only = as_user("amina").get("/grievances?mark=late").text
    assert "MY-LATE" in late_only and "MY-NEW" not in late_only


def test_the_pages_in_arabic(as_user, cases) -> None:
    nadia = as_user("nadia")
    page = nadia.get("/grievances").text
    assert 'dir="rtl"' in page and "الشكايات" in page
    assert "PLA-SEA-04" not in page


def test_focal_point_role_is_given_and_taken(as_user, db, cases) -> None:
    with db.unit_of_work(readonly=True) as uow:
        farah = uow.session.scalar(select(User).where(User.username == "farah"))
        assert farah is not None and farah.focal_point
        farah_id = farah.id
    accounts.set_focal_point(db, farah_id, False, actor="test:seed")
    assert as_user("farah").get(f"/grievances/{cases['sea']}").status_code == 404


def test_an_admin_makes_a_user_the_focal_point_in_the_panel(as_user, db, cases) -> None:
    with db.unit_of_work(readonly=True) as uow:
        amina_id = uow.session.scalar(select(User.id).where(User.username == "amina"))
    admin = as_user("admin")
    page = admin.get(f"/users/{amina_id}").text
    assert f'action="/users/{amina_id}/set-focal-point"' in page
    r = admin.submit(f"/users/{amina_id}/set-focal-point", {}, f"/users/{amina_id}")
    assert r.status_code == 303
    assert "des faveurs" in as_user("amina").get(f"/grievances/{cases['sea']}").text
    assert as_user("omar").post(f"/users/{amina_id}/unset-focal-point").status_code in (403, 404)


def test_a_viewer_reads_a_case_without_its_words(as_user, db, seed) -> None:
    with db.unit_of_work() as uow:
        cid = make_grievance(uow, description="Son mari garde la carte").id
        empower.add_grievance_note(uow, cid, "Entretien avec le voisin", on=TODAY, actor="t:x")
        uow.commit()
    page = as_user("vera").get(f"/grievances/{cid}").text
    assert "Son mari" not in page and "voisin" not in page
    assert "/acknowledge" not in page
    assert "Son mari" in as_user("amina").get(f"/grievances/{cid}").text


def test_an_admin_answers_an_erasure_request_by_erasing(as_user, db, seed) -> None:
    from empower.models import Beneficiary

    with db.unit_of_work() as uow:
        cid = make_grievance(uow, beneficiary_id=seed.inside_id, category="data_protection",
                             request_kind="erasure", province_code=None).id
        empower.acknowledge_grievance(uow, cid, on=TODAY, actor="t:x")
        empower.start_review(uow, cid, on=TODAY, actor="t:x")
        uow.commit()
    amina = as_user("amina")
    page = amina.get(f"/grievances/{cid}").text
    assert "/erase" not in page and "/resolve" not in page  # admins erase; nobody answers by hand
    admin = as_user("admin")
    r = admin.submit(f"/grievances/{cid}/erase", {"on": TODAY.isoformat()}, f"/grievances/{cid}")
    assert r.status_code == 303, r.text[:2000]
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Beneficiary, seed.inside_id).erased_on == TODAY
        case = uow.session.get(Grievance, cid)
        assert case.status == GrievanceStatus.RESOLVED and case.fulfilment == "erasure"
