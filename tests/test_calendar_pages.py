"""Add-to-calendar buttons on the participant pages, the public feed link, and the API's calendar links."""

from __future__ import annotations

import html as htmlmod
import re
from urllib.parse import parse_qs, urlsplit

from support.api import register
from support.factories import make_meeting
from support.ics import fetch_ics, local_path
from support.identity import registered_verified


def _links(page: str) -> list[str]:
    return [htmlmod.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def _calendar_section(page: str) -> str:
    match = re.search(r'<section class="calendar-buttons".*?</section>', page, re.S)
    assert match, "no calendar buttons on the page"
    return match.group(0)


def test_confirmation_page_offers_every_calendar(client, meeting):
    body = registered_verified(client, meeting)
    page = client.get(f"/registrations/{body['token']}/confirmation",
                      headers={"Accept-Language": "fr"}).get_data(as_text=True)
    section = _calendar_section(page)
    links = _links(section)
    assert f"http://localhost/registrations/{body['token']}/invite.ics" in links
    google = next(u for u in links if u.startswith("https://calendar.google.com/"))
    outlook = next(u for u in links if u.startswith("https://outlook.live.com/"))
    office = next(u for u in links if u.startswith("https://outlook.office.com/"))
    assert parse_qs(urlsplit(google).query)["text"] == ["Reunión mundial — Sesión A"]  # her language
    assert parse_qs(urlsplit(outlook).query)["startdt"] == ["2027-03-17T07:00:00Z"]
    assert "secret-2027-1-A" in parse_qs(urlsplit(office).query)["location"][0]  # confirmed: her own page
    feed = body["links"]["feed_ics"]
    assert feed in links and "webcal://" + feed.split("://", 1)[1] in links
    assert "Ajouter à Google Agenda" in section and "Microsoft 365" in section  # labels in the viewer's language
    assert "style=" not in section and "<script" not in section and "onclick" not in section
    for url in (f"http://localhost/registrations/{body['token']}/invite.ics", feed):
        fetch_ics(client, url)


def test_manage_page_buttons_follow_the_registration(client, meeting):
    body = registered_verified(client, meeting)
    section = _calendar_section(client.get(f"/manage/{body['token']}").get_data(as_text=True))
    assert any(u.startswith("https://calendar.google.com/") for u in _links(section))
    client.delete(f"/api/v1/registrations/{body['token']}")
    section = _calendar_section(client.get(f"/manage/{body['token']}").get_data(as_text=True))
    links = _links(section)
    assert not any("google.com" in u or "outlook." in u for u in links), "nothing to add once cancelled"
    assert f"http://localhost/registrations/{body['token']}/invite.ics" in links
    _, _, strict, _ = fetch_ics(client, f"/registrations/{body['token']}/invite.ics")
    assert strict.method == "CANCEL"


def test_waitlisted_buttons_carry_no_join_link(client, db):
    meeting = make_meeting(db, capacity=1)
    registered_verified(client, meeting, email="first@example.org")
    waiting = registered_verified(client, meeting, email="second@example.org")
    section = _calendar_section(client.get(f"/registrations/{waiting['token']}/confirmation").get_data(as_text=True))
    assert "secret-" not in htmlmod.unescape(section) and "meet.example.org" not in htmlmod.unescape(section)
    assert any(u.startswith("https://calendar.google.com/") for u in _links(section))


def test_meeting_page_links_the_public_feed_and_never_the_join_link(client, meeting):
    registered_verified(client, meeting)
    page = client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "secret-" not in page and "meet.example.org" not in page
    feed = f"http://localhost/feeds/meetings/{meeting.id}.ics?lang=es"
    assert feed in _links(page) and f"webcal://localhost/feeds/meetings/{meeting.id}.ics?lang=es" in _links(page)
    _, data, strict, _ = fetch_ics(client, feed)
    assert strict.events[0].summary == "Reunión mundial — Sesión A" and b"secret-" not in data


def test_api_links_resolve_to_calendars(client, meeting):
    created = register(client, meeting).json
    links = created["links"]
    assert links["invite_ics"].startswith("http://localhost/") and links["feed_ics"].startswith("http://localhost/")
    assert fetch_ics(client, links["invite_ics"])[2].method == "REQUEST"
    assert fetch_ics(client, links["feed_ics"])[2].method == "PUBLISH"
    again = client.get(local_path(links["self"])).json["links"]
    assert again["invite_ics"] == links["invite_ics"] and again["feed_ics"] == links["feed_ics"]

    listed = client.get("/api/v1/meetings", headers={"Accept-Language": "fr"}).json
    (item,) = [m for m in listed if m["id"] == meeting.id]
    assert item["links"]["feed_ics"].startswith("http://localhost/feeds/meetings/")
    _, data, strict, _ = fetch_ics(client, item["links"]["feed_ics"])
    assert strict.events[0].summary == "Réunion mondiale — Session A" and b"secret-" not in data
    one = client.get(f"/api/v1/meetings/{meeting.id}").json
    assert fetch_ics(client, one["links"]["feed_ics"])[2].method == "PUBLISH"
