"""Refresh the catalogs from the source and fill French and Spanish entries from a JSON file.

    .venv/bin/python tools/fill_catalogs.py translations.json

The JSON maps each English msgid to {"fr": "...", "es": "..."}. Entries already translated are
replaced only when the file names them. Takes an exclusive lock so several people can run it at once.
Without an argument it only refreshes (``make catalogs``) and lists what is still untranslated.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "es")


def refresh() -> None:
    """Extract the template and update both catalogs (no fuzzy matching)."""
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run([*pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o",
                    "translations/messages.pot", "--no-location", "--sort-output", "."],
                   cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*pybabel, "update", "-i", "translations/messages.pot", "-d", "translations", "-D",
                    "messages", "--no-fuzzy-matching", "--ignore-obsolete"], cwd=ROOT, check=True, capture_output=True)


def fill(language: str, entries: dict[str, dict[str, str]]) -> list[str]:
    """Write the given translations; return msgids still untranslated."""
    path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and message.id in entries and language in entries[message.id]:
            message.string = entries[message.id][language]
            message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=76, no_location=True, sort_output=True)
    return [m.id for m in catalog if m.id and not m.string]


def main() -> None:
    entries = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    with open(ROOT / "translations" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        refresh()
        for language in LANGUAGES:
            missing = fill(language, entries)
            for msgid in missing:
                print(f"{language}: untranslated: {msgid!r}")


if __name__ == "__main__":
    main()
