"""The chain on a 100,000-entry export: intact it verifies offline with the public key alone; each
single modification, deletion, insertion or reordering is found at the right seq."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

from registry.accesslog.chain import CONTENT_FIELDS, canonical, content_digest, link
from registry.accesslog.files import (
    csv_header,
    csv_lines,
    jsonl_line,
    jsonl_lines,
    read_records,
    verify_export,
)
from registry.accesslog.signing import CheckpointSigner, CheckpointVerifier, public_key_pem
from registry.accesslog.writer import EntryDraft, chain_entries
from tests.support.exports import signed_export

SIZE = 100_000
CHECKPOINT_EVERY = 10_000
# Text a client can send: Danish letters, quotes and backslashes, control characters, separators.
TRICKY_VALUES = pytest.mark.parametrize(
    "value",
    [
        "Ærø, Søren & Åse",
        'quotes " and \\ backslashes / slashes </script>',
        "controls \x00 \x01 \x1f \x7f \t \n \r \b \f",
        "separators \u2028 \u2029, emoji 🤖, CJK 登记",
        "",
    ],
)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> CheckpointSigner:
    return CheckpointSigner.from_data_dir(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def verifier(signer: CheckpointSigner) -> CheckpointVerifier:
    return CheckpointVerifier.from_pem(public_key_pem(signer.public_key))


@pytest.fixture(scope="module")
def export(signer: CheckpointSigner) -> list[dict[str, Any]]:
    drafts = [
        EntryDraft(
            action=("read", "list", "update")[i % 3],
            outcome="allowed",
            actor_sub=f"user-{i % 97}",
            actor_role="steward",
            organization_id=f"org-{i % 5}",
            resource_type="system",
            resource_id=f"system-{i % 1000}",
            status=200,
            request_id=f"req-{i}",
        )
        for i in range(SIZE)
    ]
    return signed_export(signer, chain_entries(drafts, 0, "0" * 64), checkpoint_every=CHECKPOINT_EVERY)


def index_of(records: list[dict[str, Any]], seq: int) -> int:
    return next(i for i, r in enumerate(records) if r.get("kind") == "entry" and r["seq"] == seq)


def test_the_intact_export_verifies(export: list[dict[str, Any]], verifier: CheckpointVerifier) -> None:
    verdict = verify_export(export, verifier)
    assert verdict.ok, verdict.as_dict()
    assert (verdict.entries, verdict.signed_through_seq, verdict.checkpoints) == (SIZE, SIZE, 10)


def _modified(records: list[dict[str, Any]], seq: int) -> list[dict[str, Any]]:
    changed = copy.copy(records)
    i = index_of(changed, seq)
    changed[i] = {**changed[i], "outcome": "denied"}
    return changed


def _deleted(records: list[dict[str, Any]], seq: int) -> list[dict[str, Any]]:
    changed = copy.copy(records)
    del changed[index_of(changed, seq)]
    return changed


def _inserted(records: list[dict[str, Any]], seq: int) -> list[dict[str, Any]]:
    """A forged entry placed before entry `seq`, consistent with the entry before it."""
    changed = copy.copy(records)
    i = index_of(changed, seq)
    forged = {**changed[i], "actor_sub": "intruder", "prev_hash": changed[i]["prev_hash"]}
    forged["hash"] = link(forged["prev_hash"], content_digest(forged))
    changed.insert(i, forged)
    return changed


def _reordered(records: list[dict[str, Any]], seq: int) -> list[dict[str, Any]]:
    changed = copy.copy(records)
    i = index_of(changed, seq)
    j = index_of(changed, seq + 1)
    changed[i], changed[j] = changed[j], changed[i]
    return changed


@pytest.mark.parametrize("tamper", [_modified, _deleted, _inserted, _reordered])
def test_a_single_altered_row_is_found_at_its_seq(
    export: list[dict[str, Any]], verifier: CheckpointVerifier, tamper: Any
) -> None:
    rng = random.Random(tamper.__name__)
    for seq in (1, rng.randrange(2, SIZE - 1), SIZE - 1):
        verdict = verify_export(tamper(export, seq), verifier)
        assert not verdict.ok
        assert verdict.first_bad_seq == seq, (tamper.__name__, seq, verdict.as_dict())


def test_a_forged_checkpoint_or_a_cut_file_fails(
    export: list[dict[str, Any]], verifier: CheckpointVerifier
) -> None:
    forged = copy.copy(export)
    i = next(i for i, r in enumerate(forged) if r["kind"] == "checkpoint")
    forged[i] = {**forged[i], "last_hash": "f" * 64}
    assert verify_export(forged, verifier).reason == "chain differs from the signed checkpoint"
    last = max(i for i, r in enumerate(forged) if r["kind"] == "checkpoint")
    forged = [*export[:last], {**export[last], "at": "2020-01-01T00:00:00.000Z"}, *export[last + 1 :]]
    assert verify_export(forged, verifier).reason == "checkpoint signature does not verify"
    middle = next(i for i, r in enumerate(export) if r["kind"] == "checkpoint" and r["number"] == 5)
    forged = [*export[:middle], {**export[middle], "at": "2020-01-01T00:00:00.000Z"}, *export[middle + 1 :]]
    assert verify_export(forged, verifier).reason == "checkpoint 6 does not link to checkpoint 5"
    assert verify_export(export[:-1], verifier).reason == "the export is cut off: no trailer"
    unsigned = [r for r in export if not (r["kind"] == "checkpoint" and r["last_seq"] == SIZE)]
    assert (
        verify_export(unsigned, verifier).reason == "the last records are not covered by a signed checkpoint"
    )


def test_csv_reads_back_exactly_what_was_written(export: list[dict[str, Any]], tmp_path: Path) -> None:
    records = [*export[:12_002], export[-1]]  # header, entries 1-10,000 and their checkpoint, trailer
    records[5] = {**records[5], "user_agent": '=HYPERLINK("x")', "resource_id": "'quoted"}
    path = tmp_path / "log.csv"
    path.write_text(csv_header() + csv_lines(records))
    with path.open(newline="") as handle:
        back = list(read_records(handle, "csv"))
    assert back == records


def test_client_supplied_values_are_cut_to_their_columns_before_hashing() -> None:
    """A long forwarded address or user agent cannot fail the batch its entry is written in."""
    [entry] = chain_entries(
        [EntryDraft(action="read", outcome="allowed", source_ip="2001:db8::1, " * 20, user_agent="x" * 1000)],
        head_seq=0,
        head_hash="0" * 64,
    )
    assert len(entry["source_ip"]) == 64
    assert len(entry["user_agent"]) == 300
    assert entry["hash"] == link("0" * 64, content_digest(entry))


@TRICKY_VALUES
def test_an_entrys_digest_is_the_hash_of_its_canonical_json(value: str) -> None:
    entry: dict[str, Any] = dict.fromkeys(CONTENT_FIELDS, value) | {"seq": 7, "status": None, "hash": "x"}
    content = {name: entry[name] for name in CONTENT_FIELDS}
    assert content_digest(entry) == hashlib.sha256(canonical(content)).hexdigest()


@TRICKY_VALUES
def test_json_lines_are_what_json_dumps_writes(value: str) -> None:
    record = {"kind": "entry", "seq": 7, "detail": value, "status": None, "ok": True}
    expected = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert jsonl_line(record) == expected
    assert jsonl_lines([record, record]) == (expected * 2).encode()


# --- Attacks on an export file, with the signing key out of reach -----------------------------------


_SMALL = chain_entries(
    [
        EntryDraft(action="read", outcome="allowed", actor_sub=f"tr-{i}", organization_id=f"org-{i % 2}")
        for i in range(100)
    ],
    0,
    "0" * 64,
)


def _small(signer: CheckpointSigner, **options: Any) -> list[dict[str, Any]]:
    return signed_export(signer, _SMALL, checkpoint_every=20, **options)


def _as_stub(record: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "stub", "seq": record["seq"], "digest": content_digest(record)}


def test_an_entry_hidden_behind_a_stub_is_found(
    signer: CheckpointSigner, verifier: CheckpointVerifier
) -> None:
    unfiltered = _small(signer)
    assert verify_export(unfiltered, verifier).ok
    i = index_of(unfiltered, 37)
    hidden = [*unfiltered[:i], _as_stub(unfiltered[i]), *unfiltered[i + 1 :]]
    assert verify_export(hidden, verifier).reason == "the trailer counts other records than the file holds"
    # The same counts, another stub: someone who knows entry 36 shows it where the signer put a stub,
    # and hides 37 instead.
    scoped = _small(signer, stubbed={36}, organization_id="org-0")
    j = index_of(scoped, 37)
    assert scoped[j - 1] == _as_stub(unfiltered[i - 1])
    swapped = [*scoped[: j - 1], unfiltered[i - 1], _as_stub(scoped[j]), *scoped[j + 1 :]]
    reason = verify_export(swapped, verifier).reason
    assert reason == "other entries are stubs than when the export was signed"
    # Even were the trailer's list of stubs right, an export of everything holds no stub at all.
    scoped = _small(signer, stubbed={37})
    assert (
        verify_export(scoped, verifier).reason
        == "an export without filters or organization scope holds stubs: entries were hidden"
    )
    allowed = _small(signer, stubbed={37}, organization_id="org-0")
    assert verify_export(allowed, verifier).ok


def test_an_edited_header_a_dropped_prefix_or_an_earlier_end_is_found(
    signer: CheckpointSigner, verifier: CheckpointVerifier
) -> None:
    records = _small(signer)
    # Drop entries 1-40 and their checkpoints, and say so in the header.
    start = index_of(records, 41)
    edited = {**records[0], "start_seq": 40, "start_hash": records[start - 2]["hash"]}
    assert "header's signature does not verify" in str(
        verify_export([edited, *records[start:]], verifier).reason
    )
    # Drop them without touching the header: the first entry is missing.
    assert verify_export([records[0], *records[start:]], verifier).first_bad_seq == 1
    # Cut back to the checkpoint at seq 60, keeping the signed trailer.
    at_60 = next(i for i, r in enumerate(records) if r["kind"] == "checkpoint" and r["last_seq"] == 60)
    cut = [*records[: at_60 + 1], records[-1]]
    verdict = verify_export(cut, verifier)
    assert not verdict.ok
    assert verdict.reason == "the trailer counts other records than the file holds"
    # A trailer of another export does not fit this one.
    other = _small(signer, organization_id="org-1")
    assert (
        verify_export([*records[:-1], other[-1]], verifier).reason == "the trailer belongs to another export"
    )
    # An export of format 1 (unsigned header and trailer) is refused.
    old = {k: v for k, v in records[0].items() if k != "signature"} | {"format": "airegistry-access-log/1"}
    assert "export the range again" in str(verify_export([old, *records[1:]], verifier).reason)
    format_1 = verify_export([old, *records[1:]], verifier, accept_format_1=True)
    assert format_1.ok
    assert "not signed" in format_1.notes[0]


def test_a_missing_or_reordered_checkpoint_is_found(
    signer: CheckpointSigner, verifier: CheckpointVerifier
) -> None:
    records = _small(signer)
    places = [i for i, r in enumerate(records) if r["kind"] == "checkpoint"]
    without_second = [r for i, r in enumerate(records) if i != places[1]]
    verdict = verify_export(without_second, verifier)
    assert (verdict.ok, verdict.reason) == (False, "checkpoint 2 is missing (the next one is 3)")
    swapped = list(records)
    swapped[places[1]], swapped[places[2]] = swapped[places[2]], swapped[places[1]]
    assert verify_export(swapped, verifier).reason == "checkpoint out of place in the chain"


def test_a_history_signed_again_differs_from_what_a_witness_kept(
    signer: CheckpointSigner, verifier: CheckpointVerifier
) -> None:
    """Had the signer been made to sign a rewritten past, the copies witnesses kept still show it."""
    original = signed_export(signer, _SMALL, checkpoint_every=20)
    witnesses = [r for r in original if r["kind"] == "checkpoint"][:3]  # through seq 60
    # Entry 50 changed, and the chain computed again from there (the algorithm is public).
    changed = [dict(entry) for entry in _SMALL]
    changed[49] |= {"actor_sub": "someone-else", "action": "delete"}
    for i in range(49, len(changed)):
        changed[i]["prev_hash"] = changed[i - 1]["hash"]
        changed[i]["hash"] = link(changed[i]["prev_hash"], content_digest(changed[i]))
    rewritten = signed_export(signer, changed, checkpoint_every=20)
    assert verify_export(rewritten, verifier).ok  # on its own, the rewritten history holds together
    verdict = verify_export(rewritten, verifier, witnesses)
    assert (verdict.ok, verdict.first_bad_seq) == (False, 60)
    assert verdict.reason is not None
    assert verdict.reason.startswith("entries 41..60 differ from what witness")
    assert verify_export(original, verifier, witnesses).ok
