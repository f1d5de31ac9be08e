"""``topics import FILE.csv`` adds vocabulary terms from a file; ``topics refresh`` recomputes stored features."""

from __future__ import annotations

import csv
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from meetings.core.cli_language import in_language
from meetings.core.db import new_session, utcnow
from meetings.core.errors import DomainError
from meetings.topic_terms import operations as ops

topics = AppGroup("topics", help="Extend the asylum-topic vocabulary used to find similar topics.")


@topics.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@in_language
def import_command(path: Path) -> None:
    """Add the terms of a CSV file with the columns concept_id, language (en, fr or es) and term."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"concept_id", "language", "term"} - set(reader.fieldnames or ())
        if missing:
            raise click.UsageError(_("The file needs the columns concept_id, language and term."))
        rows = [ops.TermInput(r.get("concept_id") or "", (r.get("language") or "").strip(), r.get("term") or "")
                for r in reader]
    with new_session(current_app) as db:
        try:
            report = ops.import_terms(db, None, rows, utcnow())
            db.commit()
        except DomainError as error:
            db.rollback()
            raise click.ClickException(error.message) from None
    click.echo(_("Terms added: %(added)d. Refused: %(refused)d.", added=report.added, refused=len(report.refused)))
    for line, message in report.refused:
        click.echo(_("  line %(line)d: %(message)s", line=line, message=message), err=True)


@topics.command("refresh")
@in_language
def refresh_command() -> None:
    """Recompute every stored topic feature with the current vocabulary (after an upgrade)."""
    with new_session(current_app) as db:
        ops.vocabulary_changed.send(None, db=db, now=utcnow(), terms=None, previous=None)
        db.commit()
    click.echo(_("Stored topic features are up to date."))
