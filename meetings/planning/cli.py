"""``flask --app wsgi plan``: the twin-session plan as a table, or the API's JSON document."""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import with_appcontext

from meetings.core.cli_language import in_language
from meetings.core.errors import DomainError
from meetings.planning import operations as ops
from meetings.planning.labels import plan_error, table_labels
from scheduler.errors import PlanInputError
from scheduler.hours import REASONABLE_WINDOW
from scheduler.participants import read_participants_csv
from scheduler.table import format_plan_table


def _participants(path: str | None):
    """Participants from a timezone,weight CSV file, or None for the 193 member States."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return read_participants_csv(handle.read())
    except (OSError, UnicodeDecodeError) as error:
        raise click.FileError(path, hint=str(error)) from None
    except PlanInputError as error:
        raise plan_error(error) from None


@click.command("plan")
@with_appcontext
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Meeting day in the reference zone (YYYY-MM-DD)")
@click.option("--duration", required=True, type=int, help="Minutes per session")
@click.option("--participants", "participants_path", type=click.Path(dir_okay=False),
              help="CSV file with the columns timezone,weight (default: the 193 UN member States)")
@click.option("--window", default=REASONABLE_WINDOW, show_default=True, help="Participants' local hours")
@click.option("--interpreters", default="07:00-22:00", show_default=True,
              help="Interpreters' hours in the reference zone")
@click.option("--step", default=15, show_default=True, type=int, help="Grid step in minutes (divides 60)")
@click.option("--min-gap", default=60, show_default=True, type=int, help="Minutes between the sessions")
@click.option("--same-day/--next-day-allowed", default=True, show_default=True,
              help="Session B on the same reference day as A, or possibly the next one")
@click.option("--reference-zone", default="Europe/Zurich", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the plan document (as POST /api/v1/plans)")
@in_language
def plan_command(day, duration: int, participants_path: str | None, window: str, interpreters: str, step: int,
                 min_gap: int, same_day: bool, reference_zone: str, as_json: bool) -> None:
    """Plan the twin sessions of a global meeting and print the table (or --json)."""
    try:
        result = ops.plan_twin_sessions(ops.PlanInputs(
            date=date.fromordinal(day.toordinal()), duration_minutes=duration,
            participants=_participants(participants_path), window=window, interpreters=interpreters,
            step_minutes=step, min_gap_minutes=min_gap, same_day=same_day, reference_zone=reference_zone,
        ))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    if as_json:
        click.echo(json.dumps(result.to_document(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_plan_table(result, table_labels()), nl=False)
