"""What an access concerns, as the use case learns it (the organization of a system looked up by id,
the id of something just created). The caller that records the access opens a target; services note
into it. Outside an opened target, notes go nowhere."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class AuditTarget:
    organization_id: str | None = None
    resource_id: str | None = None


_current: ContextVar[AuditTarget | None] = ContextVar("access_log_target", default=None)


def open_target(organization_id: str | None = None, resource_id: str | None = None) -> AuditTarget:
    target = AuditTarget(organization_id=organization_id, resource_id=resource_id)
    _current.set(target)
    return target


def note(*, organization_id: str | None = None, resource_id: str | None = None) -> None:
    target = _current.get()
    if target is None:
        return
    if organization_id is not None:
        target.organization_id = organization_id
    if resource_id is not None:
        target.resource_id = resource_id
