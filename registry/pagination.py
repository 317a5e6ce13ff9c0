"""Opaque keyset cursors. A cursor names the last item of a page by its immutable sort key and id,
so items added or changed while a client pages never shift the pages it has not read yet."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass

from registry.errors import FieldProblem, InvalidQuery

MAX_LIMIT = 100
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Position:
    sort_key: int
    item_id: uuid.UUID


def encode_cursor(position: Position) -> str:
    raw = json.dumps([1, position.sort_key, str(position.item_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


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
        return Position(sort_key=sort_key, item_id=uuid.UUID(item_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise problem from exc
