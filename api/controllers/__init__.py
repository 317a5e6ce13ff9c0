"""One controller per resource; handlers call registry services and shape nothing else."""

from api.controllers.access_log import AccessLogController
from api.controllers.health import HealthController
from api.controllers.members import FeedsController, MemberController, PreferencesController
from api.controllers.obligations import (
    ApvReassessmentController,
    OrganizationObligationController,
    SystemFindingController,
)
from api.controllers.organizations import OrganizationController
from api.controllers.products import ProductCardController
from api.controllers.questions import (
    OrganizationQuestionController,
    QuestionController,
    SystemQuestionController,
)
from api.controllers.records import ConsultationController, NoticeController, WorkerInformationController
from api.controllers.register_files import RegisterFilesController
from api.controllers.revisions import RevisionController
from api.controllers.statement import SystemStatementController
from api.controllers.systems import OrganizationSystemController, SystemController
from api.controllers.units import OrganizationUnitController, UnitController
from api.controllers.webhooks import OrganizationWebhookController, WebhookController

__all__ = [
    "AccessLogController",
    "ApvReassessmentController",
    "ConsultationController",
    "FeedsController",
    "HealthController",
    "MemberController",
    "NoticeController",
    "OrganizationController",
    "OrganizationObligationController",
    "OrganizationQuestionController",
    "OrganizationSystemController",
    "OrganizationUnitController",
    "OrganizationWebhookController",
    "PreferencesController",
    "ProductCardController",
    "QuestionController",
    "RegisterFilesController",
    "RevisionController",
    "SystemController",
    "SystemFindingController",
    "SystemQuestionController",
    "SystemStatementController",
    "UnitController",
    "WebhookController",
    "WorkerInformationController",
]
