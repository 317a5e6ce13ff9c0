"""Tables of the access log. Rows of `access_log` are only ever inserted (a trigger refuses updates);
only retention pruning deletes, and it leaves a signed anchor where the kept chain starts."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Text, Varchar
from piccolo.table import Table


class AccessLogEntry(Table, tablename="access_log"):
    seq = BigInt(primary_key=True)
    event_id = Varchar(length=36)
    at = Varchar(length=24)  # UTC, milliseconds: 2026-11-22T08:15:30.123Z (hashed as written)
    at_ms = BigInt(index=True)
    organization_id = Varchar(length=36, null=True, default=None, index=True)
    actor_sub = Varchar(length=200, null=True, default=None)
    actor_role = Varchar(length=32, null=True, default=None)
    action = Varchar(length=32)
    resource_type = Varchar(length=32, null=True, default=None)
    resource_id = Varchar(length=100, null=True, default=None)
    outcome = Varchar(length=16)
    status = Integer(null=True, default=None)
    source_ip = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=300, null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class AccessLogCheckpoint(Table, tablename="access_log_checkpoint"):
    """A signed statement "the chain has this hash at this seq". `anchor` marks where the kept chain
    starts after pruning."""

    kind = Varchar(length=16)
    last_seq = BigInt(index=True)
    last_hash = Varchar(length=64)
    at = Varchar(length=24)
    at_ms = BigInt()
    key_id = Varchar(length=16)
    signature = Text()
