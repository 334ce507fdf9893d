"""A real browser (Debian's Chromium driven by Playwright) doing an officer's day.

Log in, register a woman with an Arabic name, find her, approve a grant, switch to Arabic and
check the right-to-left layout; mark a roster; write a call for applications; build a payment
batch, have a second person approve it, download its file and see the line on the grant's page.
Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.admin.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get(
        "EMPOWER_TEST_REQUIRE_SERVICES"), reason="Debian's chromium is not installed "
        "(apt-get install chromium); CI installs it"),
]


@pytest.fixture
def server(app):
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline, "the panel did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_officer_day_in_a_real_browser(server, seed):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-MA")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))

        page.goto(f"{server}/login")
        page.fill("#username", "amina")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("#dashboard")).to_be_visible()
        page.screenshot(path=str(SHOTS / "01-dashboard-fr.png"), full_page=True)

        # Register a woman with an Arabic name.
        page.goto(f"{server}/beneficiaries/new")
        page.fill("#cin", "QB778899")
        page.fill("#first_name_ar", "خديجة")
        page.fill("#last_name_ar", "الإدريسي")
        page.fill("#birth_date", "1988-06-15")
        page.select_option("#province_code", "04.441")
        page.select_option("#milieu", "rural")
        page.fill("#consent_date", "2024-02-01")
        page.fill("#registered_on", "2024-02-01")
        page.screenshot(path=str(SHOTS / "02-register-form.png"), full_page=True)
        page.click("#save")
        expect(page.locator("#record")).to_contain_text("QB778899")
        expect(page.locator("#audit-history")).to_contain_text("user:amina")

        # Find her by her Arabic name.
        page.goto(f"{server}/beneficiaries")
        page.fill("#q", "خديجة")
        page.click("#search-button")
        expect(page.locator("#results tbody")).to_contain_text("QB778899")
        expect(page.locator("#results tbody")).to_contain_text("الإدريسي")
        page.screenshot(path=str(SHOTS / "03-search-arabic-name.png"), full_page=True)

        # Approve a grant. Its tranches go through payment batches (the one-off "pay" is an
        # admin's, where the program allows it): no pay button for her.
        page.goto(f"{server}/grants/{seed.grant_in_id}")
        page.click("#action-approve summary")
        page.fill("#approve-on", "2024-03-05")
        page.fill("#approve-amount", "18000")
        page.click("#do-approve")
        expect(page.locator("#record")).to_contain_text("approuvée")
        expect(page.locator("#action-pay")).to_have_count(0)
        page.screenshot(path=str(SHOTS / "04-grant-approved.png"), full_page=True)

        # Switch to Arabic: right-to-left layout, Arabic labels.
        page.click("#language-form button[value=ar]")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.locator("#related-disbursements")).to_contain_text("الأشطر")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        # The sidebar sits on the right in RTL.
        box = page.locator("aside").bounding_box()
        assert box is not None and box["x"] > 1366 / 2
        page.screenshot(path=str(SHOTS / "05-grant-arabic-rtl.png"), full_page=True)
        page.goto(f"{server}/beneficiaries?q=QB778899")
        expect(page.locator("#results tbody")).to_contain_text("خديجة")
        page.screenshot(path=str(SHOTS / "06-list-arabic-rtl.png"), full_page=True)
        browser.close()
    # Everything (CSS, JS) came from the panel itself, and the CSP blocked nothing.
    assert [e for e in errors if "Content Security Policy" in e or "failed:" in e] == []


def test_officer_marks_a_roster_and_sees_completion_change(server, seed, db):
    """A held session of a two-session activity (completion share 0.5): Fatima marked absent
    has not completed it; marked present, her completion on the activity's page and on her own
    page becomes 1 of 2, completed. Screenshots of the roster and the activity, French and
    Arabic."""
    from datetime import date

    from playwright.sync_api import expect, sync_playwright

    from empower.models import Program
    from tests.factories import make_activity, make_enrolled, make_session

    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        for first, last, first_ar, last_ar in (("Zineb", "Amrani", "زينب", "العمراني"),
                                               ("Hanane", "Ouali", "حنان", "الوالي")):
            make_enrolled(uow, program, first_name=first, last_name=last,
                          first_name_ar=first_ar, last_name_ar=last_ar, province_code="04.441")
        activity = make_activity(uow, program, code="GET-AHEAD-04", province_code="04.441",
                                 title="Gérer son activité (GET Ahead)", planned_sessions=2,
                                 completion_share=0.5)
        session = make_session(uow, activity, date(2024, 3, 1), reference="S-GET-1",
                               commune="Tiznit", facilitator="Association Tifawin")
        uow.commit()
        activity_id, session_id = activity.id, session.id

    SHOTS.mkdir(parents=True, exist_ok=True)
    woman = seed.inside_id
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-MA")
        page.goto(f"{server}/login")
        page.fill("#username", "amina")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("#dashboard")).to_be_visible()

        # Mark everyone, Fatima absent, and save once.
        page.goto(f"{server}/activity_sessions/{session_id}")
        expect(page.locator("#roster")).to_contain_text("Fatima")
        expect(page.locator("#record")).to_contain_text("GET-AHEAD-04")  # the activity, by code
        for box in page.locator("#roster tr[data-woman]").all():
            box.locator("input[value=present]").check()
        page.check(f"#mark-{woman}-absent")
        page.click("#save-roster")
        expect(page.locator(f"#mark-{woman}-absent")).to_be_checked()
        page.goto(f"{server}/activities/{activity_id}")
        row = page.locator(f"#completion tr[data-woman='{woman}']")
        expect(row.locator("[data-completed]")).to_have_attribute("data-completed", "no")
        expect(row).to_contain_text("0 / 2")

        # Present after all: her completion changes, on the activity's page and on hers.
        page.goto(f"{server}/activity_sessions/{session_id}")
        page.check(f"#mark-{woman}-present")
        page.click("#save-roster")
        expect(page.locator(f"#mark-{woman}-present")).to_be_checked()
        page.screenshot(path=str(SHOTS / "07-roster-fr.png"), full_page=True)
        page.goto(f"{server}/activities/{activity_id}")
        expect(row.locator("[data-completed]")).to_have_attribute("data-completed", "yes")
        expect(row).to_contain_text("1 / 2")
        page.screenshot(path=str(SHOTS / "08-activity-fr.png"), full_page=True)
        page.goto(f"{server}/beneficiaries/{woman}")
        line = page.locator(f"#her-activities tr[data-activity='{activity_id}']")
        expect(line.locator("[data-completed]")).to_have_attribute("data-completed", "yes")

        # The same pages in Arabic, right to left.
        page.click("#language-form button[value=ar]")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.goto(f"{server}/activity_sessions/{session_id}")
        expect(page.locator("#roster")).to_contain_text("ورقة الحضور")
        page.screenshot(path=str(SHOTS / "09-roster-ar.png"), full_page=True)
        page.goto(f"{server}/activities/{activity_id}")
        expect(page.locator("#completion")).to_contain_text("الحضور")
        page.screenshot(path=str(SHOTS / "10-activity-ar.png"), full_page=True)
        page.click("#language-form button[value=fr]")
        browser.close()


def test_officer_reads_a_call_and_overrides_a_refusal(server, seed, db):
    """A call covering regions 04 and 01: Amina sees its funnel for her region (3 applied, 2
    eligible, 1 refused as urban), opens the refused application, reads each rule's result and
    overrides the refusal with a reason; the funnel then counts 3 eligible and 1 override.
    Screenshots of the call and the application, French and Arabic."""
    from playwright.sync_api import expect, sync_playwright

    from tests.admin.test_targeting_panel import _call

    call = _call(db, seed)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-MA")
        errors: list[str] = []
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.goto(f"{server}/login")
        page.fill("#username", "amina")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("#dashboard")).to_be_visible()

        page.goto(f"{server}/intakes")
        expect(page.locator("#results tbody")).to_contain_text("APPEL-T1")
        page.goto(f"{server}/intakes/{call.intake_id}")
        funnel = page.locator("#funnel")
        expect(funnel.locator("[data-funnel=applied]")).to_have_text("3")
        expect(funnel.locator("[data-funnel=eligible]")).to_have_text("2")
        expect(funnel.locator("[data-funnel=refused]")).to_have_text("1")
        expect(page.locator("#refused-by")).to_contain_text("Milieu = rural")
        expect(page.locator("#preview")).to_contain_text("Âge entre 18 et 45")
        expect(page.locator(f"#applications tr[data-application='{call.far_id}']")).to_have_count(0)
        page.screenshot(path=str(SHOTS / "11-intake-fr.png"), full_page=True)

        page.click(f"#applications tr[data-application='{call.urban_id}'] a >> nth=0")
        rule = page.locator("#rule-results tr[data-rule=milieu] [data-outcome]")
        expect(rule).to_have_attribute("data-outcome", "failed")
        page.click("#action-override summary")
        page.fill("#override-reason", "Douar rattaché à la commune rurale (PV du 12/02)")
        page.click("#do-override")
        expect(page.locator("#override")).to_contain_text("user:amina")
        expect(page.locator("#record")).to_contain_text("Douar rattaché")
        page.screenshot(path=str(SHOTS / "12-application-fr.png"), full_page=True)

        page.goto(f"{server}/intakes/{call.intake_id}")
        expect(funnel.locator("[data-funnel=eligible]")).to_have_text("3")
        expect(funnel.locator("[data-funnel=overridden]")).to_have_text("1")

        page.click("#language-form button[value=ar]")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#funnel")).to_contain_text("مسار الترشيحات")
        page.screenshot(path=str(SHOTS / "13-intake-ar.png"), full_page=True)
        page.goto(f"{server}/enrollments/{call.urban_id}")
        expect(page.locator("#rule-results")).to_contain_text("الوسط = قروي")
        page.screenshot(path=str(SHOTS / "14-application-ar.png"), full_page=True)
        page.click("#language-form button[value=fr]")
        browser.close()
    assert errors == []


def test_admin_writes_a_call_and_a_wrong_rule_is_said_on_its_field(server, seed):
    """An admin fills the call's form with a rule on an unknown field: the refusal is under the
    rules field, her values kept; corrected, the call is saved and opened."""
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-MA")
        page.goto(f"{server}/login")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("#login-submit")
        expect(page.locator("#dashboard")).to_be_visible()
        page.goto(f"{server}/intakes/new")
        page.select_option("#program_id", str(seed.program_id))
        page.fill("#code", "APPEL-NAV")
        page.fill("#name", "Appel Souss-Massa 2024")
        page.fill("#opens_on", "2024-05-01")
        page.fill("#closes_on", "2024-05-31")
        page.fill("#places", "40")
        page.fill("#region_codes", "04")
        page.fill("#rules", '[{"field": "age", "op": "between", "value": [18, 45]},\n'
                            ' {"field": "revenu", "op": "<", "value": 1000}]')
        page.fill("#weights", '[{"field": "household_size", "weight": 2}]')
        page.click("#save")
        expect(page.locator("#error-rules")).to_contain_text("Règle 2")
        expect(page.locator("#rules")).to_have_class(re.compile("is-invalid"))
        expect(page.locator("#code")).to_have_value("APPEL-NAV")
        page.screenshot(path=str(SHOTS / "15-intake-form-error-fr.png"), full_page=True)
        page.fill("#rules", '[{"field": "age", "op": "between", "value": [18, 45]}]')
        page.click("#save")
        expect(page.locator("#record")).to_contain_text("APPEL-NAV")
        page.click("#action-open summary")
        page.fill("#open-on", "2024-05-01")
        page.click("#do-open")
        expect(page.locator("#record")).to_contain_text("ouvert")
        browser.close()


def _login(browser, server, username):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="fr-MA",
                            accept_downloads=True)
    page.goto(f"{server}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#dashboard")).to_be_visible()
    return page


def test_a_payment_batch_built_approved_by_a_second_person_and_sent(server, seed, db):
    """Amina (officer, 04) builds a transfer batch of her region: one grant is left out (no
    RIB), with its reason. She cannot approve it; the admin does, in her own browser. Amina
    downloads the bank's file, which sends the batch, and the grant's page shows the line and
    the amount in flight. French and Arabic screenshots."""
    from datetime import date

    from playwright.sync_api import expect, sync_playwright

    from empower.models import Program
    from tests.factories import make_payable, make_rib

    with db.unit_of_work() as uow:
        program = uow.session.get(Program, seed.program_id)
        grants = [make_payable(uow, program, province_code="04.441", rib=make_rib(n),
                               first_name=first, last_name=last, first_name_ar=first_ar,
                               last_name_ar=last_ar).id
                  for n, (first, last, first_ar, last_ar) in enumerate(
                      (("Zineb", "Amrani", "زينب", "العمراني"),
                       ("Hanane", "Ouali", "حنان", "الوالي")), start=1)]
        make_payable(uow, program, province_code="04.441", rib=None, first_name="Sanae")
        uow.commit()
    program_code = program.code

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        amina = _login(browser, server, "amina")
        errors: list[str] = []
        amina.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        amina.goto(f"{server}/payment_batches")
        amina.click("#create-button")
        amina.select_option("#program_id", label=program_code)
        amina.select_option("#channel", "bank_transfer")
        amina.select_option("#region_code", "04")
        amina.fill("#provider", "Al Barid Bank")
        assert amina.input_value("#planned_on") == date.today().isoformat()
        amina.screenshot(path=str(SHOTS / "21-batch-build-form-fr.png"), full_page=True)
        amina.click("#save")
        expect(amina.locator("#batch-built")).to_contain_text("Lot préparé")
        expect(amina.locator("#left-out")).to_contain_text("aucun RIB")
        amina.screenshot(path=str(SHOTS / "22-batch-built-fr.png"), full_page=True)
        amina.click("#built-batch-link")
        expect(amina.locator("#batch-totals [data-lines]")).to_have_attribute("data-lines", "2")
        expect(amina.locator("#awaiting-approval")).to_be_visible()
        expect(amina.locator("#action-approve")).to_have_count(0)
        batch_url = amina.url

        # The second person: the admin, in her own browser.
        admin = _login(browser, server, "admin")
        admin.goto(batch_url)
        admin.click("#action-approve summary")
        admin.click("#do-approve")
        expect(admin.locator("#record")).to_contain_text("approuvé")
        expect(admin.locator("#batch-steps [data-step=approve]")).to_contain_text("user:admin")
        admin.screenshot(path=str(SHOTS / "23-batch-approved-fr.png"), full_page=True)
        # The program's tranche plan, on its edit form (admins).
        admin.goto(f"{server}/programs/{seed.program_id}/edit")
        admin.fill("#tranche_shares", "40/40/20")
        admin.check("#tranche_conditions-training_completed")
        admin.screenshot(path=str(SHOTS / "24-program-plan-form-fr.png"), full_page=True)
        admin.click("#save")
        expect(admin.locator("#record")).to_contain_text("40 / 40 / 20")
        expect(admin.locator("#record")).to_contain_text("formation achevée")

        # Amina downloads the bank's file: the batch is sent.
        amina.goto(batch_url)
        expect(amina.locator("#export-sends")).to_be_visible()
        with amina.expect_download() as download:
            amina.click("#do-export")
        assert download.value.suggested_filename.endswith(".csv")
        content = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert make_rib(1) in content and "Zineb" in content
        amina.goto(batch_url)
        expect(amina.locator("#batch-steps [data-step=send]")).to_be_visible()
        expect(amina.locator("#related-payment_instructions")).to_contain_text("envoyé")
        amina.screenshot(path=str(SHOTS / "25-batch-sent-fr.png"), full_page=True)
        amina.goto(f"{server}/grants/{grants[0]}")
        expect(amina.locator("#related-payment_instructions")).to_contain_text("envoyé")
        expect(amina.locator("#record")).to_contain_text("20 000,00")
        amina.screenshot(path=str(SHOTS / "26-grant-instruction-fr.png"), full_page=True)

        # The same pages in Arabic, right to left.
        amina.click("#language-form button[value=ar]")
        expect(amina.locator("html")).to_have_attribute("dir", "rtl")
        expect(amina.locator("#related-payment_instructions")).to_contain_text("أوامر الأداء")
        amina.screenshot(path=str(SHOTS / "27-grant-instruction-ar.png"), full_page=True)
        amina.goto(batch_url)
        expect(amina.locator("#batch-totals")).to_contain_text("المجاميع")
        amina.screenshot(path=str(SHOTS / "28-batch-ar.png"), full_page=True)
        amina.goto(f"{server}/")
        expect(amina.locator("#dashboard")).to_contain_text("المبلغ قيد الأداء")
        amina.screenshot(path=str(SHOTS / "29-dashboard-ar.png"), full_page=True)
        amina.click("#language-form button[value=fr]")
        browser.close()
    assert [e for e in errors if "Content Security Policy" in e] == []
