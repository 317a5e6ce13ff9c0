"""Settings of the access log. Read only at composition roots."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from registry.paths import default_data_dir


class AccessLogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    access_log_checkpoint_interval_seconds: int = Field(
        default=300,
        ge=10,
        description="The server signs a checkpoint at least this often (when entries were added).",
    )
    access_log_checkpoint_entries: int = Field(
        default=10_000,
        ge=100,
        description="...and as soon as this many entries are not yet under a signed checkpoint.",
    )
    access_log_kept_checkpoint_file: Path | None = Field(
        default=None,
        description=(
            "Where the server keeps the last checkpoint it signed (default: access-log-checkpoint.json "
            "in the data dir). Writable by every process that signs; outside the database."
        ),
    )
    access_log_retention_days: int = Field(
        default=1826, ge=1, description="How long entries are kept (default 5 years); older ones are pruned."
    )
    access_log_max_export_days: int = Field(default=366, ge=1, le=3660, description="Longest export range.")
    access_log_exports_per_minute: int = Field(
        default=6, ge=1, description="Exports one auditor may start per minute; more get 429."
    )
