"""Witness files: copies of signed checkpoints kept outside the register (a union's case system, an
auditor's archive), to check the log against with `airegistry access-log verify --witness FILE`.

A file holds one checkpoint as JSON, exactly as `GET /api/v1/access-log/checkpoints` lists it and the
`access_log.checkpoint` event carries it (the whole event body is read too), a page of that endpoint,
or JSON Lines of any of these."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from registry.accesslog.chain import chained, checkpoint_message
from registry.accesslog.signing import CheckpointVerifier


class WitnessUnreadable(Exception):
    """A witness file that cannot be read, or holds something other than checkpoints of this key."""


class WitnessesDisagree(Exception):
    """Two copies of one checkpoint number that differ, both signed by the key: the signer signed two
    histories (a restore it was told to accept, or a stolen key)."""


def _checkpoints_in(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping) and isinstance(value.get("items"), list):  # a page of the endpoint
        yield from value["items"]
    elif (
        isinstance(value, Mapping)
        and isinstance(value.get("data"), Mapping)
        and "checkpoint" in value["data"]
    ):
        yield value["data"]["checkpoint"]  # an event body
    else:
        yield value


def _parsed(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WitnessUnreadable(
            f"cannot read witness {path}: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        pass
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise WitnessUnreadable(f"witness {path}, line {number}: not JSON") from exc
    return values


def read_witnesses(paths: Sequence[Path], verifier: CheckpointVerifier) -> list[dict[str, Any]]:
    """Every checkpoint in the files, each checked to be a numbered checkpoint signed by the key."""
    found: dict[int, dict[str, Any]] = {}
    for path in paths:
        for value in _parsed(path):
            for checkpoint in _checkpoints_in(value):
                if not isinstance(checkpoint, Mapping) or not chained(checkpoint):
                    raise WitnessUnreadable(
                        f"witness {path} holds something other than a numbered checkpoint"
                    )
                if not isinstance(checkpoint.get("number"), int) or not isinstance(
                    checkpoint.get("last_seq"), int
                ):
                    raise WitnessUnreadable(
                        f"witness {path}: a checkpoint's number or last_seq is not a number"
                    )
                if not verifier(checkpoint):
                    raise WitnessUnreadable(
                        f"witness {path}: checkpoint {checkpoint['number']} is not signed by this public key"
                    )
                number = int(checkpoint["number"])
                earlier = found.get(number)
                if earlier is not None and checkpoint_message(earlier) != checkpoint_message(checkpoint):
                    raise WitnessesDisagree(
                        f"two different checkpoints numbered {number} among the witnesses, both signed "
                        "by this key: the register signed two histories"
                    )
                found[number] = dict(checkpoint)
    return [found[number] for number in sorted(found)]


__all__ = ["WitnessUnreadable", "WitnessesDisagree", "read_witnesses"]
