"""Opaque keyset cursors. A cursor names the last item of a page by its immutable sort key and id,
so items added or changed while a client pages never shift the pages it has not read yet."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass

from registry.errors import FieldProblem, InvalidQuery

_UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_LIMIT = 100
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Position:
    sort_key: int
    item_id: uuid.UUID


def encode_cursor(position: Position) -> str:
    return cursor_after(position.sort_key, str(position.item_id))


def cursor_after(sort_key: int, item_id: str) -> str:
    """The cursor of an item by its sort key and the text of its id (as the database returns it),
    without parsing the id again: the JSON that `decode_cursor` reads, written directly (the id's text
    is hex digits and hyphens, so it needs no escaping)."""
    if not _UUID_TEXT.match(item_id):
        item_id = str(uuid.UUID(item_id))  # its canonical text (or ValueError)
    raw = f'[1,{int(sort_key)},"{item_id}"]'
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    problem = InvalidQuery(
        "The cursor is not one this register handed out; start again without it.",
        problems=[FieldProblem("cursor", "is malformed")],
    )
    if len(cursor) > 200:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        version, sort_key, item_id = json.loads(raw)
        if version != 1 or not isinstance(sort_key, int) or isinstance(sort_key, bool):
            raise problem
        if not -(2**63) <= sort_key < 2**63:
            raise problem  # no key the database holds: a BIGINT is 64 bits
        return Position(sort_key=sort_key, item_id=uuid.UUID(item_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise problem from exc
