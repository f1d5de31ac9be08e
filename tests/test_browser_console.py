"""A secretariat logs in through headless Chromium, opens a meeting's dashboard and screenshots it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from support.browser import browser_page, require_chromium, serve
from support.factories import PASSWORD, make_account, make_meeting

from meetings.accounts.models import User
from meetings.core import db as dbmod
from meetings.core.audit import AuditEntry
from meetings.models import Registration
from meetings.registrations.operations import RegistrationInput, register_for_meeting

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PEOPLE = [("Ana", "MX", "America/Mexico_City", "es", "en"), ("Awa", "SN", "Africa/Dakar", "fr", "fr"),
          ("Ben", "KE", "Africa/Nairobi", "en", "en"), ("Chen", "TH", "Asia/Bangkok", "en", "en"),
          ("Dana", "FR", "Europe/Paris", "en", "fr"), ("Eli", "NZ", "Pacific/Auckland", "en", "en")]


def _setup(app) -> tuple[int, str]:
    from meetings.core.db import utcnow

    with app.app_context(), dbmod.new_session(app) as db:
        meeting = make_meeting(db, edition="2031-1")
        for index, (name, country, zone, spoken, listening) in enumerate(PEOPLE):
            register_for_meeting(db, meeting, RegistrationInput(
                session_id=meeting.sessions[index % 2].id, name=f"{name} Browser", email=f"{name.lower()}@example.org",
                organization=f"Org {country}", category="national_asylum_authority", country=country,
                language=listening, timezone=zone, consent=True, spoken_language=spoken,
                listening_language=listening, workstreams=(1,)), utcnow())
        user = make_account(db, "screens@unhcr.example.org", role="secretariat", name="Screens")  # commits all
        return meeting.id, user.email


def _cleanup(app) -> None:
    with dbmod.new_session(app) as db:
        user_id = db.scalar(sa.select(User.id).where(User.email_key == "screens@unhcr.example.org"))
        db.execute(sa.delete(AuditEntry).where(AuditEntry.actor_id == user_id))
        db.execute(sa.delete(User).where(User.id == user_id))
        db.commit()


def test_dashboard_screenshot_shows_the_charts(live_app, committed):
    require_chromium()
    meeting_id, email = _setup(live_app)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "console-dashboard.png"
    try:
        with serve(live_app) as base, browser_page(timezone_id="Europe/Zurich", locale="en-GB") as page:
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(f"{base}/account/login?next=/secretariat/console/meetings/{meeting_id}")
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"**/secretariat/console/meetings/{meeting_id}")
            assert page.locator("h1").inner_text().startswith("Dashboard")
            world = page.locator("svg#world-time")
            assert world.is_visible()
            assert page.locator("svg#world-time g.zone-row").count() == len(PEOPLE)
            assert page.locator("svg#world-time rect.session").count() >= 2
            for chart in ("chart-session", "chart-country", "chart-spoken", "chart-interest-workstream"):
                assert page.locator(f"svg#{chart}").is_visible(), chart
                assert page.locator(f"svg#{chart} rect").count() >= 1, chart
            box = page.locator("svg#chart-country").bounding_box()
            assert box["width"] > 300 and box["height"] > 100
            # No CSP violation: the stylesheet applied (console.css widens the page).
            assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "960px"
            page.screenshot(path=str(shot), full_page=True)
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    finally:
        _cleanup(live_app)
    with dbmod.new_session(live_app) as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Registration)
                         .where(Registration.meeting_id == meeting_id)) == len(PEOPLE)
