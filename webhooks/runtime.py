"""What the webhook use cases and the relay share in one process: the settings, the box that opens
signing secrets, and the DNS resolver the SSRF guard uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.errors import ConfigurationError
from webhooks.secretbox import SecretBox, key_from_setting, load_or_create_key
from webhooks.settings import WebhookSettings
from webhooks.ssrf import Resolver, system_resolver


@dataclass
class WebhookRuntime:
    settings: WebhookSettings
    box: SecretBox
    resolver: Resolver = field(default=system_resolver)

    @classmethod
    def from_settings(cls, settings: WebhookSettings | None = None) -> WebhookRuntime:
        settings = settings or WebhookSettings()
        configured = settings.webhooks_secrets_key
        try:
            key = (
                key_from_setting(configured.get_secret_value())
                if configured is not None
                else load_or_create_key(settings.secrets_key_file)
            )
        except ValueError as exc:
            raise ConfigurationError(str(exc), setting="AIREG_WEBHOOKS_SECRETS_KEY") from exc
        return cls(settings=settings, box=SecretBox(key))

    @property
    def allow_private(self) -> bool:
        return self.settings.webhooks_allow_private_targets
