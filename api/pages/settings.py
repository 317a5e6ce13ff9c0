"""Settings of the stewards' web interface. Read only at composition roots (app, CLI)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    ui_invitation_ttl_seconds: int = Field(
        default=7 * 86400,
        ge=60,
        le=30 * 86400,
        description="How long the login link of an invitation can be used (one time).",
    )
    ui_login_link_ttl_seconds: int = Field(
        default=24 * 3600,
        ge=60,
        le=30 * 86400,
        description="How long a one-time login link (`airegistry token issue --link`, `airegistry demo`) "
        "can be used.",
    )
    ui_session_ttl_seconds: int = Field(
        default=12 * 3600,
        ge=60,
        le=30 * 86400,
        description="How long a browser stays logged in after using a link; checked on the server.",
    )
