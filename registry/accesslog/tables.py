"""Tables of the access log. Rows are only ever inserted (triggers refuse updates and deletes); only
retention pruning deletes, and only what a signed anchor it leaves covers (accesslog/guards.py)."""

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
    """A signed statement "the chain has this hash at this seq". Checkpoints form a chain of their own
    (`number`, `prev`: the hash of checkpoint number - 1, `entries`: how many entries since it);
    those signed before that was so have no number. `anchor` marks where the kept chain starts after
    pruning. Rows are only inserted; the prune alone deletes (database triggers refuse the rest)."""

    kind = Varchar(length=16)
    number = BigInt(null=True, default=None)  # unique: an index of its own (migrations)
    last_seq = BigInt(index=True)
    last_hash = Varchar(length=64)
    entries = BigInt(null=True, default=None)
    at = Varchar(length=24)
    at_ms = BigInt()
    key_id = Varchar(length=16)
    prev = Varchar(length=64, null=True, default=None)
    # An anchor's: the signed time of the checkpoint the prune cut at (entries signed after it stay).
    cut_at = Varchar(length=24, null=True, default=None)
    signature = Text()
