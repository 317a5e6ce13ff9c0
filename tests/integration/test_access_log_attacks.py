"""Attacks on the access log by someone who can write the database but does not hold the signing key (an
operator, a restored backup, an intruder), on both engines: each is found, by the signer before it signs,
by `verify` with the checkpoint kept beside the key, or by checkpoints that witnesses kept."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.runtime import AccessLogRuntime
from registry.accesslog import guards
from registry.accesslog.chain import content_digest, link
from registry.accesslog.checkpoints import IntegrityFailure, prune, sign_checkpoint
from registry.accesslog.service import verify_stored
from registry.accesslog.settings import AccessLogSettings
from registry.accesslog.tables import AccessLogCheckpoint, AccessLogEntry
from registry.accesslog.witnesses import read_witnesses
from registry.accesslog.writer import EntryDraft
from tests.support.world import API, PUBLIC_RECEIVER, World
from webhooks.tables import WebhookEvent


@pytest.fixture
async def runtime(app: Any, tmp_path: Path) -> AsyncIterator[AccessLogRuntime]:
    """A server's access log with a data dir (key, kept checkpoint) of its own. (`app` installs the
    outbox, which checkpoints and failures go out through.)"""
    made = AccessLogRuntime.from_settings(AccessLogSettings(data_dir=tmp_path / "data"))
    yield made
    await made.writer.close()


async def _append(runtime: AccessLogRuntime, count: int, who: str = "tr") -> None:
    await runtime.writer.append_many(
        [
            EntryDraft(action="read", outcome="allowed", actor_sub=f"{who}-{i}", request_id=f"{who}{i}")
            for i in range(count)
        ]
    )


@contextlib.asynccontextmanager
async def intruder() -> AsyncIterator[None]:
    """Whoever owns the tables can drop the triggers; detection must not depend on them."""
    await guards.remove(AccessLogEntry)
    try:
        yield
    finally:
        await guards.install(AccessLogEntry)


async def _rewrite_from(seq: int, **changes: Any) -> None:
    """Change entry `seq` and compute the chain again from there, as anyone can (the algorithm is public)."""
    rows = await AccessLogEntry.select().where(AccessLogEntry.seq >= seq).order_by(AccessLogEntry.seq)
    previous = rows[0]["prev_hash"]
    for row in rows:
        if row["seq"] == seq:
            row.update(changes)
        row["prev_hash"] = previous
        row["hash"] = previous = link(previous, content_digest(row))
        await AccessLogEntry.update(
            {
                AccessLogEntry.actor_sub: row["actor_sub"],
                AccessLogEntry.action: row["action"],
                AccessLogEntry.prev_hash: row["prev_hash"],
                AccessLogEntry.hash: row["hash"],
            }
        ).where(AccessLogEntry.seq == row["seq"])


async def test_a_cut_off_tail_is_found_without_any_witness(runtime: AccessLogRuntime) -> None:
    await _append(runtime, 100)
    await runtime.checkpoint()
    await _append(runtime, 50)
    await runtime.checkpoint()
    async with intruder():
        await AccessLogCheckpoint.delete().where(AccessLogCheckpoint.last_seq > 100)
        await AccessLogEntry.delete().where(AccessLogEntry.seq > 100)
    # What the database alone says looks whole: that is why the signer keeps its last checkpoint.
    alone = await verify_stored(runtime.verifier)
    assert (alone.ok, alone.last_seq, alone.unsigned_tail) == (True, 100, 0)
    verdict = await verify_stored(runtime.verifier, kept=runtime.kept())
    assert (verdict.ok, verdict.first_bad_seq) == (False, 101), verdict.as_dict()
    assert verdict.reason == "entries 101..150 are missing: checkpoint 2 signed the log through seq 150"
    with pytest.raises(IntegrityFailure, match="checkpoint 2, the last this server signed"):
        await runtime.checkpoint()
    assert runtime.integrity_problem is not None
    assert "is missing from the database" in runtime.integrity_problem


async def test_a_rewritten_past_is_never_signed(runtime: AccessLogRuntime) -> None:
    await _append(runtime, 120)
    await runtime.checkpoint()
    before = await AccessLogCheckpoint.count()
    async with intruder():
        await AccessLogCheckpoint.delete(force=True)
        await _rewrite_from(50, actor_sub="someone-else", action="delete")
    # The stored chain holds together on its own now; the signer still refuses to sign it.
    assert (await verify_stored(runtime.verifier)).ok
    with pytest.raises(IntegrityFailure, match="checkpoint 1, the last this server signed"):
        await sign_checkpoint(runtime.signer)
    assert await AccessLogCheckpoint.count() == 0 < before  # nothing signed
    verdict = await verify_stored(runtime.verifier, kept=runtime.kept())
    assert (verdict.ok, verdict.first_bad_seq) == (False, 120)
    assert verdict.reason is not None
    assert verdict.reason.startswith("entries 1..120 differ from what witness checkpoint 1 saw")


async def test_a_rewrite_that_keeps_the_last_checkpoint_is_found(runtime: AccessLogRuntime) -> None:
    await _append(runtime, 60)
    await runtime.checkpoint()
    await _append(runtime, 20)
    async with intruder():
        await _rewrite_from(30, actor_sub="someone-else")
    with pytest.raises(IntegrityFailure, match="entry 60, under checkpoint 1, was changed"):
        await runtime.checkpoint()
    verdict = await verify_stored(runtime.verifier, kept=runtime.kept())
    assert (verdict.ok, verdict.first_bad_seq) == (False, 60)


async def test_an_older_backup_restored_with_its_data_dir_is_found_by_a_witness(
    runtime: AccessLogRuntime, tmp_path: Path
) -> None:
    """Database and data dir both restored from an older backup: the signer has nothing to compare
    with, and signs on. A checkpoint a witness kept from before shows what was lost."""
    await _append(runtime, 100)
    await runtime.checkpoint()
    old_kept = runtime.kept()
    await _append(runtime, 50)
    witness = await runtime.checkpoint()
    assert witness is not None
    async with intruder():
        await AccessLogCheckpoint.delete().where(AccessLogCheckpoint.number > 1)
        await AccessLogEntry.delete().where(AccessLogEntry.seq > 100)
    assert runtime.signer.kept is not None
    assert old_kept is not None
    runtime.signer.kept.replace_with(old_kept)
    await _append(runtime, 30, who="later")
    assert (await runtime.checkpoint() or {})["number"] == 2  # signed: nothing to compare with
    assert (await verify_stored(runtime.verifier, kept=runtime.kept())).ok
    copy = tmp_path / "witness.json"
    copy.write_text(json.dumps(witness))
    [kept_elsewhere] = read_witnesses([copy], runtime.verifier)
    verdict = await verify_stored(runtime.verifier, witnesses=[kept_elsewhere])
    assert (verdict.ok, verdict.first_bad_seq) == (False, 130)
    assert verdict.reason == "checkpoint 2 differs from the copy a witness kept"


async def test_a_missing_or_forged_checkpoint_is_found(runtime: AccessLogRuntime) -> None:
    for _ in range(3):
        await _append(runtime, 10)
        await runtime.checkpoint()
    assert (await verify_stored(runtime.verifier, kept=runtime.kept())).ok
    later = "2026-01-01T00:00:00.000Z"
    async with intruder():
        await AccessLogCheckpoint.update({AccessLogCheckpoint.at: later}).where(
            AccessLogCheckpoint.number == 3
        )
    verdict = await verify_stored(runtime.verifier)
    assert (verdict.first_bad_seq, verdict.reason) == (30, "checkpoint signature does not verify")
    async with intruder():
        await AccessLogCheckpoint.update({AccessLogCheckpoint.at: later}).where(
            AccessLogCheckpoint.number == 2
        )
    verdict = await verify_stored(runtime.verifier)
    assert (verdict.first_bad_seq, verdict.reason) == (30, "checkpoint 3 does not link to checkpoint 2")
    async with intruder():
        await AccessLogCheckpoint.delete().where(AccessLogCheckpoint.number == 2)
    verdict = await verify_stored(runtime.verifier, kept=runtime.kept())
    assert (verdict.ok, verdict.first_bad_seq, verdict.reason) == (
        False,
        30,
        "checkpoint 2 is missing (the next one is 3)",
    )


async def test_the_database_refuses_to_change_or_delete_the_log(runtime: AccessLogRuntime) -> None:
    await _append(runtime, 5)
    await runtime.checkpoint()
    attempts = [
        AccessLogEntry.update({AccessLogEntry.actor_sub: "x"}, force=True),
        AccessLogEntry.delete(force=True),
        AccessLogCheckpoint.update({AccessLogCheckpoint.last_hash: "0" * 64}, force=True),
        AccessLogCheckpoint.delete(force=True),
    ]
    for attempt in attempts:
        with pytest.raises(Exception, match=guards.REFUSED):
            await attempt
    if AccessLogEntry._meta.db.engine_type == "postgres":
        with pytest.raises(Exception, match=guards.REFUSED):
            await AccessLogEntry.raw("TRUNCATE access_log_checkpoint")
    assert await AccessLogEntry.count() == 5
    assert (await verify_stored(runtime.verifier, kept=runtime.kept())).ok


async def test_a_failed_check_makes_the_server_unready_and_tells_subscribers(
    world: World, runtime: AccessLogRuntime, settings: Any
) -> None:
    admin = world.headers("employer_admin", 0)
    hooks = f"{API}/organizations/{world.orgs[0]}/webhooks"
    naming = await world.client.post(
        hooks,
        json={
            "url": f"{PUBLIC_RECEIVER}/witness",
            "event_types": ["access_log.checkpoint", "access_log.integrity_failed"],
        },
        headers=admin,
    )
    assert naming.status_code == 201, naming.text
    await _append(runtime, 20)
    signed = await runtime.checkpoint()
    events = await WebhookEvent.select(WebhookEvent.type, WebhookEvent.payload).order_by(WebhookEvent.id)
    delivered = [json.loads(e["payload"]) for e in events if e["type"] == "access_log.checkpoint"]
    # Only the subscription that names the type gets it (the world's own take "every type").
    assert len(delivered) == 1
    assert delivered[0]["data"]["checkpoint"] == signed
    app = create_app(settings, access_log=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://register.test"
    ) as c:
        assert (await c.get(f"{API}/ready")).status_code == 200
        async with intruder():
            await AccessLogEntry.delete().where(AccessLogEntry.seq > 10)
        with pytest.raises(IntegrityFailure):
            await runtime.checkpoint()
        ready = await c.get(f"{API}/ready")
    assert ready.status_code == 503
    assert (
        "the access log failed its integrity check: the log ends at seq 10, but seq" in ready.json()["detail"]
    )
    failed = [
        json.loads(e["payload"])
        for e in await WebhookEvent.select(WebhookEvent.type, WebhookEvent.payload)
        if e["type"] == "access_log.integrity_failed"
    ]
    assert len(failed) == 1
    assert failed[0]["data"]["seq"] == 11


async def test_checkpoints_are_listed_for_auditors_and_serve_as_witnesses(
    world: World, app: Any, tmp_path: Path
) -> None:
    runtime: AccessLogRuntime = app.dependencies["audit"].dependency()
    for _ in range(3):
        await world.client.get(f"{API}/organizations", headers=world.headers("auditor", 0))
        await runtime.checkpoint()
    auditor = world.headers("auditor", None)
    first = await world.client.get(f"{API}/access-log/checkpoints?limit=2", headers=auditor)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [c["number"] for c in page["items"]] == [1, 2]
    assert page["next_after"] == 2
    rest = (await world.client.get(f"{API}/access-log/checkpoints?after=2", headers=auditor)).json()
    assert ([c["number"] for c in rest["items"]], rest["next_after"]) == ([3], None)
    steward = await world.client.get(f"{API}/access-log/checkpoints", headers=world.headers("steward", 0))
    assert steward.status_code == 403
    bad = await world.client.get(f"{API}/access-log/checkpoints?after=-1", headers=auditor)
    assert bad.status_code == 400
    kept_by_union = tmp_path / "union.jsonl"
    kept_by_union.write_text("".join(json.dumps(c) + "\n" for c in [*page["items"], *rest["items"]]))
    witnesses = read_witnesses([kept_by_union], runtime.verifier)
    assert (await verify_stored(runtime.verifier, kept=runtime.kept(), witnesses=witnesses)).ok


async def test_a_forged_prune_anchor_does_not_open_the_way(runtime: AccessLogRuntime) -> None:
    await _append(runtime, 40)
    await runtime.checkpoint()
    async with intruder():
        await _rewrite_from(10, actor_sub="someone-else")
        head = await AccessLogEntry.select().where(AccessLogEntry.seq == 40).first()
        forged = {"kind": "anchor", "last_seq": 40, "last_hash": head["hash"], "at": head["at"]}
        await AccessLogCheckpoint.insert(
            AccessLogCheckpoint(**forged, at_ms=head["at_ms"], key_id=runtime.signer.key_id, signature="AAAA")
        )
    with pytest.raises(IntegrityFailure, match="a prune anchor is not signed by this key"):
        await runtime.checkpoint()
    assert not (await verify_stored(runtime.verifier, kept=runtime.kept())).ok


async def test_checkpoints_signed_before_the_upgrade_still_verify_and_the_chain_starts_after_them(
    runtime: AccessLogRuntime,
) -> None:
    """An earlier release signed checkpoints without a number: they stay valid, and the first chained
    checkpoint starts the chain of checkpoints."""
    await _append(runtime, 30)
    head = await AccessLogEntry.select().where(AccessLogEntry.seq == 30).first()
    legacy = {"kind": "checkpoint", "last_seq": 30, "last_hash": head["hash"], "at": head["at"]}
    legacy |= {"key_id": runtime.signer.key_id}
    await AccessLogCheckpoint.insert(
        AccessLogCheckpoint(**legacy, at_ms=head["at_ms"], signature=runtime.signer.sign(legacy))
    )
    assert (await verify_stored(runtime.verifier)).ok
    await _append(runtime, 10)
    first = await runtime.checkpoint()
    assert first is not None
    assert (first["number"], first["entries"], first["last_seq"]) == (1, 40, 40)
    verdict = await verify_stored(runtime.verifier, kept=runtime.kept())
    assert (verdict.ok, verdict.checkpoints, verdict.signed_through_seq) == (True, 2, 40)


async def test_the_prune_cannot_be_steered_to_delete_young_entries(runtime: AccessLogRuntime) -> None:
    """The prune cuts only at a checkpoint signed before the cutoff: an entry given an old time (its time
    as a number is not hashed) moves nothing, and is found."""
    await _append(runtime, 30)
    await runtime.checkpoint()
    head = await AccessLogEntry.select().where(AccessLogEntry.seq == 30).first()
    forged = {**head, "seq": 31, "event_id": "forged", "at_ms": 0, "prev_hash": head["hash"]}
    forged["hash"] = link(forged["prev_hash"], content_digest(forged))
    await AccessLogEntry.insert(AccessLogEntry(**forged))  # an INSERT: the triggers allow it
    with pytest.raises(IntegrityFailure):
        await prune(runtime.signer, retention_days=1)
    assert await AccessLogEntry.count() == 31
    verdict = await verify_stored(runtime.verifier, kept=runtime.kept())
    assert (verdict.ok, verdict.first_bad_seq) == (False, 31)
    assert verdict.reason == "the entry's time as a number differs from its hashed time"


async def test_a_witness_below_an_anchor_that_cut_before_it_shows_entries_deleted_early(
    runtime: AccessLogRuntime,
) -> None:
    """Even a server made to sign an anchor past what the retention period allows is found: a witness
    signed after the checkpoint the anchor says it cut at lies below it."""
    await _append(runtime, 10)
    first = await runtime.checkpoint()
    await _append(runtime, 10)
    second = await runtime.checkpoint()
    assert first is not None
    assert second is not None
    anchor = {"kind": "anchor", "last_seq": 20, "last_hash": second["last_hash"], "at": second["at"]}
    # It says it cut at a checkpoint of 2020: every checkpoint below it must be older still.
    anchor |= {"key_id": runtime.signer.key_id, "cut_at": "2020-01-01T00:00:00.000Z"}
    async with intruder():
        await AccessLogCheckpoint.insert(
            AccessLogCheckpoint(**anchor, at_ms=0, signature=runtime.signer.sign(anchor))
        )
        await AccessLogEntry.delete().where(AccessLogEntry.seq <= 20)
    verdict = await verify_stored(runtime.verifier, witnesses=[first, second])
    assert (verdict.ok, verdict.first_bad_seq) == (False, 10)
    assert verdict.reason is not None
    assert "entries were deleted before their time" in verdict.reason
