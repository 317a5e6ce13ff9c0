"""Liveness and readiness for load balancers and orchestrators. No authentication."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Operation
from pydantic import BaseModel

from api.runtime import AccessLogRuntime
from registry.db.migrate import pending_migrations


class Health(BaseModel):
    status: str
    detail: str | None = None


@dataclass
class PublicOperation(Operation):
    """Needs no token: an empty `security` overrides the document's default (a bearer token)."""

    def __post_init__(self) -> None:
        self.security = []


class HealthController(Controller):
    path = "/"
    tags = ["Operations"]

    @get("/health", operation_id="health", summary="The process is up", operation_class=PublicOperation)
    async def health(self) -> Health:
        return Health(status="ok")

    @get(
        "/ready",
        operation_id="ready",
        summary="The database answers, its schema is current and the access log passed its last check",
        operation_class=PublicOperation,
        responses={503: ResponseSpec(Health, description="Not ready: `detail` says why")},
    )
    async def ready(self, audit: NamedDependency[AccessLogRuntime]) -> Response[Health]:
        try:
            pending = await pending_migrations()
        except Exception:
            return Response(Health(status="unavailable", detail="database unreachable"), status_code=503)
        if pending:
            return Response(
                Health(
                    status="unavailable",
                    detail=f"{len(pending)} migration(s) not applied; run airegistry migrate",
                ),
                status_code=503,
            )
        if audit.integrity_problem:
            return Response(
                Health(
                    status="unavailable",
                    detail=f"the access log failed its integrity check: {audit.integrity_problem}",
                ),
                status_code=503,
            )
        return Response(Health(status="ok"))
