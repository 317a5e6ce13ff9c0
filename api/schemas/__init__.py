"""Request and response bodies of the API (pydantic; unknown fields rejected)."""

from api.schemas.organizations import Organization, OrganizationCreate, OrganizationUpdate
from api.schemas.questions import Answer, AnswerCreate, Question, QuestionCreate
from api.schemas.systems import (
    AISystem,
    AISystemCreate,
    AISystemPage,
    AISystemUpdate,
    FieldChange,
    Revision,
    RevisionDiff,
    RevisionSummary,
)
from api.schemas.units import Unit, UnitCreate, UnitUpdate
from api.schemas.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookUpdate,
    WebhookWithSecret,
)

__all__ = [
    "AISystem",
    "AISystemCreate",
    "AISystemPage",
    "AISystemUpdate",
    "Answer",
    "AnswerCreate",
    "FieldChange",
    "Organization",
    "OrganizationCreate",
    "OrganizationUpdate",
    "Question",
    "QuestionCreate",
    "Revision",
    "RevisionDiff",
    "RevisionSummary",
    "Unit",
    "UnitCreate",
    "UnitUpdate",
    "Webhook",
    "WebhookCreate",
    "WebhookDelivery",
    "WebhookDeliveryPage",
    "WebhookUpdate",
    "WebhookWithSecret",
]
