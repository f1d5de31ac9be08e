"""Every model of the service, imported in one explicit place so Alembic and the tests see the whole schema."""

from meetings.accounts import models as accounts_models
from meetings.console import models as console_models
from meetings.core import audit, db, tasks
from meetings.models import meeting, registration
from meetings.organizations import api_keys as organizations_api_keys
from meetings.organizations import models as organizations_models
from meetings.outbox import models as outbox_models
from meetings.registrations import models as registrations_models
from meetings.roundtables import models as roundtables_models
from meetings.support import models as support_models
from meetings.topic_terms import models as topic_terms_models

MODEL_MODULES = (audit, meeting, registration, organizations_models, accounts_models, outbox_models,
                 console_models, roundtables_models, support_models,
                 topic_terms_models, registrations_models, organizations_api_keys, tasks)
metadata = db.Base.metadata
