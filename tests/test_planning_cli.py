"""``flask plan``: the same document as the API, a readable table, clear errors without traceback."""

from __future__ import annotations

import json


def _plan(app, *args: str):
    return app.test_cli_runner().invoke(args=["plan", *args])


def test_json_equals_the_api_document(app, client):
    result = _plan(app, "--date", "2027-10-20", "--duration", "120", "--step", "20", "--json")
    assert result.exit_code == 0, result.output
    api = client.post("/api/v1/plans", json={"date": "2027-10-20", "duration": 120, "step": 20}).get_json()
    assert json.loads(result.output) == api


def test_participants_file_matches_the_api(app, client, tmp_path):
    zones = tmp_path / "zones.csv"
    zones.write_text("timezone,weight\nAsia/Kolkata,2\nPacific/Chatham,1\nAmerica/New_York,5\n", encoding="utf-8")
    result = _plan(app, "--date", "2027-03-17", "--duration", "90", "--participants", str(zones), "--json",
                   "--window", "07:00-21:00", "--interpreters", "06:00-23:00")
    assert result.exit_code == 0, result.output
    api = client.post("/api/v1/plans", json={
        "date": "2027-03-17", "duration": 90, "window": "07:00-21:00", "interpreters": "06:00-23:00",
        "participants": [{"timezone": "Asia/Kolkata", "weight": 2}, {"timezone": "Pacific/Chatham", "weight": 1},
                         {"timezone": "America/New_York", "weight": 5}]}).get_json()
    assert json.loads(result.output) == api


def test_table_shows_the_same_pair_as_the_api(app, client):
    result = _plan(app, "--date", "2027-03-17", "--duration", "180")
    assert result.exit_code == 0, result.output
    api = client.post("/api/v1/plans", json={"date": "2027-03-17", "duration": 180}).get_json()
    a, b = api["sessions"]
    lines = result.output.splitlines()
    assert lines[0].startswith("Twin-session plan: 2027-03-17")
    assert f"{a['start_utc'][:10]} {a['start_utc'][11:16]}-{a['end_utc'][11:16]} UTC" in lines[1]
    assert f"{b['start_utc'][11:16]}-{b['end_utc'][11:16]} UTC" in lines[2]
    count, total = api["coverage"]["count"], api["coverage"]["total"]
    assert lines[3].startswith(f"Coverage: {count}/{total}")
    assert "Europe/Zurich" in result.output and "09:00+15:00" in result.output


def test_table_in_french_and_spanish(app):
    french = _plan(app, "--date", "2027-03-17", "--duration", "180", "--language", "fr")
    spanish = _plan(app, "--date", "2027-03-17", "--duration", "180", "--language", "es")
    assert french.exit_code == spanish.exit_code == 0
    assert "Amériques" in french.output and "Américas" in spanish.output
    assert french.output.splitlines()[0] != spanish.output.splitlines()[0]


def test_bad_input_is_a_message_not_a_traceback(app, tmp_path):
    cases = [
        (["--step", "7"], "7"),
        (["--window", "20:00-08:00"], "20:00-08:00"),
        (["--duration", "800", "--window", "08:00-20:00"], "800"),
        (["--window", "8h-20h"], "8h-20h"),
    ]
    for extra, needle in cases:
        args = ["--date", "2027-03-17", "--duration", "180", *extra]
        result = _plan(app, *args)
        assert result.exit_code == 1, (extra, result.output)
        assert result.output.startswith("Error: ") and needle in result.output
        assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_bad_participants_file(app, tmp_path):
    zones = tmp_path / "zones.csv"
    zones.write_text("timezone,weight\nEurope/Geneva,1\n", encoding="utf-8")
    result = _plan(app, "--date", "2027-03-17", "--duration", "180", "--participants", str(zones),
                   "--language", "fr")
    assert result.exit_code == 1 and "Europe/Geneva" in result.output and "Ligne 2" in result.output
    zones.write_text("zone;people\nEurope/Paris;1\n", encoding="utf-8")
    result = _plan(app, "--date", "2027-03-17", "--duration", "180", "--participants", str(zones))
    assert result.exit_code == 1 and "timezone" in result.output
