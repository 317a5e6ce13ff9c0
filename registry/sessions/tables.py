"""Tables of the stewards' web interface: one-time login links, browser sessions, and which version
of each AI system each person last saw.

Only hashes of link tokens and session ids are stored: a copy of the database logs no one in. Times
that are compared in SQL are microseconds since the epoch (they compare the same on SQLite and
PostgreSQL)."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigInt, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

from registry.systems.tables import AISystem


class LoginLink(Table, tablename="login_link"):
    """A one-time link that opens a browser session for the person (and role) it was issued to."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)  # SHA-256 of the token in the link, hex
    sub = Varchar(length=200)
    role = Varchar(length=32)
    organization_id = Varchar(length=36, null=True, default=None)
    units = JSON(null=True, default=None)  # a steward limited to units: their ids
    name = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()
    expires_us = BigInt(index=True)
    used_us = BigInt(null=True, default=None)  # set once, when the link is redeemed


class BrowserSession(Table, tablename="browser_session"):
    """A logged-in browser. The cookie holds the session id; the row holds its hash."""

    id = UUID(primary_key=True)
    session_hash = Varchar(length=64, unique=True)
    sub = Varchar(length=200)
    role = Varchar(length=32)
    organization_id = Varchar(length=36, null=True, default=None)
    units = JSON(null=True, default=None)
    name = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()
    expires_us = BigInt(index=True)


class SystemVisit(Table, tablename="system_visit"):
    """The version of an AI system a person (token `sub`) saw when they last opened its page. The id
    is derived from the person and the system, so there is one row per pair."""

    id = UUID(primary_key=True)
    sub = Varchar(length=200, index=True)
    system = ForeignKey(references=AISystem, null=False, index=True)
    version = Integer()
    visited_at = Timestamptz()


__all__ = ["BrowserSession", "LoginLink", "SystemVisit"]
