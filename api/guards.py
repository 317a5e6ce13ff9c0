"""Role guards: small functions that refuse a role before the handler runs (403). They are coroutines
because Litestar runs a plain-function guard on a worker thread, which costs more than the check.

Which organization's objects a caller may see is decided in registry/access.py (404 for others)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from registry import Actor, Role


def _require(connection: ASGIConnection[Any, Any, Any, Any], *roles: Role) -> None:
    actor = connection.user
    if not isinstance(actor, Actor) or actor.role not in roles:
        raise PermissionDeniedException("Your role does not allow this.")


async def platform_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    _require(connection, Role.platform_admin)


async def organization_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Platform admins for any organization; employer admins for their own."""
    _require(connection, Role.platform_admin, Role.employer_admin)


async def employer_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    _require(connection, Role.employer_admin)


async def steward(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Stewards ask management questions and send corrections; management answers them."""
    _require(connection, Role.steward)


async def register_reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Employer admins, stewards and auditors read registers; platform admins manage organizations."""
    _require(connection, Role.employer_admin, Role.steward, Role.auditor)
