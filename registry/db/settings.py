"""Settings the domain needs to reach its database. Read only at composition roots."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from registry.paths import DATABASE_FILE, default_data_dir

SQLITE_PREFIX = "sqlite:///"


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir, description="SQLite file, generated keys and secrets."
    )
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
        return f"{SQLITE_PREFIX}{(self.data_dir / DATABASE_FILE).as_posix()}"

    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None when the database is PostgreSQL."""
        url = self.resolved_database_url()
        return Path(url.removeprefix(SQLITE_PREFIX)) if url.startswith(SQLITE_PREFIX) else None

    def shown_database(self) -> str:
        """The database for messages: a SQLite file by its absolute path, a server's URL without its
        password."""
        path = self.sqlite_path()
        return (
            str(path.absolute()) if path is not None else url_without_password(self.resolved_database_url())
        )


def url_without_password(url: str) -> str:
    parts = urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    netloc = f"{user.split(':', 1)[0]}@{host}" if at else parts.netloc
    # libpq also takes the password as a query parameter.
    query = "&".join(item for item in parts.query.split("&") if item.split("=", 1)[0] != "password")
    # Put together by hand: urlunsplit drops the empty host of postgresql:///db.
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")
