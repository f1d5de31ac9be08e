"""A term added to a concept of the asylum-topic vocabulary."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from meetings.core.db import Base, UTCDateTime, utcnow
from meetings.core.vocabulary import LANGUAGE_CODES, sql_in


class TopicTerm(Base):
    """One term in one language for a concept (of the CSV, or a new concept the secretariat names)."""

    __tablename__ = "topic_terms"
    __table_args__ = (
        sa.UniqueConstraint("concept_id", "language", "term_key", name="uq_topic_terms_term"),
        sa.CheckConstraint(sql_in("language", LANGUAGE_CODES), name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[str] = mapped_column(sa.String(60))
    language: Mapped[str] = mapped_column(sa.String(2))
    term: Mapped[str] = mapped_column(sa.String(120))
    # The term folded (case, accents, spaces): one row per spelling of a term.
    term_key: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: utcnow())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"),
                                                      nullable=True)
