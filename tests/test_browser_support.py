"""In headless Chromium: a State requests COI training in French, a Spanish-speaking agency offers it,
the secretariat matches them, both accept from their e-mailed links, and the match is shown in en/fr/es."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from support.browser import browser_page, require_chromium, serve
from support.factories import PASSWORD, make_account
from support.support_matching import links_sent_to

from meetings.core import db as dbmod
from meetings.support.models import Pledge, SupportEntry, SupportMatch


@pytest.fixture
def support_committed(live_app, committed):
    """Delete the support rows before ``committed`` deletes organizations and accounts."""
    yield
    with dbmod.new_session(live_app) as session:
        session.execute(sa.delete(SupportMatch))
        session.execute(sa.delete(Pledge))
        session.execute(sa.delete(SupportEntry))
        session.commit()


def _links(live_app, address):
    with dbmod.new_session(live_app) as session:
        session.info["app"] = live_app  # support.mail composes the rows with it
        return links_sent_to(session, address)


def _enter(page, base, language, side, values, languages):
    page.goto(f"{base}/language/{language}?next=/support/new%3Fside%3D{side}")
    assert page.locator("html").get_attribute("lang") == language
    for selector, value in values.items():
        if selector in ("#category", "#country", "#organization_region", "#contact_language", "#area", "#kind",
                        "#region", "#text_language"):
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    for index in languages:
        page.check(f"#working_languages-{index}")
    page.click("#submit")
    page.wait_for_selector("#sent")


def _confirm(page, base, path):
    page.goto(base + path)
    page.click("#confirm")
    page.wait_for_selector(".flash.success")


def _accept(page, base, path):
    page.goto(base + path)
    page.check("#consent")
    page.click("#action-accept")
    page.wait_for_selector(".flash.success")


def test_french_request_spanish_offer_matched_accepted_and_shown_in_three_languages(live_app, support_committed):
    require_chromium()
    with dbmod.new_session(live_app) as session:
        make_account(session, "sec@unhcr.example.org", role="secretariat", name="Secretariat")
    with serve(live_app) as base, browser_page(timezone_id="Africa/Dakar", locale="fr-FR") as page:
        _enter(page, base, "fr", "request", {
            "#organization": "Commission nationale d'éligibilité", "#category": "national_asylum_authority",
            "#country": "SN", "#organization_region": "west_central_africa", "#contact_name": "Awa Diop",
            "#contact_email": "awa@cne.example.org", "#contact_language": "fr",
            "#title": "Formation sur l'information sur les pays d'origine", "#area": "country_information",
            "#kind": "training", "#region": "west_central_africa", "#text_language": "fr",
            "#description": "Former nos officiers de protection à la recherche d'information sur les pays d'origine.",
        }, languages=(1,))
        assert "awa@cne.example.org" in page.inner_text("#sent")
        [request_link] = _links(live_app, "awa@cne.example.org")
        _confirm(page, base, request_link)
        assert page.inner_text("#entry-status") == "Ouverte"

        _enter(page, base, "es", "offer", {
            "#organization": "Agencia de Asilo", "#category": "national_asylum_authority", "#country": "ES",
            "#organization_region": "europe", "#contact_name": "Luis Gómez",
            "#contact_email": "luis@agencia.example.org", "#contact_language": "es",
            "#title": "Formación en información sobre países de origen",
            "#area": "country_information", "#kind": "training", "#text_language": "es",
            "#description": "Cursos para funcionarios sobre la investigación de información de países de origen.",
        }, languages=(1, 2))
        [offer_link] = _links(live_app, "luis@agencia.example.org")
        _confirm(page, base, offer_link)
        assert page.inner_text("#entry-status") == "Abierta"

        page.goto(f"{base}/language/en?next=/account/login")
        page.fill("#email", "sec@unhcr.example.org")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.wait_for_load_state()
        page.get_by_role("link", name="Support matching").click()
        page.get_by_role("link", name="Formation sur l'information sur les pays d'origine").click()
        candidate = page.locator("li.candidate").first
        assert "Agencia de Asilo" in candidate.inner_text()
        assert "Common working language: fr" in candidate.inner_text()
        assert "Same area of the asylum system" in candidate.inner_text()
        candidate.locator("button").click()
        page.wait_for_selector(".flash.success")
        assert page.inner_text("#match-status") == "Proposed"
        page.get_by_role("button", name="Log out").click()
        page.wait_for_load_state()

        requester_answer = _links(live_app, "awa@cne.example.org")[-1]
        offerer_answer = _links(live_app, "luis@agencia.example.org")[-1]
        assert "/support/match/" in requester_answer and "/support/match/" in offerer_answer
        page.goto(f"{base}/language/fr?next=/")
        _accept(page, base, requester_answer)
        assert page.inner_text("#match-status") == "Proposée"
        page.goto(f"{base}/language/es?next=/")
        _accept(page, base, offerer_answer)
        assert page.inner_text("#match-status") == "Acordado"

        expected = {"en": ("Country of origin information", "Agreed"),
                    "fr": ("Information sur les pays d'origine", "Convenue"),
                    "es": ("Información sobre países de origen", "Acordado")}
        for language, (area, status) in expected.items():
            page.goto(f"{base}/matches?lang={language}")
            row = page.locator("#matches tbody tr").first
            text = row.inner_text()
            assert area in text and status in text
            assert "Commission nationale d'éligibilité" in text and "Agencia de Asilo" in text
            assert page.locator("svg#chart-area").count() == 1
            assert "awa@cne.example.org" not in page.content()
    with dbmod.new_session(live_app) as session:
        match = session.scalar(sa.select(SupportMatch))
        assert match.status == "agreed" and match.requester_consent and match.offerer_consent
