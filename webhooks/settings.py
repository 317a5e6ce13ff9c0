"""Settings of the webhooks. Read only at composition roots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from registry.paths import default_data_dir

# The Standard Webhooks retry schedule: the wait before each attempt (immediately, 5 s, 5 min, 30 min,
# 2 h, 5 h, 10 h, 10 h).
STANDARD_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    webhooks_allow_private_targets: bool = Field(
        default=False,
        description="Let webhooks target http and loopback or private addresses. For development and "
        "tests only; never in production.",
    )
    webhooks_secrets_key: SecretStr | None = Field(
        default=None,
        description="Base64 of 32 bytes: the key that encrypts signing secrets at rest. Default: the file "
        "webhook-secrets.key in the data dir, generated on first use.",
    )
    webhooks_timeout_seconds: float = Field(
        default=15.0, gt=0, le=60, description="How long one delivery attempt may take."
    )
    webhooks_relay: bool = Field(
        default=True,
        description="Run the relay inside `airegistry serve`. Set false when `airegistry worker` runs it.",
    )
    webhooks_poll_interval_seconds: float = Field(
        default=0.2, gt=0, le=60, description="How often an idle relay looks for due deliveries."
    )
    webhooks_concurrency: int = Field(
        default=16, ge=1, le=1000, description="Deliveries one relay sends at the same time."
    )
    webhooks_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a relay holds a delivery it sends; another relay takes it over after that. "
        "Must be longer than the timeout.",
    )
    webhooks_disable_after_days: float = Field(
        default=5.0, gt=0, description="A subscription failing this long is disabled."
    )

    webhooks_retry_schedule_seconds: Annotated[tuple[float, ...], NoDecode] = Field(
        default=STANDARD_SCHEDULE,
        description="Seconds to wait before each attempt, comma-separated; the number of values is the "
        "number of attempts. Default: the Standard Webhooks schedule (0,5,300,1800,7200,18000,36000,36000). "
        "Shorten it only for tests and benchmarks.",
    )

    @field_validator("webhooks_retry_schedule_seconds", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("webhooks_retry_schedule_seconds")
    @classmethod
    def _sane_schedule(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not 1 <= len(value) <= 20 or any(wait < 0 for wait in value):
            raise ValueError("give 1 to 20 waits in seconds, none negative")
        return value

    @model_validator(mode="after")
    def _lease_outlasts_timeout(self) -> WebhookSettings:
        if self.webhooks_lease_seconds <= self.webhooks_timeout_seconds:
            raise ValueError(
                "AIREG_WEBHOOKS_LEASE_SECONDS must be longer than AIREG_WEBHOOKS_TIMEOUT_SECONDS"
            )
        return self

    @property
    def secrets_key_file(self) -> Path:
        return self.data_dir / "webhook-secrets.key"


class MailSettings(BaseSettings):
    """How the register sends e-mail (docs/configuration.md)."""

    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    smtp_host: str | None = Field(
        default=None, description="The SMTP server. Unset: mail waits in the outbox."
    )
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password_file: Path | None = Field(default=None, description="A file holding the SMTP password.")
    smtp_from: str = Field(default="AI-registret <noreply@localhost>", description="The From address.")
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    smtp_poll_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    smtp_retry_schedule_seconds: Annotated[tuple[float, ...], NoDecode] = Field(
        default=(10, 30, 60, 120, 300),
        description="The waits after the first failed attempts, comma-separated seconds.",
    )
    smtp_retry_every_seconds: float = Field(default=900, gt=0, description="The wait after those.")
    smtp_give_up_after_seconds: float = Field(default=3 * 86400, gt=0, description="When to give up.")
    mail_relay: bool = Field(default=True, description="Send mail from `airegistry serve`.")
    digest_rounds: bool = Field(
        default=True, description="Send the members' digests from `airegistry serve`, once per deployment."
    )
    digest_round_seconds: float = Field(
        default=3600,
        ge=60,
        le=86400,
        description="How often a round sends the digests that are due (a round may send one early by "
        "this much, so a daily digest keeps its hour).",
    )

    @field_validator("smtp_retry_schedule_seconds", mode="before")
    @classmethod
    def _schedule(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("smtp_from", "smtp_username", "smtp_host")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and ("\r" in value or "\n" in value):
            raise ValueError("must be one line")
        return value

    def smtp_password(self) -> str:
        if self.smtp_password_file is None:
            return ""
        return self.smtp_password_file.read_text(encoding="utf-8").strip()
