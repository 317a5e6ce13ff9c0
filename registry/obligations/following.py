"""The obligations follow every change of an AI system (the port of registry/systems/followers.py):
a material change opens an APV revision per affected unit (an open one collects the reasons of later
changes; none when the APV the employer states already covers the change), retiring a system cancels
its open revisions, and the system's findings are recomputed, in the change's transaction."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import date

from registry.obligations.apv import cancel_reassessments, open_reassessments
from registry.obligations.findings import recompute_documents, recompute_system, rule_settings
from registry.obligations.materiality import material_reasons
from registry.products.service import require_card
from registry.systems.followers import Document, SystemChange

_DEFERRED: ContextVar[dict[str, dict[uuid.UUID, Document]] | None] = ContextVar(
    "deferred_checks", default=None
)
"""The systems whose checks wait for the end of `Obligations.deferred()`, by organization."""


class Obligations:
    def material_reasons(self, previous: Document | None, document: Document) -> list[str]:
        return material_reasons(previous, document)

    async def follow(self, change: SystemChange) -> None:
        document = change.document
        card_id = document.get("product_card_id")
        before = change.previous or {}
        reviewed = document.get("product_card_version")
        if card_id and (card_id, reviewed) != (
            before.get("product_card_id"),
            before.get("product_card_version"),
        ):
            previous = (before.get("product_card_id"), before.get("product_card_version"))
            await require_card(str(card_id), reviewed, previous)
        if document["status"] == "retired":
            if change.previous is not None and change.previous.get("status") != "retired":
                await cancel_reassessments(change.organization_id, change.system_id)
        elif change.material_reasons and not _assessed(change):
            await open_reassessments(
                change.organization_id,
                change.system_id,
                document["version"],
                list(document["unit_ids"]),
                change.material_reasons,
                due_days=rule_settings().rules_apv_due_days,
                effective_at=change.effective_at,
            )
        pending = _DEFERRED.get()
        if pending is not None:
            pending.setdefault(change.organization_id, {})[uuid.UUID(change.system_id)] = document
        else:
            await recompute_system(change.system_id, document=document)

    @contextlib.asynccontextmanager
    async def deferred(self) -> AsyncIterator[None]:
        pending: dict[str, dict[uuid.UUID, Document]] = {}
        token = _DEFERRED.set(pending)
        try:
            yield
        finally:
            _DEFERRED.reset(token)
        # Reached only when the body succeeded: the checks of every system it changed, in one pass
        # per organization (one read of the contexts, instead of one per system).
        for org_id, documents in pending.items():
            await recompute_documents(org_id, documents)

    async def recheck(self, system_ids: list[str]) -> None:
        for system_id in system_ids:
            await recompute_system(system_id)


def _assessed(change: SystemChange) -> bool:
    """Whether the APV the employer states already covers the change: a system registered with its APV
    stated (the APV covers it as registered), or a change entered afterwards whose APV was made on or
    after the day it took effect."""
    assessed = change.document.get("apv_last_assessed_at")
    if assessed is None:
        return False
    if change.previous is None:
        return True
    return change.effective_at is not None and date.fromisoformat(assessed) >= change.effective_at
