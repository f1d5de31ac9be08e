"""In headless Chromium: a co-convener proposes a roundtable in Spanish, the secretariat accepts it."""

from __future__ import annotations

import sqlalchemy as sa
from support.browser import browser_page, log_in, require_chromium, serve
from support.factories import make_account, make_organization
from support.roundtables import future

from meetings.core import db as dbmod
from meetings.roundtables.models import Roundtable


def test_spanish_proposal_submitted_then_accepted_in_a_real_browser(live_app, committed):
    require_chromium()
    with dbmod.new_session(live_app) as db:
        org = make_organization(db)
        make_account(db, "lucia@comar.example.org", org=org, language="es", name="Lucía Pérez")
        make_account(db, "sec@unhcr.example.org", role="secretariat", name="Secretaría")
    with serve(live_app) as base, browser_page(timezone_id="America/Mexico_City", locale="es-MX") as page:
        page.goto(f"{base}/language/es?next=/account/login")
        assert page.locator("html").get_attribute("lang") == "es"
        log_in(page, base, "lucia@comar.example.org")
        page.get_by_role("link", name="Mesas redondas").click()
        page.get_by_role("link", name="Proponer una mesa redonda").click()
        page.fill("#title_es", "Registro biométrico y gestión digital de casos de asilo")
        page.fill("#abstract_es", "Intercambio de experiencias entre comisiones nacionales sobre el registro "
                                  "biométrico y los sistemas digitales de gestión de casos.")
        page.fill("#themes", "registro, digitalización")
        page.check("#regions-0")  # Américas
        page.check("#regions-2")  # Europa
        page.check("#target_categories-0")
        page.fill("#windows-0-starts_on", future(60).isoformat())
        page.fill("#windows-0-ends_on", future(80).isoformat())
        page.click("#save")
        page.wait_for_selector("#status")
        assert page.inner_text("#status") == "Borrador"
        page.click("button[name=action][value=submit]")
        page.wait_for_selector(".flash.success")
        assert page.inner_text("#status") == "Enviada"
        page.get_by_role("button", name="Cerrar sesión").click()
        page.wait_for_load_state()
        log_in(page, base, "sec@unhcr.example.org")
        page.get_by_role("link", name="Mesas redondas").click()
        page.get_by_role("link", name="Registro biométrico y gestión digital de casos de asilo").click()
        page.fill("#comment", "Bienvenida: complementa el trabajo regional.")
        page.click("button[name=action][value=accept]")
        page.wait_for_selector(".flash.success")
        assert page.inner_text("#status") == "Aceptada"
    with dbmod.new_session(live_app) as db:
        roundtable = db.scalar(sa.select(Roundtable))
        assert roundtable.status == "accepted"
        assert roundtable.title_es.startswith("Registro biométrico") and roundtable.title_en == ""
        assert roundtable.regions == ["americas", "europe"]
        assert [(c.action, c.actor_label) for c in roundtable.history] == [
            ("created", "lucia@comar.example.org"), ("submit", "lucia@comar.example.org"),
            ("accept", "sec@unhcr.example.org")]
        assert roundtable.history[-1].comment == "Bienvenida: complementa el trabajo regional."
