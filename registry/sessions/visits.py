"""What each person last saw of each AI system, so the register can show what changed since.

A visit is remembered per person (token `sub`) and system: the version shown on the system's page.
Callers pass systems the person may read (the page has just shown it, or the list has just listed
them); nothing here reveals a system."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from registry.access import Actor
from registry.clock import utcnow
from registry.db import write_transaction
from registry.sessions.tables import SystemVisit

_VISITS = uuid.UUID("1f6b0f54-5d3e-4c55-9a52-0c1d5f1f7a11")  # namespace of the ids of visit rows


def _visit_id(sub: str, system_id: str) -> uuid.UUID:
    return uuid.uuid5(_VISITS, f"{sub}\n{system_id}")


async def last_seen_versions(actor: Actor, system_ids: Iterable[str]) -> dict[str, int]:
    """The version of each system the actor last saw; systems never opened are absent. One query."""
    keys = [_visit_id(actor.sub, system_id) for system_id in system_ids]
    if not keys:
        return {}
    rows = await SystemVisit.select(SystemVisit.system, SystemVisit.version).where(SystemVisit.id.is_in(keys))
    return {str(row["system"]): int(row["version"]) for row in rows}


async def record_visit(actor: Actor, system_id: str, version: int) -> None:
    """Remember that the actor has now seen `version` of the system. An older version than one
    already seen (two pages open at once) does not move the mark back."""
    key = _visit_id(actor.sub, system_id)
    async with write_transaction(SystemVisit._meta.db):
        current = await SystemVisit.select(SystemVisit.version).where(SystemVisit.id == key).first()
        if current is None:
            await SystemVisit.insert(
                SystemVisit(
                    id=key,
                    sub=actor.sub,
                    system=uuid.UUID(system_id),
                    version=version,
                    visited_at=utcnow(),
                )
            )
        elif current["version"] < version:
            await SystemVisit.update({SystemVisit.version: version, SystemVisit.visited_at: utcnow()}).where(
                SystemVisit.id == key
            )


__all__ = ["last_seen_versions", "record_visit"]
