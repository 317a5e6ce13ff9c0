"""Piccolo app of the register: its tables and its migrations folder (migrations/registry)."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry
from registry.questions_tables import Answer, Question
from registry.schedule_tables import ScheduledRun
from registry.session_tables import BrowserSession, LoginLink, SystemVisit
from registry.tables import AISystem, ApvReassessment, Organization, SystemFinding, SystemRevision, Unit

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "registry"

APP_CONFIG = AppConfig(
    app_name="registry",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[
        Organization,
        Unit,
        AISystem,
        SystemRevision,
        AccessLogEntry,
        AccessLogCheckpoint,
        ApvReassessment,
        SystemFinding,
        Question,
        Answer,
        LoginLink,
        BrowserSession,
        SystemVisit,
        ScheduledRun,
    ],
    migration_dependencies=[],
    commands=[],
)
