"""Plan results: the chosen twin sessions, their score, per-participant rows, and the JSON document."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from scheduler.comfort import format_window
from scheduler.participants import Participant

FIRST_IS_BETTER_ON_TIE = "A"


@dataclass(frozen=True)
class Score:
    """The objective of a pair, exact: maximize covered, then minimize discomfort, then imbalance.

    covered: weight of participants with at least one session inside their window.
    discomfort: sum over participants of weight x penalty-minutes of their better session.
    imbalance: |weight preferring A - weight preferring B| (strict preferences only).
    rotation: previous-burden-weighted discomfort, when rotation is requested, else None.
    """

    covered: Fraction
    total: Fraction
    discomfort: Fraction
    imbalance: Fraction
    rotation: Fraction | None = None

    @property
    def share(self) -> float:
        """Covered share of the total weight; 1.0 when there is nobody to cover (vacuously covered)."""
        return float(self.covered / self.total) if self.total else 1.0


@dataclass(frozen=True)
class Session:
    """One of the twin sessions, in UTC."""

    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class LocalSession:
    """A session seen from one participant's zone."""

    start: datetime
    day_offset: int
    fits: bool
    discomfort: int


@dataclass(frozen=True)
class ParticipantRow:
    """One participant with both sessions in local time and the session that suits them."""

    participant: Participant
    a: LocalSession
    b: LocalSession

    @property
    def better(self) -> str:
        """The session with the better (fits first, then discomfort) key; A on a tie."""
        key_a = (not self.a.fits, self.a.discomfort)
        key_b = (not self.b.fits, self.b.discomfort)
        return "B" if key_b < key_a else FIRST_IS_BETTER_ON_TIE

    @property
    def suits(self) -> str:
        """"A", "B" or "none" when neither session fits the participant's window."""
        if not (self.a.fits or self.b.fits):
            return "none"
        return self.better

    @property
    def better_discomfort(self) -> int:
        """Penalty-minutes of the better session."""
        return self.a.discomfort if self.better == "A" else self.b.discomfort


@dataclass(frozen=True)
class PairSummary:
    """A pair evaluated on the same inputs, e.g. a fixed pair used without a planner."""

    name: str
    sessions: tuple[Session, Session]
    score: Score
    feasible: bool


@dataclass(frozen=True)
class PlanResult:
    """The planner's answer for one meeting date."""

    meeting_date: date
    reference_zone: str
    duration_minutes: int
    step_minutes: int
    window: tuple[Any, Any]
    interpreters: tuple[Any, Any]
    sessions: tuple[Session, Session]
    score: Score
    rows: tuple[ParticipantRow, ...]
    comparison: tuple[PairSummary, ...]
    pairs_considered: int
    rotation: dict[str, Fraction] | None = None
    tolerance_points: Fraction = Fraction(0)

    @property
    def uncovered(self) -> tuple[ParticipantRow, ...]:
        """Rows of participants for whom neither session fits (weight 0 included)."""
        return tuple(row for row in self.rows if row.suits == "none")

    def region_burden(self) -> dict[str, Fraction]:
        """Per region: weighted mean penalty per minute of the better session (feed to next edition)."""
        spent: dict[str, Fraction] = defaultdict(Fraction)
        weight: dict[str, Fraction] = defaultdict(Fraction)
        for row in self.rows:
            region = row.participant.region
            if region is None:
                continue
            w = Fraction(row.participant.weight)
            spent[region] += w * row.better_discomfort
            weight[region] += w
        minutes = self.duration_minutes
        return {
            region: spent[region] / (weight[region] * minutes) if weight[region] else Fraction(0)
            for region in sorted(weight)
        }

    def to_document(self) -> dict[str, Any]:
        """JSON-ready dict, the same for the CLI and the API."""
        return {
            "date": self.meeting_date.isoformat(),
            "reference_zone": self.reference_zone,
            "duration_minutes": self.duration_minutes,
            "step_minutes": self.step_minutes,
            "window": format_window(self.window),
            "interpreters": format_window(self.interpreters),
            "sessions": [_session_doc(s, self.reference_zone) for s in self.sessions],
            "coverage": _coverage_doc(self.score),
            "score": _score_doc(self.score),
            "uncovered": [_participant_doc(row.participant) for row in self.uncovered],
            "regions": _regions_doc(self.rows, self.duration_minutes),
            "participants": [_row_doc(row) for row in self.rows],
            "comparison": [
                {
                    "name": pair.name,
                    "feasible": pair.feasible,
                    "sessions": [_session_doc(s, self.reference_zone) for s in pair.sessions],
                    "coverage": _coverage_doc(pair.score),
                    "score": _score_doc(pair.score),
                }
                for pair in self.comparison
            ],
            "burden": {region: float(value) for region, value in self.region_burden().items()},
            "rotation": None if self.rotation is None else {
                "tolerance_points": _number(self.tolerance_points),
                "previous_burden": {region: float(v) for region, v in sorted(self.rotation.items())},
            },
            "pairs_considered": self.pairs_considered,
        }


def _number(value: Fraction) -> int | float:
    """An exact Fraction as a JSON number (int when whole)."""
    return value.numerator if value.denominator == 1 else float(value)


def _iso_utc(instant: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix."""
    return instant.isoformat().replace("+00:00", "Z")


def _session_doc(session: Session, reference_zone: str) -> dict[str, Any]:
    """A session as JSON, with its start in the reference zone too."""
    from zoneinfo import ZoneInfo

    return {
        "label": session.label,
        "start_utc": _iso_utc(session.start),
        "end_utc": _iso_utc(session.end),
        "start_reference": session.start.astimezone(ZoneInfo(reference_zone)).isoformat(),
    }


def _coverage_doc(score: Score) -> dict[str, Any]:
    """The coverage block: share 0..1, weighted count covered, total weight."""
    return {"share": score.share, "count": _number(score.covered), "total": _number(score.total)}


def _score_doc(score: Score) -> dict[str, Any]:
    """The exact objective values as JSON numbers."""
    return {
        "discomfort": _number(score.discomfort),
        "imbalance": _number(score.imbalance),
        "rotation": None if score.rotation is None else _number(score.rotation),
    }


def _participant_doc(participant: Participant) -> dict[str, Any]:
    """Who a participant is."""
    return {
        "zone": participant.zone,
        "weight": _number(Fraction(participant.weight)),
        "label": participant.label,
        "region": participant.region,
        "country": participant.country,
    }


def _local_doc(local: LocalSession) -> dict[str, Any]:
    """A session's local start: ISO datetime, HH:MM, day mark relative to the meeting date."""
    return {
        "local": local.start.isoformat(),
        "time": local.start.strftime("%H:%M"),
        "day": local.day_offset,
        "fits": local.fits,
        "discomfort": local.discomfort,
    }


def _row_doc(row: ParticipantRow) -> dict[str, Any]:
    """A participant row."""
    return {**_participant_doc(row.participant), "A": _local_doc(row.a), "B": _local_doc(row.b),
            "suits": row.suits}


def _regions_doc(rows: tuple[ParticipantRow, ...], duration: int) -> list[dict[str, Any]]:
    """Rows aggregated per region, each with its distinct zones."""
    by_region: dict[str | None, list[ParticipantRow]] = defaultdict(list)
    for row in rows:
        by_region[row.participant.region].append(row)
    out = []
    for region in sorted(by_region, key=lambda r: (r is None, r or "")):
        members = by_region[region]
        total = sum((Fraction(r.participant.weight) for r in members), Fraction(0))
        suits = {"A": Fraction(0), "B": Fraction(0), "none": Fraction(0)}
        spent = Fraction(0)
        zones: dict[str, list[ParticipantRow]] = defaultdict(list)
        for r in members:
            w = Fraction(r.participant.weight)
            suits[r.suits] += w
            spent += w * r.better_discomfort
            zones[r.participant.zone].append(r)
        covered = suits["A"] + suits["B"]
        out.append({
            "region": region,
            "total": _number(total),
            "covered": _number(covered),
            "share": float(covered / total) if total else 1.0,
            "suits": {key: _number(value) for key, value in suits.items()},
            "burden": float(spent / (total * duration)) if total else 0.0,
            "zones": [
                {
                    "zone": zone,
                    "weight": _number(sum((Fraction(r.participant.weight) for r in zrows), Fraction(0))),
                    "A": _local_doc(zrows[0].a),
                    "B": _local_doc(zrows[0].b),
                    "suits": zrows[0].suits,
                }
                for zone, zrows in sorted(zones.items(), key=lambda item: item[1][0].a.start.utcoffset())
            ],
        })
    return out
