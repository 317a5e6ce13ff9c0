"""Export files built without a database, as the service builds them: a signed header, entries (or
stubs), chained checkpoints, a signed trailer. For tests and benchmarks of the offline verifier."""

from __future__ import annotations

from collections.abc import Container, Sequence
from typing import Any

from registry.accesslog.chain import ENTRY_FIELDS, GENESIS_HASH, StubDigest, content_digest
from registry.accesslog.checkpoints import new_checkpoint
from registry.accesslog.files import FORMAT, signed_trailer
from registry.accesslog.signing import CheckpointSigner, public_key_pem


def signed_export(
    signer: CheckpointSigner,
    entries: Sequence[dict[str, Any]],
    *,
    checkpoint_every: int,
    stubbed: Container[int] = (),
    organization_id: str | None = None,
) -> list[dict[str, Any]]:
    """An export of `entries` (a chain from the genesis) with a checkpoint every `checkpoint_every`
    seqs and at the end; the seqs in `stubbed` as stubs."""
    header = signer.signed(
        {
            "kind": "header",
            "format": FORMAT,
            "from": entries[0]["at"],
            "to": entries[-1]["at"],
            "organization_id": organization_id,
            "filters": {"actor": None, "action": None, "resource_id": None},
            "exported_by": "revisor",
            "exported_at": entries[-1]["at"],
            "public_key": public_key_pem(signer.public_key),
            "key_id": signer.key_id,
            "start_seq": 0,
            "start_hash": GENESIS_HASH,
        }
    )
    records: list[dict[str, Any]] = [header]
    previous: dict[str, Any] | None = None
    stubs = StubDigest()
    shown = 0
    for entry in entries:
        seq = entry["seq"]
        if seq in stubbed:
            stubs.add(seq)
            records.append({"kind": "stub", "seq": seq, "digest": content_digest(entry)})
        else:
            shown += 1
            records.append({"kind": "entry", **{name: entry[name] for name in ENTRY_FIELDS}})
        if seq % checkpoint_every == 0 or seq == entries[-1]["seq"]:
            previous = new_checkpoint(signer, previous, seq, entry["hash"], at_ms=entry["at_ms"])
            records.append(previous)
    records.append(
        signed_trailer(
            signer,
            header,
            entries=shown,
            stubs=len(entries) - shown,
            first_seq=entries[0]["seq"],
            last_seq=entries[-1]["seq"],
            head=entries[-1]["hash"],
            stubbed=stubs.hexdigest(),
        )
    )
    return records
