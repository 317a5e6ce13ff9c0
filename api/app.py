"""Composition root of the HTTP API: settings, database, authentication, routes, error format."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal

from litestar import Litestar, Request, Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.plugins.pydantic import PydanticPlugin
from litestar.types import ControllerRouterHandler

from api.accesslog import AccessLogMiddleware
from api.auth import JwtAuthMiddleware, TokenVerifier
from api.controllers import (
    AccessLogController,
    ApvReassessmentController,
    ConsultationController,
    FeedsController,
    HealthController,
    MemberController,
    NoticeController,
    OrganizationController,
    OrganizationObligationController,
    OrganizationQuestionController,
    OrganizationSystemController,
    OrganizationUnitController,
    OrganizationWebhookController,
    PreferencesController,
    ProductCardController,
    QuestionController,
    RegisterFilesController,
    RevisionController,
    SystemController,
    SystemFindingController,
    SystemQuestionController,
    SystemStatementController,
    UnitController,
    WebhookController,
    WorkerInformationController,
)
from api.errors import NO_STORE, problem_details_plugin
from api.mails import digests
from api.pages import PageSettings, UnmatchedAddressPages, pages_router
from api.runtime import AccessLogRuntime, task_running
from api.settings import ApiSettings
from registry import Actor
from registry.accesslog.settings import AccessLogSettings
from registry.composition import compose
from registry.db import pooled_connections
from registry.obligations.findings import keep_recomputing, rule_settings
from registry.organizations.tables import Organization
from registry.schedules import keep_running
from registry.updates.digests import DIGEST_RUN, round_job
from webhooks.mail import MailRelay
from webhooks.outbox import OutboxSink
from webhooks.relay import Relay
from webhooks.runtime import WebhookRuntime
from webhooks.settings import MailSettings, WebhookSettings

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
PUBLIC_PATHS = [f"^{API_PREFIX}/health$", f"^{API_PREFIX}/ready$", "^/schema"]


@asynccontextmanager
async def database_pool(_: Litestar) -> AsyncIterator[None]:
    """PostgreSQL: one connection pool per process. SQLite opens a connection per query."""
    async with pooled_connections(Organization._meta.db):
        yield


TAGS = (
    ("Organizations", "Employers and their cooperation bodies"),
    ("Units", "An organization's units, which stewards may be limited to"),
    ("Members", "The people of an organization, invited by e-mail, with their roles"),
    (
        "AI systems",
        "The register: AI systems, their versions, notices, consultations and workers' information",
    ),
    ("Questions", "Questions on record from employee representatives, and the employer's answers"),
    ("Obligations", "Findings of the rules, the written account and APV revisions"),
    ("Product cards", "The shared catalogue of AI products that employers fill their systems in from"),
    ("Webhooks", "Signed notices of every change to subscribed systems"),
    ("Access log", "Who read or changed what: verifiable exports, signed checkpoints, verification"),
    ("Operations", "Liveness and readiness"),
)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Workplace AI register",
        version=API_VERSION,
        description=(
            "Employers register every AI system they use at work; employee representatives (TR, AMR, "
            "MED/SU) read the register and follow every change. Errors are RFC 9457 problem+json."
        ),
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
        security=[{"BearerToken": []}],
        tags=[Tag(name=name, description=text) for name, text in TAGS],
        # The document only, at /schema/openapi.json: an explorer page would load its script from a
        # public CDN onto the origin of the logged-in pages. Load the document into a tool of your own.
        render_plugins=[JsonRenderPlugin()],
    )


# The rate limits' checks run for every request: async, so Litestar does not hand each one to a thread,
# and on the raw path, so no URL object is built for them.
async def _export_throttled(request: Request[Any, Any, Any]) -> bool:
    return str(request.scope["path"]).rstrip("/") == f"{API_PREFIX}/access-log"


async def _verify_throttled(request: Request[Any, Any, Any]) -> bool:
    # Verifying hashes the whole chain inside the request: limited like exports, counted apart.
    return str(request.scope["path"]).rstrip("/") == f"{API_PREFIX}/access-log/verify"


def _requester(request: Request[Any, Any, Any]) -> str:
    user = request.scope.get("user")
    return (
        f"sub:{user.sub}"
        if isinstance(user, Actor)
        else f"ip:{request.client.host if request.client else '-'}"
    )


API_HEADERS = [ResponseHeader(name=name, value=value) for name, value in NO_STORE.items()]


def _in_background(
    name: str, start: Callable[[], Coroutine[Any, Any, None]] | Literal[False]
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A task the app runs while it serves (when `start` is given), cancelled when it stops."""

    @asynccontextmanager
    async def running(_: Litestar) -> AsyncIterator[None]:
        if not start:
            yield
            return
        async with task_running(name, start()):
            yield

    return running


def create_app(
    settings: ApiSettings | None = None,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
    *,
    access_log: AccessLogRuntime | None = None,
    audit_requests: bool = True,
    webhooks: WebhookRuntime | None = None,
    run_relay: bool = False,
    run_schedules: bool = False,
    pages: PageSettings | None = None,
    mail: MailSettings | None = None,
) -> Litestar:
    """`run_relay` runs the webhook relay inside this process (`airegistry serve` does unless
    AIREG_WEBHOOKS_RELAY=false); `run_schedules` recomputes the findings daily (`airegistry serve`).
    `audit_requests=False` exists for the benchmark that measures what the access log costs; the
    service itself always records."""
    settings = settings or ApiSettings()
    hooks = webhooks or WebhookRuntime.from_settings(WebhookSettings(data_dir=settings.data_dir))
    # The register emits its events through this sink, into the outbox, in each change's transaction.
    compose(OutboxSink(public_base_url=settings.public_url))
    verifier = TokenVerifier.from_settings(settings)
    runtime = access_log or AccessLogRuntime.from_settings(AccessLogSettings(data_dir=settings.data_dir))
    throttles = [
        RateLimitConfig(
            rate_limit=("minute", runtime.settings.access_log_exports_per_minute),
            identifier_for_request=_requester,
            check_throttle_handler=check,
            store=store,
        )
        for check, store in ((_export_throttled, "rate_limit"), (_verify_throttled, "rate_limit_verify"))
    ]

    @asynccontextmanager
    async def access_log_running(_: Litestar) -> AsyncIterator[None]:
        # Everything allocated while starting lives as long as the process: keeping it out of the
        # garbage collector's view makes its full collections short (they showed as p99 latency).
        gc.collect()
        gc.freeze()
        async with runtime.running():
            yield

    public_url = settings.public_url
    recompute = rule_settings().rules_recompute_interval_seconds
    background = [
        _in_background("findings-recompute", run_schedules and (lambda: keep_recomputing(recompute))),
        _in_background("webhook-relay", run_relay and (lambda: Relay(hooks).run())),
        _in_background(
            "mail-relay", mail is not None and mail.mail_relay and (lambda: MailRelay(mail).run_forever())
        ),
        _in_background(
            "digest-rounds",
            run_schedules
            and mail is not None
            and mail.digest_rounds
            and (
                lambda: keep_running(
                    DIGEST_RUN,
                    round_job(digests(public_url), round_seconds=mail.digest_round_seconds),
                    interval_seconds=mail.digest_round_seconds,
                )
            ),
        ),
    ]

    api = Router(
        path=API_PREFIX,
        # Answers carry register data for one caller: no cache keeps a copy, and no browser guesses
        # another type for them. (The list sends its own prebuilt answer with the same headers.)
        response_headers=API_HEADERS,
        route_handlers=[
            HealthController,
            OrganizationController,
            OrganizationUnitController,
            UnitController,
            OrganizationSystemController,
            RegisterFilesController,
            SystemController,
            RevisionController,
            NoticeController,
            ConsultationController,
            WorkerInformationController,
            SystemQuestionController,
            QuestionController,
            OrganizationQuestionController,
            SystemFindingController,
            SystemStatementController,
            OrganizationObligationController,
            ApvReassessmentController,
            OrganizationWebhookController,
            WebhookController,
            ProductCardController,
            MemberController,
            PreferencesController,
            FeedsController,
            # The export and verification limits check only these routes: as app middleware they cost
            # every request of the register two calls (about 2% of a list's time).
            Router(
                path="/", route_handlers=[AccessLogController], middleware=[t.middleware for t in throttles]
            ),
        ],
    )
    # The stewards' web interface (api/pages): same services, its own login and error pages.
    page_settings = pages or PageSettings()
    web = pages_router(verifier, page_settings, settings.public_url)
    return Litestar(
        route_handlers=[api, *web, *extra_route_handlers],
        middleware=[
            *([AccessLogMiddleware(runtime.writer)] if audit_requests else []),
            # OPTIONS too: Litestar exempts it by default for CORS preflights, which the API does not
            # serve; exempted, it reached the role guards without a caller and answered 500.
            DefineMiddleware(
                JwtAuthMiddleware, verifier=verifier, exclude=PUBLIC_PATHS, exclude_http_methods=[]
            ),
        ],
        dependencies={
            "audit": Provide(lambda: runtime, sync_to_thread=False),
            "webhook_runtime": Provide(lambda: hooks, sync_to_thread=False),
        },
        plugins=[
            PydanticPlugin(),
            problem_details_plugin,
            UnmatchedAddressPages(page_settings, settings.public_url, (API_PREFIX, "/schema")),
        ],
        lifespan=[database_pool, access_log_running, *background],
        openapi_config=openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        debug=False,
    )


def create_served_app() -> Litestar:
    """The app `airegistry serve` runs: with the webhook relay inside, unless AIREG_WEBHOOKS_RELAY=false
    (when `airegistry worker` processes deliver instead)."""
    settings = ApiSettings()
    hooks = WebhookRuntime.from_settings(WebhookSettings(data_dir=settings.data_dir))
    return create_app(
        settings,
        webhooks=hooks,
        run_relay=hooks.settings.webhooks_relay,
        run_schedules=True,
        mail=MailSettings(),
    )
