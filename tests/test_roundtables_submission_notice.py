"""Every secretariat account is e-mailed, in its own language and through the outbox, for each submission."""

from __future__ import annotations

import sqlalchemy as sa
from support.factories import make_account, make_organization
from support.mail import subject_of, text_of
from support.roundtables import proposal_input

from meetings.core.db import utcnow
from meetings.outbox.models import OutboxMessage
from meetings.roundtables import operations as ops


def _notices(db) -> list[OutboxMessage]:
    return list(db.scalars(sa.select(OutboxMessage).where(OutboxMessage.topic == "roundtable.submitted")
                           .order_by(OutboxMessage.id)))


def test_each_submission_emails_every_active_secretariat_account(app_context, db):
    ana = make_account(db, "ana@comar.example.org", org=make_organization(db))
    make_account(db, "sec-fr@unhcr.example.org", role="secretariat", language="fr", name="Claire")
    make_account(db, "sec-es@unhcr.example.org", role="secretariat", language="es", name="Lucía")
    gone = make_account(db, "gone@unhcr.example.org", role="secretariat")
    gone.active = False
    roundtable = ops.create_proposal(db, ana, proposal_input(), utcnow())
    db.commit()
    assert _notices(db) == []  # a draft tells nobody
    ops.change_status(db, roundtable, ana, "submit", "", utcnow())
    db.commit()
    notices = _notices(db)
    assert sorted(n.to_addresses[0] for n in notices) == ["sec-es@unhcr.example.org", "sec-fr@unhcr.example.org"]
    french = next(n for n in notices if n.language == "fr")
    assert subject_of(db, french).startswith("Table ronde soumise pour examen")
    assert "Comisión Mexicana de Ayuda a Refugiados" in text_of(db, french)
    assert f"/roundtables/{roundtable.id}" in text_of(db, french)
    spanish = next(n for n in notices if n.language == "es")
    assert subject_of(db, spanish).startswith("Mesa redonda presentada para examen")
    # Submitted again after changes were requested: a new notice (one per submission, never duplicated).
    sec = make_account(db, "sec@unhcr.example.org", role="secretariat")
    ops.change_status(db, roundtable, sec, "request_changes", "Add a region.", utcnow())
    ops.change_status(db, roundtable, ana, "submit", "", utcnow())
    db.commit()
    assert len(_notices(db)) == 2 + 3
