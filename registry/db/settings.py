"""Settings the domain needs to reach its database. Read only at composition roots."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="SQLite file, generated keys and secrets.")
    database_url: str | None = Field(
        default=None,
        description="sqlite:///<path> or postgresql://user:pass@host:port/db; default: the SQLite file "
        "registry.db in the data dir.",
    )
    sqlite_busy_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long a SQLite writer waits for the write lock."
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'registry.db').as_posix()}"
