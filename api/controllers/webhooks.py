"""Webhook subscriptions of an organization, their deliveries, tests and redeliveries."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.errors import problems
from api.guards import employer_admin
from api.schemas import (
    Webhook,
    WebhookCreate,
    WebhookDelivery,
    WebhookDeliveryPage,
    WebhookUpdate,
    WebhookWithSecret,
)
from registry import Actor
from registry.pagination import DEFAULT_LIMIT, MAX_LIMIT
from webhooks import subscriptions
from webhooks.runtime import WebhookRuntime

Runtime = NamedDependency[WebhookRuntime]


class OrganizationWebhookController(Controller):
    path = "/organizations/{org_id:uuid}/webhooks"
    tags = ["Webhooks"]
    guards = [employer_admin]

    @post(
        "/",
        operation_id="createWebhook",
        responses=problems(400, 403, 404, 413, 422),
        summary="Subscribe an endpoint (the secret is shown once)",
    )
    async def create_webhook(
        self,
        request: Request[Actor, str, Any],
        org_id: FromPath[UUID],
        data: JSONBody[WebhookCreate],
        webhook_runtime: Runtime,
    ) -> Response[WebhookWithSecret]:
        created, secret = await subscriptions.create_subscription(
            webhook_runtime,
            request.user,
            str(org_id),
            url=data.url,
            event_types=data.event_types,
            description=data.description,
        )
        return Response(
            WebhookWithSecret.model_validate({**created, "secret": secret}),
            status_code=201,
            headers={"Location": f"/api/v1/webhooks/{created['id']}", "Cache-Control": "no-store"},
        )

    @get(
        "/",
        operation_id="listWebhooks",
        responses=problems(400, 403, 404),
        summary="An organization's webhook subscriptions",
    )
    async def list_webhooks(self, request: Request[Actor, str, Any], org_id: FromPath[UUID]) -> list[Webhook]:
        found = await subscriptions.list_subscriptions(request.user, str(org_id))
        return [Webhook.model_validate(item) for item in found]


class WebhookController(Controller):
    path = "/webhooks/{subscription_id:uuid}"
    tags = ["Webhooks"]
    guards = [employer_admin]

    @get(
        "/", operation_id="getWebhook", responses=problems(400, 403, 404), summary="One webhook subscription"
    )
    async def get_webhook(
        self, request: Request[Actor, str, Any], subscription_id: FromPath[UUID]
    ) -> Webhook:
        return Webhook.model_validate(
            await subscriptions.get_subscription(request.user, str(subscription_id))
        )

    @patch(
        "/",
        operation_id="updateWebhook",
        responses=problems(400, 403, 404, 413, 422),
        summary="Change, pause, resume or re-enable a subscription",
    )
    async def update_webhook(
        self,
        request: Request[Actor, str, Any],
        subscription_id: FromPath[UUID],
        data: JSONBody[WebhookUpdate],
        webhook_runtime: Runtime,
    ) -> Webhook:
        changes = data.model_dump(exclude_unset=True)
        updated = await subscriptions.update_subscription(
            webhook_runtime, request.user, str(subscription_id), changes
        )
        return Webhook.model_validate(updated)

    @delete(
        "/",
        operation_id="deleteWebhook",
        responses=problems(400, 403, 404),
        summary="Delete a subscription; queued deliveries stop",
    )
    async def delete_webhook(
        self, request: Request[Actor, str, Any], subscription_id: FromPath[UUID]
    ) -> None:
        await subscriptions.delete_subscription(request.user, str(subscription_id))

    @post(
        "/rotate-secret",
        operation_id="rotateWebhookSecret",
        responses=problems(400, 403, 404),
        summary="A new signing secret; the old one also signs for 24 hours",
        status_code=200,
    )
    async def rotate_webhook_secret(
        self, request: Request[Actor, str, Any], subscription_id: FromPath[UUID], webhook_runtime: Runtime
    ) -> Response[WebhookWithSecret]:
        rotated, secret = await subscriptions.rotate_secret(
            webhook_runtime, request.user, str(subscription_id)
        )
        return Response(
            WebhookWithSecret.model_validate({**rotated, "secret": secret}),
            headers={"Cache-Control": "no-store"},
        )

    @post(
        "/test",
        operation_id="testWebhook",
        responses=problems(400, 403, 404, 409),
        summary="Send a webhook.test event",
        status_code=202,
    )
    async def test_webhook(
        self, request: Request[Actor, str, Any], subscription_id: FromPath[UUID]
    ) -> WebhookDelivery:
        return WebhookDelivery.model_validate(
            await subscriptions.send_test(request.user, str(subscription_id))
        )

    @get(
        "/deliveries",
        operation_id="listWebhookDeliveries",
        responses=problems(400, 403, 404),
        summary="Deliveries, newest first",
    )
    async def list_webhook_deliveries(
        self,
        request: Request[Actor, str, Any],
        subscription_id: FromPath[UUID],
        status: Annotated[
            Literal["pending", "succeeded", "failed", "cancelled"] | None, QueryParameter()
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
        cursor: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> WebhookDeliveryPage:
        items, next_cursor = await subscriptions.list_deliveries(
            request.user, str(subscription_id), status=status, limit=limit, cursor=cursor
        )
        return WebhookDeliveryPage.model_validate({"items": items, "next_cursor": next_cursor})

    @post(
        "/deliveries/{delivery_id:int}/redeliver",
        operation_id="redeliverWebhook",
        responses=problems(400, 403, 404),
        summary="Send a delivery's event again (same webhook-id)",
        status_code=202,
    )
    async def redeliver_webhook(
        self, request: Request[Actor, str, Any], subscription_id: FromPath[UUID], delivery_id: FromPath[int]
    ) -> WebhookDelivery:
        again = await subscriptions.redeliver(request.user, str(subscription_id), str(delivery_id))
        return WebhookDelivery.model_validate(again)


__all__ = ["OrganizationWebhookController", "WebhookController"]
