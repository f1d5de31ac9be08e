"""Headless Chromium with axe-core on every page in en/fr/es; phone widths; the keyboard-only zone picker;
the error summary taking focus; the plan's confirmation with the number of people notified; screenshots."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest
from support.browser import CHROMIUM_FLAGS, require_chromium, serve
from support.factories import make_meeting

from meetings.accounts import operations as accounts
from meetings.core import db as dbmod
from meetings.core.db import utcnow
from meetings.registrations.operations import RegistrationInput, register_for_meeting

AXE = Path(axe_playwright_python.__file__).resolve().parent / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"
STAFF = "a11y@unhcr.example.org"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "))"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the whole module."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def _world(app) -> dict:
    """A meeting (A 07:00 UTC, B 15:00 UTC) with two registrants and a secretariat account, committed."""
    with app.app_context(), dbmod.new_session(app) as session:
        meeting = make_meeting(session, edition="2032-1")
        tokens, ids = [], []
        for index, (name, zone) in enumerate((("Ana", "America/Bogota"), ("Eli", "Pacific/Auckland"))):
            outcome = register_for_meeting(session, meeting, RegistrationInput(
                session_id=meeting.sessions[index].id, name=f"{name} A11y", email=f"{name.lower()}@example.org",
                organization="Org", category="civil_society", country="CO", language="es", timezone=zone,
                consent=True, spoken_language="es", listening_language="en", workstreams=(1, 3)), utcnow())
            tokens.append(outcome.registration.manage_token)
            ids.append(outcome.registration.id)
        accounts.create_account(session, email=STAFF, name="Axe", role="secretariat", password=PASSWORD)
        session.commit()
        return {"meeting": meeting.id, "tokens": tokens, "ids": ids}


def _page(chromium, base, *, language="en", zone="America/Bogota", width=1280):
    context = chromium.new_context(timezone_id=zone, locale={"en": "en-GB", "fr": "fr-FR", "es": "es-CO"}[language],
                                   viewport={"width": width, "height": 900}, bypass_csp=True)
    context.add_cookies([{"name": "lang", "value": language, "url": base}])
    return context.new_page()


def _login(page, base) -> None:
    page.goto(f"{base}/account/login")
    page.fill("#email", STAFF)
    page.fill("#password", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url("**/secretariat/console/")


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(SERIOUS)


def test_pages_pass_axe_in_three_languages_without_horizontal_scrolling(live_app, committed, chromium):
    world = _world(live_app)
    meeting, (token, _other) = world["meeting"], world["tokens"]
    participant = ["/?tz=America/Bogota", f"/meetings/{meeting}?tz=Pacific/Auckland",
                   f"/meetings/{meeting}/register?tz=Pacific/Auckland", f"/registrations/{token}/confirmation",
                   f"/manage/{token}", f"/manage/{token}/cancel", "/workstreams", "/privacy", "/account/login"]
    staff = ["/secretariat/console/", f"/secretariat/console/meetings/{meeting}",
             f"/secretariat/meetings/{meeting}/plan", "/secretariat/outbox", "/secretariat/series",
             "/roundtables/", f"/secretariat/console/meetings/{meeting}/cancel",
             f"/secretariat/console/registrations/{world['ids'][0]}", "/secretariat/console/audit",
             "/secretariat/console/lists/registrations?q=a", "/secretariat/webhooks",
             f"/secretariat/console/meetings/{meeting}/interpretation"]
    problems: list[str] = []
    with serve(live_app) as base:
        for language in ("en", "fr", "es"):
            page = _page(chromium, base, language=language, width=390)
            for path in participant:
                page.goto(base + path)
                assert page.locator("html").get_attribute("lang") == language
                problems += [f"{language} {path} 390px: {v}" for v in _axe(page)]
                for width in (390, 320):
                    page.set_viewport_size({"width": width, "height": 900})
                    overflow = page.evaluate(OVERFLOW)
                    if overflow > 0:
                        problems.append(f"{language} {path}: scrolls {overflow}px sideways at {width}px")
                page.set_viewport_size({"width": 390, "height": 900})
            page.goto(f"{base}/meetings/{meeting}/register")  # a failed submit: the page with its errors
            page.locator("form button[type=submit], form input[type=submit]").last.click()
            page.wait_for_selector("[data-error-summary]")
            problems += [f"{language} failed submit: {v}" for v in _axe(page)]
            page.context.close()
            page = _page(chromium, base, language=language)
            _login(page, base)
            for path in staff:
                page.goto(base + path)
                problems += [f"{language} {path}: {v}" for v in _axe(page)]
            page.goto(f"{base}/secretariat/meetings/{meeting}/plan")
            page.locator("form[enctype] button[type=submit]").click()
            page.wait_for_selector("#apply-plan")
            problems += [f"{language} plan: {v}" for v in _axe(page)]
            page.locator("#apply-plan button[type=submit]").click()
            page.wait_for_selector("#notified")
            problems += [f"{language} plan confirmation: {v}" for v in _axe(page)]
            page.context.close()
    assert problems == []


def test_zone_picker_works_with_the_keyboard_alone(live_app, committed, chromium):
    meeting = _world(live_app)["meeting"]
    with serve(live_app) as base:
        page = _page(chromium, base, zone="Asia/Calcutta", width=390)
        # Arriving without a zone: the browser's zone (an alias) is shown as its canonical name.
        page.goto(f"{base}/meetings/{meeting}")
        page.wait_for_url("**tz=Asia%2FKolkata*")
        assert "12:30" in page.inner_text("main")  # 07:00 UTC in Kolkata
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('role')") == "combobox":
                break
        combo = page.locator("#tz-combo")
        assert combo.evaluate("e => e === document.activeElement")
        url = page.url
        page.keyboard.type("zuri")
        assert combo.get_attribute("aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        active = combo.get_attribute("aria-activedescendant")
        assert "Zurich" in page.locator(f"#{active}").inner_text()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        assert page.url == url  # browsing never reloads the page
        page.keyboard.press("Enter")
        page.wait_for_url("**tz=Europe%2FZurich*")
        assert "08:00" in page.inner_text("main")  # 07:00 UTC in Zurich (CET)
        # The list offers canonical zones only, with city, country and offset in the page's language.
        options = page.locator("#tz option").all_inner_texts()
        values = page.locator("#tz option").evaluate_all("os => os.map(o => o.value)")
        assert "Asia/Kolkata" in values and "Asia/Calcutta" not in values
        assert not [v for v in values if v.startswith("Etc/") or v in ("Factory", "localtime")]
        assert any(text.startswith("Zurich, Switzerland (UTC+") for text in options)
        page.context.close()
        # The form preselects the browser's zone and warns about a session in the night.
        page = _page(chromium, base, language="es", zone="Pacific/Auckland")
        page.goto(f"{base}/meetings/{meeting}/register")  # shown in the browser's zone, once, on arrival
        page.wait_for_url("**tz=Pacific%2FAuckland*")
        assert page.input_value("#timezone") == "Pacific/Auckland"
        notes = page.locator(".choice-note").all_inner_texts()
        assert any("noche" in note for note in notes)  # session B: 04:00-07:00 in Auckland
        assert "A" in page.locator(".least-bad").inner_text()  # A: 20:00-23:00, the less bad one
        page.context.close()


def test_failed_submit_moves_focus_to_the_error_summary(live_app, committed, chromium):
    meeting = _world(live_app)["meeting"]
    with serve(live_app) as base:
        page = _page(chromium, base, language="fr", width=390)
        page.goto(f"{base}/meetings/{meeting}/register?tz=Africa/Nairobi")
        page.fill("#name", "Wanjiru")
        page.get_by_role("button", name="S'inscrire").click()
        page.wait_for_selector("[data-error-summary]")
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        links = page.locator("[data-error-summary] a")
        targets = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        # Every error in one pass, the consent too; each field says which messages describe it.
        assert {"#email", "#organization", "#category", "#country", "#consent"} <= set(targets)
        assert "#name" not in targets
        assert page.get_attribute("#email", "aria-describedby") == "email-error"
        assert page.get_attribute("#email", "aria-invalid") == "true"
        links.nth(targets.index("#consent")).click()
        assert page.evaluate("document.activeElement.id") == "consent"
        page.context.close()


def test_plan_confirmation_shows_the_number_of_people_notified(live_app, committed, chromium):
    meeting = _world(live_app)["meeting"]
    with serve(live_app) as base:
        page = _page(chromium, base)
        _login(page, base)
        page.goto(f"{base}/secretariat/meetings/{meeting}/plan")
        assert "Europe/Zurich" in page.inner_text("main")  # the reference zone is named
        page.locator("form[enctype] button[type=submit]").click()
        page.get_by_role("button", name="Apply to sessions A and B").click()
        page.wait_for_selector("#notified")
        assert "2 people will receive an updated invitation." in page.inner_text("#notified")
        page.get_by_role("button", name="Yes, apply and notify").click()
        page.wait_for_selector(".flash.success")
        page.context.close()


def test_screenshots_at_phone_and_desktop_widths(live_app, committed, chromium):
    meeting = _world(live_app)["meeting"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(live_app) as base:
        for width in (390, 1280):
            page = _page(chromium, base, zone="Pacific/Auckland", width=width)
            shots = {"meeting": f"/meetings/{meeting}?tz=Pacific/Auckland",
                     "form": f"/meetings/{meeting}/register?tz=Pacific/Auckland"}
            for name, path in shots.items():
                page.goto(base + path)
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            _login(page, base)
            page.goto(f"{base}/secretariat/meetings/{meeting}/plan")
            page.locator("form[enctype] button[type=submit]").click()
            page.wait_for_selector("#apply-plan")
            assert page.evaluate(OVERFLOW) <= 0  # wide tables scroll inside their own labelled region
            page.screenshot(path=str(SCREENSHOTS / f"planning-{width}.png"), full_page=True)
            page.goto(f"{base}/secretariat/console/meetings/{meeting}")
            assert page.evaluate(OVERFLOW) <= 0
            page.screenshot(path=str(SCREENSHOTS / f"dashboard-{width}.png"), full_page=True)
            page.context.close()
    for name in ("meeting", "form", "planning", "dashboard"):
        for width in (390, 1280):
            data = (SCREENSHOTS / f"{name}-{width}.png").read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
