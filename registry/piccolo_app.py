"""Piccolo app of the register: its tables and its migrations folder (migrations/registry)."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry
from registry.members.tables import Member
from registry.obligations.tables import ApvReassessment, SystemFinding
from registry.organizations.tables import Organization, Unit
from registry.products.tables import ProductCard, ProductCardRevision
from registry.questions.tables import Answer, Question
from registry.schedules.tables import ScheduledRun
from registry.sessions.tables import BrowserSession, LoginLink, SystemVisit
from registry.systems.tables import AISystem, SystemRecord, SystemRevision

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "registry"

APP_CONFIG = AppConfig(
    app_name="registry",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[
        Organization,
        Unit,
        AISystem,
        SystemRevision,
        SystemRecord,
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
        ProductCard,
        ProductCardRevision,
        Member,
    ],
    migration_dependencies=[],
    commands=[],
)
