"""Piccolo configuration: one database engine, chosen by AIREG_DATABASE_URL.

Default: the embedded SQLite file `<AIREG_DATA_DIR>/registry.db`. A `postgresql://` URL selects the
production engine.
"""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from registry.db import engine_from_settings

DB = engine_from_settings()

APP_REGISTRY = AppRegistry(apps=["registry.piccolo_app", "webhooks.piccolo_app"])
