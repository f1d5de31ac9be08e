"""The interpretation plan of one session: pure arithmetic on (spoken, listening) pairs, no database.

Rules:
- a channel X->Y (X != Y, both among en/fr/es) is needed when someone listens in Y and *someone else*
  speaks X: a person does not need their own words interpreted back to them;
- one booth per target language Y that has at least one needed channel; the booth's team is
  ``short_team`` interpreters for sessions up to ``long_minutes`` minutes, ``long_team`` beyond;
- a language nobody speaks or listens in has no demand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

LANGUAGES = ("en", "fr", "es")


@dataclass(frozen=True)
class Channel:
    """One interpretation channel: from the speaker's language into the listener's."""

    source: str
    target: str
    listeners: int  # people listening in ``target`` for whom someone else speaks ``source``

    @property
    def key(self) -> str:
        """'fr-en': a stable identifier for forms and bookings."""
        return f"{self.source}-{self.target}"


@dataclass(frozen=True)
class Booth:
    """One booth (team of interpreters) working into ``target``."""

    target: str
    sources: tuple[str, ...]
    team_size: int


@dataclass(frozen=True)
class InterpretationPlan:
    """Everything the secretariat books for one session."""

    participants: int
    spoken: dict[str, int]
    listening: dict[str, int]
    channels: tuple[Channel, ...]
    booths: tuple[Booth, ...]
    no_demand: tuple[str, ...]
    team_size: int
    duration_minutes: int
    ignored: int = 0  # pairs with a language outside the interpreted ones

    @property
    def interpreters(self) -> int:
        """Interpreters to book in total (every booth has the same team size)."""
        return sum(booth.team_size for booth in self.booths)

    @property
    def needs_interpretation(self) -> bool:
        """Whether any channel is needed."""
        return bool(self.channels)


def team_size(duration_minutes: int, *, long_minutes: int = 180, short_team: int = 2, long_team: int = 3) -> int:
    """Interpreters per booth: ``short_team`` up to ``long_minutes`` (inclusive), ``long_team`` beyond."""
    if duration_minutes <= 0:
        raise ValueError("a session lasts at least one minute")
    return short_team if duration_minutes <= long_minutes else long_team


def plan_interpretation(people: list[tuple[str | None, str | None]], duration_minutes: int, *,
                        long_minutes: int = 180, short_team: int = 2, long_team: int = 3,
                        languages: tuple[str, ...] = LANGUAGES) -> InterpretationPlan:
    """The plan for ``people`` given as (spoken, listening) language pairs of the confirmed registrants.

    Pairs with a language outside ``languages`` (or None) are counted in ``ignored``.
    """
    known = [(s, listening) for s, listening in people if s in languages and listening in languages]
    spoken = Counter(s for s, _ in known)
    listening = Counter(listening for _, listening in known)
    channels = []
    for target in languages:
        for source in languages:
            if source == target:
                continue
            listeners = sum(
                1 for s, heard in known
                if heard == target and spoken[source] - (1 if s == source else 0) > 0
            )
            if listeners:
                channels.append(Channel(source, target, listeners))
    size = team_size(duration_minutes, long_minutes=long_minutes, short_team=short_team, long_team=long_team)
    booths = tuple(
        Booth(target, tuple(c.source for c in channels if c.target == target), size)
        for target in languages if any(c.target == target for c in channels)
    )
    no_demand = tuple(lang for lang in languages if not spoken[lang] and not listening[lang])
    return InterpretationPlan(
        participants=len(known), spoken={lang: spoken[lang] for lang in languages},
        listening={lang: listening[lang] for lang in languages}, channels=tuple(channels), booths=booths,
        no_demand=no_demand, team_size=size, duration_minutes=duration_minutes,
        ignored=len(people) - len(known),
    )
