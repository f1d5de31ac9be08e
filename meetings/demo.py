"""Seed data: the four workstreams (always) and one upcoming demo global meeting (idempotent)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from meetings.core.vocabulary import CATEGORY_CODES
from meetings.models import GlobalMeeting, MeetingSession
from meetings.organizations.models import Workstream

WORKSTREAMS = {
    1: ("Promote engagement in asylum capacity support",
        "Promouvoir l'implication dans l'appui à la capacité d'asile",
        "Promover la participación en el apoyo a la capacidad de asilo"),
    2: ("Mobilize asylum capacity pledges; prepare and follow up the Global Refugee Forum",
        "Mobiliser les engagements d'appui à la capacité d'asile ; préparer et assurer le suivi du "
        "Forum mondial sur les réfugiés",
        "Movilizar los compromisos de apoyo a la capacidad de asilo; preparar el Foro Mundial sobre "
        "los Refugiados y darle seguimiento"),
    3: ("Enhance the sharing of technical expertise",
        "Améliorer le partage de l'expertise technique",
        "Mejorar el intercambio de conocimientos técnicos"),
    4: ("Strategy and guidance on asylum capacity development",
        "Stratégie et orientations en matière de développement des capacités d'asile",
        "Estrategia y orientaciones sobre el desarrollo de la capacidad de asilo"),
}


def seed_workstreams(db: Session) -> None:
    """Create or update the four workstreams."""
    for number, (en, fr, es) in WORKSTREAMS.items():
        workstream = db.scalar(sa.select(Workstream).where(Workstream.number == number))
        if workstream is None:
            workstream = Workstream(number=number)
            db.add(workstream)
        workstream.title_en, workstream.title_fr, workstream.title_es = en, fr, es
    db.flush()


def next_meeting_day(today: date) -> date:
    """A Wednesday about six weeks after ``today``."""
    day = today + timedelta(days=42)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def seed_demo_meeting(db: Session, today: date) -> GlobalMeeting:
    """One open global meeting with sessions A and B (created once, found afterwards)."""
    day = next_meeting_day(today)
    edition = f"{day.year}-{1 if day.month <= 6 else 2}"
    meeting = db.scalar(sa.select(GlobalMeeting).where(GlobalMeeting.edition == edition))
    if meeting is not None:
        return meeting
    meeting = GlobalMeeting(
        edition=edition,
        title_en=f"Dialogue Platform global meeting {edition}",
        title_fr=f"Réunion mondiale de la Plateforme de Dialogue {edition}",
        title_es=f"Reunión mundial de la Plataforma de Diálogo {edition}",
        description_en="Twin sessions so that every time zone has one in reasonable hours. "
                       "Interpretation between English, French and Spanish.",
        description_fr="Deux sessions jumelles pour que chaque fuseau horaire en ait une à une heure "
                       "raisonnable. Interprétation entre l'anglais, le français et l'espagnol.",
        description_es="Dos sesiones gemelas para que cada huso horario tenga una en horario razonable. "
                       "Interpretación entre inglés, francés y español.",
        status="open",
        conveners="UNHCR",
        allowed_categories=list(CATEGORY_CODES),
        duration_minutes=180,
    )
    for label, hour in (("A", 7), ("B", 15)):
        meeting.sessions.append(MeetingSession(
            label=label, starts_at=datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC),
            duration_minutes=180, capacity=300, join_url=f"https://meet.example.org/acsg-{edition}-{label}",
            floor_languages=["en", "fr", "es"],
        ))
    db.add(meeting)
    db.flush()
    return meeting
