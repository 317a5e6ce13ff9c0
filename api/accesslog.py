"""Records every API request that touches register data in the access log, before its response
leaves. If the entry cannot be written, the client gets 503 instead of an unrecorded answer."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from registry import Actor
from registry.accesslog import context
from registry.accesslog.writer import AccessLogUnavailable, AccessLogWriter, EntryDraft, new_id

log = logging.getLogger("airegistry.accesslog")

# operation id -> (action, resource type). A test checks that every register route is here.
AUDITED: dict[str, tuple[str, str]] = {
    "createOrganization": ("create", "organization"),
    "listOrganizations": ("list", "organization"),
    "getOrganization": ("read", "organization"),
    "updateOrganization": ("update", "organization"),
    "listUnits": ("list", "unit"),
    "createUnit": ("create", "unit"),
    "getUnit": ("read", "unit"),
    "updateUnit": ("update", "unit"),
    "listSystems": ("list", "system"),
    "registerSystem": ("create", "system"),
    "getSystem": ("read", "system"),
    "updateSystem": ("update", "system"),
    "listRevisions": ("list", "revision"),
    "getRevision": ("read", "revision"),
    "diffRevision": ("read", "revision_diff"),
    "recordNotice": ("create", "notice"),
    "listNotices": ("list", "notice"),
    "recordConsultation": ("create", "consultation"),
    "listConsultations": ("list", "consultation"),
    "recordWorkerInformation": ("create", "worker_information"),
    "listWorkerInformation": ("list", "worker_information"),
    "askQuestion": ("ask", "question"),
    "listQuestions": ("list", "question"),
    "getQuestion": ("read", "question"),
    "answerQuestion": ("answer", "answer"),
    "listOrganizationQuestions": ("list", "question"),
    "listSystemFindings": ("list", "finding"),
    "listOrganizationFindings": ("list", "finding"),
    "getSystemStatement": ("read", "statement"),
    "getOrganizationOverview": ("read", "overview"),
    "listApvReassessments": ("list", "apv_reassessment"),
    "getApvReassessment": ("read", "apv_reassessment"),
    "updateApvReassessment": ("update", "apv_reassessment"),
    "createWebhook": ("create", "webhook"),
    "listWebhooks": ("list", "webhook"),
    "getWebhook": ("read", "webhook"),
    "updateWebhook": ("update", "webhook"),
    "deleteWebhook": ("delete", "webhook"),
    "rotateWebhookSecret": ("rotate_secret", "webhook"),
    "testWebhook": ("test", "webhook"),
    "listWebhookDeliveries": ("list", "webhook_delivery"),
    "redeliverWebhook": ("redeliver", "webhook_delivery"),
    "exportRegister": ("export", "system"),
    "getImportTemplate": ("read", "import_template"),
    "importSystems": ("import", "system"),
    "inviteMember": ("invite", "member"),
    "getPreferences": ("read", "preferences"),
    "updatePreferences": ("update", "preferences"),
    "getFeeds": ("read", "feed_addresses"),
    "rotateFeeds": ("rotate_secret", "feed"),
    "listMembers": ("list", "member"),
    "updateMember": ("update", "member"),
    "removeMember": ("delete", "member"),
    "createProductCard": ("create", "product_card"),
    "listProductCards": ("list", "product_card"),
    "getProductCard": ("read", "product_card"),
    "updateProductCard": ("update", "product_card"),
    "exportAccessLog": ("export", "access_log"),
    "verifyAccessLog": ("verify", "access_log"),
    "getAccessLogPublicKey": ("read", "access_log_key"),
    "listAccessLogCheckpoints": ("list", "access_log_checkpoint"),
    # The web interface (api/pages): page views and form posts, recorded like the API's reads.
    "pageHome": ("read", "home_page"),
    "pageLoginLink": ("read", "login_link"),
    "pageRequestLink": ("request", "login_link"),
    "pagePreferences": ("read", "preferences"),
    "pageMembers": ("list", "member"),
    "pageInviteMember": ("invite", "member"),
    "pageChangeMember": ("update", "member"),
    "pageRemoveMember": ("delete", "member"),
    "pageUpdatePreferences": ("update", "preferences"),
    "pageRotateFeeds": ("rotate_secret", "feed"),
    "feedChanges": ("read", "feed"),
    "feedDeadlines": ("read", "calendar"),
    "pageUnsubscribeForm": ("read", "unsubscribe_page"),
    "pageUnsubscribe": ("unsubscribe", "digest"),
    "login": ("login", "session"),
    "logout": ("logout", "session"),
    "setLanguage": ("update", "language"),
    "pageRegister": ("list", "system"),
    "pageSystem": ("read", "system"),
    "pageAskQuestion": ("ask", "question"),
    "pageAnswerQuestion": ("answer", "answer"),
    "pageStatement": ("read", "statement"),
    "pageStatementPdf": ("read", "statement"),
    "pageCompleteApv": ("update", "apv_reassessment"),
    "pageNewSystem": ("read", "system_form"),
    "pageRegisterSystem": ("create", "system"),
    "pageEditSystem": ("read", "system"),
    "pageUpdateSystem": ("update", "system"),
    "pageRetireSystem": ("read", "system"),
    "pageRetire": ("update", "system"),
    "pageExportRegister": ("export", "system"),
    "pageImportTemplate": ("read", "import_template"),
    "pageImport": ("read", "import_page"),
    "pageImportSystems": ("import", "system"),
}
RESOURCE_ID_CHARS = 100  # access_log.resource_id
UNAUDITED = re.compile(r"^(/api/v1/health|/api/v1/ready|/schema)(/|$)")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def outcome_of(status: int) -> str:
    if status < 400:
        return "allowed"
    if status in (401, 403):
        return "denied"
    if status in (404, 405, 410):
        return "not_found"
    if status >= 500:
        return "error"
    return "rejected"


def _resource_id(params: dict[str, Any], resource_type: str | None) -> str | None:
    """The id of the object the route names. An organization's id counts only on its own routes: on
    /organizations/{org_id}/systems it is where, not what (it is the entry's organization)."""
    for param in (
        "delivery_id",
        "system_id",
        "unit_id",
        "subscription_id",
        "question_id",
        "reassessment_id",
        "card_id",
        "member_id",
    ):
        if param in params:
            # As the address gave it (a public feed address can give anything): at most the column's
            # 100 characters, so one odd address cannot fail the batch of entries it is written in.
            return str(params[param])[:RESOURCE_ID_CHARS]
    if resource_type == "organization" and "org_id" in params:
        return str(params["org_id"])
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class AccessLogMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    # A route declared with opt={"no_access_log": True} touches no register data (a benchmark's
    # comparison route); no register route carries it (a test checks).
    exclude_opt_key = "no_access_log"

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        """Liveness, readiness and the API description touch no register data."""
        return UNAUDITED.match(scope["path"]) is not None

    def __init__(self, writer: AccessLogWriter) -> None:
        self.writer = writer

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        operation = getattr(handler, "operation_id", None)
        action, resource_type = AUDITED.get(
            operation if isinstance(operation, str) else "", ("request", None)
        )
        params = scope.get("path_params") or {}
        supplied = _header(scope, b"x-request-id")
        request_id = supplied if supplied and REQUEST_ID.match(supplied) else new_id()
        target = context.open_target(
            organization_id=str(params["org_id"]) if "org_id" in params else None,
            resource_id=_resource_id(params, resource_type),
        )
        state: dict[str, Any] = {"recorded": False, "replaced": False}

        async def record(status: int) -> None:
            state["recorded"] = True
            actor = scope.get("user")
            client = scope.get("client")
            await self.writer.append(
                EntryDraft(
                    action=action,
                    outcome=outcome_of(status),
                    status=status,
                    organization_id=target.organization_id
                    or (actor.org if isinstance(actor, Actor) else None),
                    actor_sub=actor.sub if isinstance(actor, Actor) else None,
                    actor_role=actor.role.value if isinstance(actor, Actor) else None,
                    resource_type=resource_type,
                    resource_id=target.resource_id,
                    source_ip=client[0] if client else None,
                    user_agent=_header(scope, b"user-agent"),
                    request_id=request_id,
                )
            )

        async def send_recorded(message: Message) -> None:
            if state["replaced"]:
                return  # the original answer is withheld: it could not be recorded
            if message["type"] == "http.response.start":
                try:
                    await record(message["status"])
                except AccessLogUnavailable:
                    log.exception("access log unavailable; answering 503")
                    state["replaced"] = True
                    await _send_unavailable(send, request_id)
                    return
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())],
                }
            await send(message)

        try:
            await next_app(scope, receive, send_recorded)
        except Exception as exc:
            if not state["recorded"]:
                # Raised by an outer layer (authentication): the response is made further out.
                await record(int(getattr(exc, "status_code", 500)))
            raise


async def _send_unavailable(send: Send, request_id: str) -> None:
    body = json.dumps(
        {
            "status": 503,
            "title": "Service unavailable",
            "detail": "The access log cannot be written right now, so the request was not answered.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
