"""The daily recompute runs once per interval for the whole deployment, whichever serve process gets to
it first (registry/schedules/service.py); restarts do not repeat it, and a run whose process died is
taken over."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

import pytest

from registry import schedules
from registry.clock import to_micros, utcnow
from registry.obligations.findings import RECOMPUTE_RUN, keep_recomputing, recompute_when_due
from registry.obligations.tables import SystemFinding
from tests.support.world import API, World, system_body

DAY = 86_400
RUN = "test-run"


async def open_findings(world: World, system_id: str) -> list[str]:
    r = await world.client.get(
        f"{API}/systems/{system_id}/findings", headers=world.headers("employer_admin", 0)
    )
    assert r.status_code == 200, r.text
    return sorted(f["rule_id"] for f in r.json())


async def register_flagged_system(world: World) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(control_measure=True, status="in_use"),
        headers=world.headers("employer_admin", 0),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_one_of_several_processes_claims_a_due_run() -> None:
    claims = await asyncio.gather(
        *(schedules.claim(RUN, interval_seconds=DAY, holder=f"host:{n}") for n in range(6))
    )
    taken = [c for c in claims if c is not None]
    assert len(taken) == 1
    row = await schedules.last_run(RUN)
    assert row is not None
    assert row["claimed_by"] == taken[0].holder
    assert row["finished_us"] is None


async def test_a_finished_run_is_not_due_again_within_its_interval() -> None:
    now = utcnow()
    claim = await schedules.claim(RUN, interval_seconds=DAY, holder="a:1", now=now)
    assert claim is not None
    await claim.finish("3 opened, 0 resolved", now=now)
    row = await schedules.last_run(RUN)
    assert row is not None
    assert (row["claimed_by"], row["result"], row["finished_us"]) == (
        None,
        "3 opened, 0 resolved",
        to_micros(now),
    )

    # A restarted process, or another one, a minute before the interval is over: not due.
    later = now + timedelta(seconds=DAY - 60)
    assert await schedules.claim(RUN, interval_seconds=DAY, holder="b:2", now=later) is None
    assert await schedules.claim(RUN, interval_seconds=DAY, holder="a:1", now=later) is None
    # Once the interval has passed: due again, for whoever looks first.
    assert await schedules.claim(RUN, interval_seconds=DAY, holder="b:2", now=now + timedelta(seconds=DAY))


async def test_a_claim_whose_process_died_is_taken_over_when_its_lease_lapses() -> None:
    now = utcnow()
    dead = await schedules.claim(RUN, interval_seconds=DAY, holder="a:1", lease_seconds=600, now=now)
    assert dead is not None
    during = now + timedelta(seconds=599)
    assert await schedules.claim(RUN, interval_seconds=DAY, holder="b:2", now=during) is None

    after = now + timedelta(seconds=601)
    heir = await schedules.claim(RUN, interval_seconds=DAY, holder="b:2", lease_seconds=600, now=after)
    assert heir is not None
    # The first process was only slow after all: its finish is recorded, and the heir keeps its claim.
    await dead.finish("late", now=after)
    row = await schedules.last_run(RUN)
    assert row is not None
    assert (row["claimed_by"], row["result"]) == ("b:2", "late")


async def test_renewing_keeps_a_long_run_claimed() -> None:
    now = utcnow()
    claim = await schedules.claim(RUN, interval_seconds=DAY, holder="a:1", lease_seconds=600, now=now)
    assert claim is not None
    await claim.renew(now=now + timedelta(seconds=100))  # less than half the lease gone: nothing to do
    assert claim.claimed_until_us == to_micros(now + timedelta(seconds=600))
    await claim.renew(now=now + timedelta(seconds=500))
    assert claim.claimed_until_us == to_micros(now + timedelta(seconds=1100))
    # Past the first lease, but within the renewed one: still held.
    assert (
        await schedules.claim(RUN, interval_seconds=DAY, holder="b:2", now=now + timedelta(seconds=900))
        is None
    )


async def test_a_released_claim_is_due_again_at_once() -> None:
    claim = await schedules.claim(RUN, interval_seconds=DAY, holder="a:1")
    assert claim is not None
    await claim.release()
    row = await schedules.last_run(RUN)
    assert row is not None
    assert (row["claimed_by"], row["finished_us"]) == (None, None)
    assert await schedules.claim(RUN, interval_seconds=DAY, holder="b:2") is not None


async def test_the_daily_recompute_runs_once_for_processes_that_look_at_the_same_time(world: World) -> None:
    systems = [await register_flagged_system(world) for _ in range(2)]
    expected = {s: await open_findings(world, s) for s in systems}
    assert all(expected.values())
    # As if the rules had just begun to hold: the next daily run opens the findings.
    of_org = SystemFinding.organization == uuid.UUID(world.orgs[0])
    stored = await SystemFinding.count().where(of_org & (SystemFinding.status == "open"))
    await SystemFinding.delete().where(of_org)

    results = await asyncio.gather(*(recompute_when_due(DAY, f"host:{n}") for n in range(4)))

    ran = [r for r in results if r is not None]
    assert len(ran) == 1
    opened, resolved = ran[0]
    assert opened == stored
    assert resolved == 0
    assert {s: await open_findings(world, s) for s in systems} == expected
    row = await schedules.last_run(RECOMPUTE_RUN)
    assert row is not None
    assert row["result"] == f"{opened} opened, 0 resolved"
    assert row["claimed_by"] is None
    # A process that starts (or restarts) now finds the run done.
    assert await recompute_when_due(DAY, "host:new") is None


async def test_a_failed_recompute_gives_its_claim_back(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(**_: object) -> tuple[int, int]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("registry.obligations.findings.recompute_all", broken)
    with pytest.raises(RuntimeError):
        await recompute_when_due(DAY, "host:1")
    row = await schedules.last_run(RECOMPUTE_RUN)
    assert row is not None
    assert (row["claimed_by"], row["finished_us"]) == (None, None)
    monkeypatch.undo()
    assert await recompute_when_due(DAY, "host:2") == (0, 0)


async def test_serve_processes_timers_run_the_recompute_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """What each `airegistry serve` runs: two timers started together, one recompute between them."""
    caplog.set_level(logging.INFO, logger="airegistry.schedules")
    tasks = [asyncio.create_task(keep_recomputing(DAY, holder=f"host:{n}")) for n in range(2)]
    try:
        for _ in range(200):
            row = await schedules.last_run(RECOMPUTE_RUN)
            if row is not None and row["finished_us"] is not None:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("no recompute finished")
        await asyncio.sleep(0.2)  # the other timer has looked by now
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    started = [r for r in caplog.records if r.getMessage().startswith(STARTED)]
    assert len(started) == 1


STARTED = "findings-recompute started"
