"""The trainings pages over HTTP: activities, sessions and their rosters, coaching visits.

Seed (tests/admin/conftest.py): a national program, Fatima enrolled in region 04 (Amina's and
Vera's), Khadija enrolled in region 01 (Omar's). The activity here is of province 04.441.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from sqlalchemy import select

import empower
from empower.models import Attendance, Program
from empower.schemas import VisitCreate
from tests.factories import make_activity, make_session

IN_PROVINCE = "04.441"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page)).replace("\u202f", " ")


def _activity_and_session(db, seed, *, planned: int = 2, share: float = 0.5):  # type: ignore[no-untyped-def]
    """An activity of province 04 with ``planned`` sessions; one held session; ids."""
    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        activity = make_activity(uow, program, code="GET-04", province_code=IN_PROVINCE,
                                 planned_sessions=planned, completion_share=share)
        session = make_session(uow, activity, date(2024, 3, 1), reference="S-GET-04-1")
        uow.commit()
        return activity.id, session.id


def _marks(db, session_id: int) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with db.unit_of_work(readonly=True) as uow:
        return {b: str(s.value) for b, s in uow.session.execute(
            select(Attendance.beneficiary_id, Attendance.status)
            .where(Attendance.session_id == session_id))}


def test_roster_lists_only_her_women_and_refuses_another_regions(as_user, db, seed) -> None:
    _activity, session = _activity_and_session(db, seed)
    amina = as_user("amina")
    page = amina.get(f"/activity_sessions/{session}")
    assert page.status_code == 200
    assert f'data-woman="{seed.inside_id}"' in page.text
    assert f'data-woman="{seed.outside_id}"' not in page.text  # region 01: not on her roster
    assert 'id="save-roster"' in page.text
    # A crafted form marking the woman of region 01: refused on the page, nothing written.
    r = amina.submit(f"/activity_sessions/{session}/roster",
                     {f"mark-{seed.inside_id}": "present", f"mark-{seed.outside_id}": "present"},
                     f"/activity_sessions/{session}")
    assert r.status_code == 422
    assert 'id="form-error"' in r.text
    assert _marks(db, session) == {}
    # The admin's roster has both women.
    admin_page = as_user("admin").get(f"/activity_sessions/{session}").text
    assert f'data-woman="{seed.outside_id}"' in admin_page
    # Her own woman: saved in one POST.
    r = amina.submit(f"/activity_sessions/{session}/roster",
                     {f"mark-{seed.inside_id}": "present"}, f"/activity_sessions/{session}")
    assert r.status_code == 303, r.text[:800]
    assert _marks(db, session) == {seed.inside_id: "present"}
    assert 'checked' in amina.get(f"/activity_sessions/{session}").text


def test_roster_refusal_is_translated_never_a_500(as_user, db, seed) -> None:
    """A mark that is not a status, and a roster of a planned session, are refused in Arabic."""
    activity, session = _activity_and_session(db, seed)
    nadia = as_user("nadia")  # officer of 04, reads Arabic
    r = nadia.submit(f"/activity_sessions/{session}/roster",
                     {f"mark-{seed.inside_id}": "late"}, f"/activity_sessions/{session}")
    assert r.status_code == 422
    assert "ليست من القيم الممكنة" in _text(r.text)
    with db.unit_of_work() as uow:
        planned = make_session(uow, uow.session.get(empower.models.Activity, activity),
                               date(2024, 3, 8), held=False, reference="S-GET-04-2")
        uow.commit()
        planned_id = planned.id
    page = nadia.get(f"/activity_sessions/{planned_id}").text
    assert 'id="save-roster"' not in page and 'id="roster-not-held"' in page
    r = nadia.submit(f"/activity_sessions/{planned_id}/roster",
                     {f"mark-{seed.inside_id}": "present"}, f"/activity_sessions/{planned_id}")
    assert r.status_code == 422
    assert _marks(db, planned_id) == {}


def test_a_viewer_sees_the_roster_and_cannot_save(as_user, db, seed) -> None:
    _activity, session = _activity_and_session(db, seed)
    vera = as_user("vera")
    page = vera.get(f"/activity_sessions/{session}")
    assert page.status_code == 200
    assert f'data-woman="{seed.inside_id}"' in page.text
    assert 'id="save-roster"' not in page.text and 'type="radio"' not in page.text
    r = vera.submit(f"/activity_sessions/{session}/roster",
                    {f"mark-{seed.inside_id}": "present"}, f"/activity_sessions/{session}")
    assert r.status_code == 404
    assert _marks(db, session) == {}


def test_a_roster_post_without_csrf_token_is_refused(as_user, db, seed) -> None:
    _activity, session = _activity_and_session(db, seed)
    amina = as_user("amina")
    r = amina.post(f"/activity_sessions/{session}/roster",
                   data={f"mark-{seed.inside_id}": "present"})
    assert r.status_code == 403
    assert _marks(db, session) == {}


def test_activity_page_shows_completion_and_her_page_too(as_user, db, seed) -> None:
    activity, session = _activity_and_session(db, seed, planned=2, share=0.5)
    amina = as_user("amina")
    amina.submit(f"/activity_sessions/{session}/roster", {f"mark-{seed.inside_id}": "absent"},
                 f"/activity_sessions/{session}")
    page = amina.get(f"/activities/{activity}").text
    row = page.split(f'data-woman="{seed.inside_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-present="0"' in row and 'data-completed="no"' in row
    assert "S-GET-04-1" in page  # its sessions
    amina.submit(f"/activity_sessions/{session}/roster", {f"mark-{seed.inside_id}": "present"},
                 f"/activity_sessions/{session}")
    row = amina.get(f"/activities/{activity}").text.split(
        f'data-woman="{seed.inside_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-present="1"' in row and 'data-completed="yes"' in row
    her = amina.get(f"/beneficiaries/{seed.inside_id}").text
    line = her.split(f'data-activity="{activity}"', 1)[1].split("</tr>", 1)[0]
    assert "GET-04" in line and 'data-completed="yes"' in line and "1 / 2" in line


def test_officer_creates_plans_holds_and_cancels_in_the_panel(as_user, db, seed) -> None:
    amina = as_user("amina")
    r = amina.submit("/activities/new", {
        "program_id": seed.program_id, "code": "LIT-04", "kind": "training",
        "title": "Alphabétisation", "province_code": IN_PROVINCE, "starts_on": "2024-02-01",
        "ends_on": "2024-06-30", "planned_sessions": "8", "completion_share": "0.75"},
        "/activities/new")
    assert r.status_code == 303, r.text[:800]
    activity = int(r.headers["location"].rsplit("/", 1)[1])
    # Without a province the activity would be the program's everywhere: not an officer's.
    r = amina.submit("/activities/new", {
        "program_id": seed.program_id, "code": "LIT-XX", "kind": "training", "title": "X",
        "starts_on": "2024-02-01", "ends_on": "2024-06-30", "planned_sessions": "8"},
        "/activities/new")
    assert r.status_code == 422
    for ref in ("S-LIT-1", "S-LIT-2"):
        r = amina.submit("/activity_sessions/new", {
            "activity_id": activity, "reference": ref, "scheduled_on": "2024-03-01",
            "commune": "Tiznit"}, "/activity_sessions/new")
        assert r.status_code == 303, r.text[:800]
    first, second = (int(x) for x in sorted(
        re.findall(r'href="/activity_sessions/(\d+)"', amina.get(f"/activities/{activity}").text),
        key=int)[:2])
    page = f"/activity_sessions/{first}"
    assert amina.submit(f"{page}/hold", {}, page).status_code == 303
    assert "held" in amina.get(page).text or 'id="save-roster"' in amina.get(page).text
    page2 = f"/activity_sessions/{second}"
    assert amina.submit(f"{page2}/cancel", {"reason": "pluie"}, page2).status_code == 303
    # A session outside the activity's dates: refused on the form, never a 500.
    r = amina.submit("/activity_sessions/new", {
        "activity_id": activity, "reference": "S-LIT-9", "scheduled_on": "2025-03-01"},
        "/activity_sessions/new")
    assert r.status_code == 422
    # Omar (region 01) does not see the activity, and cannot plan a session on it.
    omar = as_user("omar")
    assert omar.get(f"/activities/{activity}").status_code == 404
    r = omar.submit("/activity_sessions/new", {
        "activity_id": activity, "reference": "S-LIT-8", "scheduled_on": "2024-03-02"},
        "/activity_sessions/new")
    assert r.status_code == 422


def _visits(db, seed) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    with db.unit_of_work() as uow:
        for ref, due in (("V-LATE", today - timedelta(days=3)),
                         ("V-SOON", today + timedelta(days=20))):
            empower.record_visit(uow, VisitCreate(
                reference=ref, program_id=seed.program_id, beneficiary_id=seed.inside_id,
                visited_on=today - timedelta(days=40), kind="on_site", next_visit_due=due,
                note="Le mari refuse le local"), actor="test:seed")
        uow.commit()


def test_visits_overdue_filter_and_dashboard_card(as_user, db, seed) -> None:
    _visits(db, seed)
    amina = as_user("amina")
    listed = amina.get("/coaching_visits?overdue=yes").text
    assert "V-LATE" in listed and "V-SOON" not in listed
    everything = amina.get("/coaching_visits").text
    assert "V-LATE" in everything and "V-SOON" in everything
    home = amina.get("/").text
    card = home.split('data-count="overdue_visits"', 1)[1].split("</div>", 1)[0]
    assert 'href="/coaching_visits?overdue=yes"' in card and ">1<" in card
    omar_home = as_user("omar").get("/").text  # region 01: the visit is to a woman of 04
    assert ">0<" in omar_home.split('data-count="overdue_visits"', 1)[1].split("</div>", 1)[0]


def test_visit_note_is_hidden_from_viewers(as_user, db, seed) -> None:
    _visits(db, seed)
    amina = as_user("amina")
    visit = re.search(r'href="/coaching_visits/(\d+)"', amina.get("/coaching_visits").text)
    assert visit
    url = f"/coaching_visits/{visit.group(1)}"
    assert "Le mari refuse le local" in _text(amina.get(url).text)
    vera = as_user("vera")
    page = _text(vera.get(url).text)
    assert "Le mari refuse le local" not in page
    export = vera.get("/coaching_visits/export.csv").text
    assert "Le mari" not in export
    assert "Le mari" in amina.get("/coaching_visits/export.csv").text


def test_officer_records_a_visit_and_admin_sets_the_minimum_completion(as_user, db, seed) -> None:
    amina = as_user("amina")
    r = amina.submit("/coaching_visits/new", {
        "reference": "V-PANEL", "program_id": seed.program_id, "beneficiary_id": seed.inside_id,
        "visited_on": "2024-05-01", "kind": "phone", "next_visit_due": "2024-06-01",
        "note": "RAS"}, "/coaching_visits/new")
    assert r.status_code == 303, r.text[:800]
    # The woman of region 01 is not found for her.
    r = amina.submit("/coaching_visits/new", {
        "reference": "V-OUT", "program_id": seed.program_id, "beneficiary_id": seed.outside_id,
        "visited_on": "2024-05-01", "kind": "phone"}, "/coaching_visits/new")
    assert r.status_code == 422
    admin = as_user("admin")
    r = admin.submit("/programs/new", {"code": "GATED", "name": "Gated", "budget": "100000",
                                       "start_date": "2024-01-01", "four_eyes": "false",
                                       "min_completion_share": "0.8"}, "/programs/new")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work(readonly=True) as uow:
        program = uow.session.scalar(select(Program).where(Program.code == "GATED"))
        assert program.min_completion_share == 0.8
        pid = program.id
    # Turning four eyes on keeps the minimum (the edit form starts from the recorded values).
    r = admin.submit(f"/programs/{pid}/edit", {"four_eyes": "true"}, f"/programs/{pid}/edit")
    assert r.status_code == 303, r.text[:800]
    with db.unit_of_work(readonly=True) as uow:
        assert uow.session.get(Program, pid).min_completion_share == 0.8


def test_trainings_pages_in_french_and_arabic(as_user, db, seed) -> None:
    activity, session = _activity_and_session(db, seed)
    fr = _text(as_user("amina").get(f"/activity_sessions/{session}").text)
    assert "Feuille de présence" in fr and "absente" in fr and "excusée" in fr
    assert "Enregistrer la feuille de présence" in fr
    nadia = as_user("nadia")
    ar = _text(nadia.get(f"/activity_sessions/{session}").text)
    assert 'dir="rtl"' in ar and "ورقة الحضور" in ar and "غائبة" in ar and "منعقدة" in ar
    assert "الحضور" in _text(nadia.get(f"/activities/{activity}").text)
    assert "زيارات المواكبة المتأخرة" in _text(nadia.get("/").text)
