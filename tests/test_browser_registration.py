"""A delegate registers through the French form in headless Chromium and sees the confirmation."""

from __future__ import annotations

import sqlalchemy as sa
from support.browser import browser_page, require_chromium, serve
from support.factories import make_meeting

from meetings.core import db as dbmod
from meetings.models import Registration


def test_register_in_french_in_a_real_browser(live_app, committed):
    require_chromium()
    with dbmod.new_session(live_app) as db:
        meeting_id = make_meeting(db, edition="2030-1").id
    with serve(live_app) as base, browser_page(timezone_id="Africa/Abidjan", locale="fr-FR") as page:
        page.goto(f"{base}/language/fr?next=/meetings/{meeting_id}")
        # The page detects the browser's zone and shows the sessions in it.
        page.wait_for_url("**tz=Africa%2FAbidjan*")
        assert page.locator("html").get_attribute("lang") == "fr"
        page.get_by_role("link", name="S'inscrire à la session A").click()
        page.fill("#name", "Awa Koné")
        page.fill("#email", "awa.kone@example.org")
        page.fill("#organization", "Office national des réfugiés")
        page.select_option("#category", "national_asylum_authority")
        page.select_option("#country", "CI")
        page.select_option("#spoken_language", "fr")
        page.select_option("#listening_language", "en")
        assert page.input_value("#timezone") == "Africa/Abidjan"
        page.check("#consent")
        page.get_by_role("button", name="S'inscrire").click()
        page.wait_for_selector("h1")
        assert "inscrit" in page.inner_text("h1").lower()
        assert "07:00" in page.inner_text("main")
    with dbmod.new_session(live_app) as db:
        registration = db.scalar(sa.select(Registration).where(Registration.meeting_id == meeting_id))
    assert registration.email == "awa.kone@example.org" and registration.status == "confirmed"
    assert registration.language == "fr" and registration.timezone == "Africa/Abidjan"
