"""A real browser (Debian's Chromium driven by Playwright) doing an officer's day.

Log in, register a woman with an Arabic name, find her, approve a grant and pay a tranche, switch
to Arabic and check the right-to-left layout. Screenshots go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import os
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

        # Approve a grant and pay a tranche.
        page.goto(f"{server}/grants/{seed.grant_in_id}")
        page.click("#action-approve summary")
        page.fill("#approve-on", "2024-03-05")
        page.fill("#approve-amount", "18000")
        page.click("#do-approve")
        expect(page.locator("#record")).to_contain_text("approuvée")
        page.click("#action-pay summary")
        page.fill("#pay-amount", "6000")
        page.fill("#pay-paid_on", "2024-03-12")
        page.select_option("#pay-channel", "bank_transfer")
        page.fill("#pay-reference", "TR-BROWSER-1")
        page.click("#do-pay")
        expect(page.locator("#related-disbursements")).to_contain_text("TR-BROWSER-1")
        page.screenshot(path=str(SHOTS / "04-grant-paid.png"), full_page=True)

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
