"""Piccolo app of the webhooks: its tables and its migrations folder (migrations/webhooks)."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from webhooks.tables import MailMessage, WebhookAttempt, WebhookDelivery, WebhookEvent, WebhookSubscription

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "webhooks"

APP_CONFIG = AppConfig(
    app_name="webhooks",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[WebhookSubscription, WebhookEvent, WebhookDelivery, WebhookAttempt, MailMessage],
    migration_dependencies=["registry.piccolo_app"],
    commands=[],
)
