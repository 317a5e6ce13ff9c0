"""Where the register keeps its files when AIREG_DATA_DIR does not say.

One default for every command and every settings class, whatever the current directory: the user's
data folder as the platform defines it (platformdirs: `$XDG_DATA_HOME/airegistry`, by default
`~/.local/share/airegistry`, on Linux). Earlier releases used `./data`, which gave each directory a
register of its own: a token minted in one was refused by a server started in another."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "airegistry"
DATABASE_FILE = "registry.db"
# The default data dir of earlier releases, relative to the current directory.
LEGACY_DATA_DIR = Path("data")


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME))


def legacy_database(data_dir: Path) -> Path | None:
    """`./data/registry.db` when it exists and `data_dir` (the default one) holds no database: the
    register an earlier release made in this directory, which AIREG_DATA_DIR=./data would use."""
    legacy = LEGACY_DATA_DIR / DATABASE_FILE
    if (data_dir / DATABASE_FILE).exists() or not legacy.is_file():
        return None
    if legacy.resolve() == (data_dir / DATABASE_FILE).resolve():
        return None
    return legacy


__all__ = ["APP_NAME", "DATABASE_FILE", "LEGACY_DATA_DIR", "default_data_dir", "legacy_database"]
