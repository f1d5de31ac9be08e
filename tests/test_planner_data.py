"""The shipped member States table: 193 rows, valid zones and UNHCR regional bureaus."""

import csv
import io
import zoneinfo
from importlib import resources

import pytz

from scheduler.participants import REGIONS, member_state_participants, member_states


def _rows():
    text = resources.files("scheduler").joinpath("data/member_states.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_header_and_count():
    rows = _rows()
    assert list(rows[0]) == ["iso2", "name", "capital_zone", "region"]
    assert len(rows) == 193
    assert len(member_states()) == 193


def test_codes_and_names_are_unique():
    rows = _rows()
    assert len({r["iso2"] for r in rows}) == 193
    assert len({r["name"] for r in rows}) == 193
    assert all(len(r["iso2"]) == 2 and r["iso2"].isupper() for r in rows)


def test_every_zone_exists_and_belongs_to_its_country():
    available = zoneinfo.available_timezones()
    for row in _rows():
        assert row["capital_zone"] in available, row
        assert row["capital_zone"] in pytz.country_timezones[row["iso2"]], row


def test_every_region_is_a_unhcr_bureau_and_each_bureau_is_used():
    regions = [r["region"] for r in _rows()]
    assert set(regions) == set(REGIONS)
    assert regions.count("europe") > 40
    assert regions.count("americas") == 35


def test_known_capitals():
    zone = {s.iso2: s.capital_zone for s in member_states()}
    assert zone["US"] == "America/New_York"
    assert zone["RU"] == "Europe/Moscow"
    assert zone["IN"] == "Asia/Kolkata"
    assert zone["NP"] == "Asia/Kathmandu"
    assert zone["KI"] == "Pacific/Tarawa"
    assert zone["WS"] == "Pacific/Apia"
    assert zone["AU"] == "Australia/Sydney"
    assert zone["BR"] == "America/Sao_Paulo"
    assert zone["CN"] == "Asia/Shanghai"
    assert zone["CH"] == "Europe/Zurich"
    assert "PS" not in zone and "VA" not in zone  # observer States are not members


def test_default_participants_weight_one_with_region_and_country():
    people = member_state_participants()
    assert len(people) == 193
    assert {p.weight for p in people} == {1}
    assert all(p.region in REGIONS and p.country for p in people)
