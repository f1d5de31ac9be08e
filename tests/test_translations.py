"""Every string a person reads exists in English, French and Spanish."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "es")


def _catalog(language: str):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entry(language):
    catalog = _catalog(language)
    assert not catalog.fuzzy, "the catalog header is fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for message in _catalog(language):
        if message.id and isinstance(message.id, str):
            assert sorted(pattern.findall(message.id)) == sorted(pattern.findall(message.string)), message.id


def test_every_string_in_the_code_is_in_the_catalogs(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as handle:
        source_ids = {m.id for m in read_po(handle) if m.id}
    for language in LANGUAGES:
        known = {m.id for m in _catalog(language) if m.id}
        missing = sorted(str(i) for i in source_ids - known)
        assert missing == [], f"{language}: run `make catalogs` and translate: {missing[:10]}"
