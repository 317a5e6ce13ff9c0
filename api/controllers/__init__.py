"""One controller per resource; handlers call registry services and shape nothing else."""

from api.controllers.access_log import AccessLogController
from api.controllers.health import HealthController
from api.controllers.organizations import OrganizationController
from api.controllers.revisions import RevisionController
from api.controllers.systems import OrganizationSystemController, SystemController
from api.controllers.units import OrganizationUnitController, UnitController
from api.controllers.webhooks import OrganizationWebhookController, WebhookController

__all__ = [
    "AccessLogController",
    "HealthController",
    "OrganizationController",
    "OrganizationSystemController",
    "OrganizationUnitController",
    "OrganizationWebhookController",
    "RevisionController",
    "SystemController",
    "UnitController",
    "WebhookController",
]
