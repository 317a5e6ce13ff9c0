"""What a change of an AI system sets in motion beyond its own row, revision and event, in the same
transaction: whether the change is material (its reasons are kept with the revision and the event) and
what follows from it (APV reassessments, compliance findings).

Those are rules about the law, owned by the obligations package, which builds on this one; so this
package owns the port and knows nothing of the rules. The composition root installs the obligations
(`registry.composition.compose`); a change without them is refused, never recorded half-way."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from registry.errors import ConfigurationError

Document = dict[str, Any]


@dataclass(frozen=True)
class SystemChange:
    """A change just written, in its open transaction: `previous` is None for a new system."""

    organization_id: str
    system_id: str
    previous: Document | None
    document: Document
    material_reasons: list[str]
    effective_at: date | None = None  # the day the change took effect at the workplace


class ChangeFollower(Protocol):
    def material_reasons(self, previous: Document | None, document: Document) -> list[str]:
        """The ids of the materiality rules the change fires; empty when it is not material."""

    async def follow(self, change: SystemChange) -> None:
        """Do what the change calls for, in the caller's transaction; raise to abort the change."""

    def deferred(self) -> AbstractAsyncContextManager[None]:
        """Within it (one transaction writing many systems: an import), the checks of each changed
        system wait, and run once for all of them at the end, in the same transaction."""

    async def recheck(self, system_ids: list[str]) -> None:
        """Check these systems again, in the caller's transaction: something they rest on changed
        (a product card they were filled in from)."""


_follower: ChangeFollower | None = None


def use_follower(follower: ChangeFollower | None) -> None:
    """Install what follows every change (done once, by the composition root)."""
    global _follower  # noqa: PLW0603 - one port per process, set by the composition root
    _follower = follower


def follower() -> ChangeFollower:
    if _follower is None:
        raise ConfigurationError(
            "Nothing follows changes of AI systems; the register's obligations are not installed."
        )
    return _follower
