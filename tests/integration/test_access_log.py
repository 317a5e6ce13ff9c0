"""The access log through the API: one entry per request, exports that verify on their own, and a
stored chain whose every alteration is found at the right seq."""

from __future__ import annotations

import asyncio
import io
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from api.app import create_app
from api.runtime import AccessLogRuntime
from registry.accesslog import guards, service
from registry.accesslog import writer as writer_module
from registry.accesslog.chain import content_digest, link
from registry.accesslog.checkpoints import prune, sign_checkpoint
from registry.accesslog.files import read_records, verify_export
from registry.accesslog.service import verify_stored
from registry.accesslog.settings import AccessLogSettings
from registry.accesslog.signing import CheckpointVerifier
from registry.accesslog.tables import AccessLogEntry
from registry.accesslog.writer import AccessLogUnavailable, EntryDraft
from tests.support.world import API, World, bearer

_NOW = datetime.now(UTC)
FROM = (_NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
TO = (_NOW + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
WIDE = f"from={FROM}&to={TO}"


def runtime_of(app: Any) -> AccessLogRuntime:
    return app.dependencies["audit"].dependency()


async def entries() -> list[dict[str, Any]]:
    return await AccessLogEntry.select().order_by(AccessLogEntry.seq)


def verifier_of(app: Any) -> CheckpointVerifier:
    return runtime_of(app).verifier


async def test_each_request_appends_exactly_one_entry(world: World) -> None:
    before = len(await entries())
    r = await world.client.get(
        f"{API}/systems/{world.systems[0]}",
        headers={**world.headers("steward", 0, sub="tr@kommune.dk"), "User-Agent": "steward-browser/1"},
    )
    assert r.status_code == 200
    log = await entries()
    assert len(log) == before + 1
    entry = log[-1]
    assert entry["action"] == "read"
    assert entry["resource_type"] == "system"
    assert entry["resource_id"] == world.systems[0]
    assert entry["organization_id"] == world.orgs[0]
    assert (entry["actor_sub"], entry["actor_role"]) == ("tr@kommune.dk", "steward")
    assert (entry["outcome"], entry["status"]) == ("allowed", 200)
    assert entry["user_agent"] == "steward-browser/1"
    assert entry["request_id"] == r.headers["x-request-id"]
    assert entry["source_ip"] == "127.0.0.1"
    assert entry["prev_hash"] == log[-2]["hash"]


async def test_refusals_and_failures_are_logged_too(world: World) -> None:
    c = world.client
    await c.patch(
        f"{API}/systems/{world.systems[0]}",
        json={"status": "in_use"},
        headers={**world.headers("steward", 0), "If-Match": '"1"'},
    )
    await c.get(f"{API}/systems/{world.systems[1]}", headers=world.headers("steward", 0))
    await c.get(f"{API}/organizations/{world.orgs[0]}/systems")
    await c.get(f"{API}/organizations/{world.orgs[0]}/systems?limit=500", headers=world.headers("auditor", 0))
    await c.get(f"{API}/health")
    *_, denied, not_found, anonymous, rejected = await entries()
    assert (denied["action"], denied["outcome"], denied["status"]) == ("update", "denied", 403)
    assert (not_found["outcome"], not_found["organization_id"]) == ("not_found", world.orgs[1])
    assert (anonymous["outcome"], anonymous["status"], anonymous["actor_sub"]) == ("denied", 401, None)
    assert (rejected["action"], rejected["outcome"], rejected["status"]) == ("list", "rejected", 400)


async def test_creations_are_logged_with_the_new_id(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": "Ældreplejen"},
        headers={**world.headers("employer_admin", 0), "X-Request-ID": "req-42"},
    )
    entry = (await entries())[-1]
    assert (entry["action"], entry["resource_type"], entry["resource_id"]) == (
        "create",
        "unit",
        r.json()["id"],
    )
    assert entry["request_id"] == "req-42"


async def test_concurrent_requests_never_fork_the_chain(world: World, app: Any) -> None:
    before = len(await entries())
    steward = world.headers("steward", 0)
    responses = await asyncio.gather(
        *(world.client.get(f"{API}/systems/{world.systems[0]}", headers=steward) for _ in range(40))
    )
    assert {r.status_code for r in responses} == {200}
    log = await entries()
    assert len(log) == before + 40
    assert [e["seq"] for e in log] == list(range(log[0]["seq"], log[0]["seq"] + len(log)))
    assert (await verify_stored(verifier_of(app))).ok


async def test_a_request_that_cannot_be_logged_is_not_answered(
    world: World, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(_: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(runtime_of(app).writer, "_write", broken)
    r = await world.client.get(f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0))
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    assert world.systems[0] not in r.text
    anonymous = await world.client.get(f"{API}/organizations")
    assert anonymous.status_code == 503


async def test_a_failed_batch_leaves_the_log_writable_and_its_chain_whole(
    world: World, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a batch that fails after taking the chain's lock (here its INSERT) gives the lock back
    with its connection, and a connection the server dropped is replaced: the next requests are logged,
    and the chain verifies."""
    if AccessLogEntry._meta.db.engine_type != "postgres":
        pytest.skip("the writer's own PostgreSQL connection")
    steward = world.headers("steward", 0)
    system = f"{API}/systems/{world.systems[0]}"
    assert (await world.client.get(system, headers=steward)).status_code == 200
    monkeypatch.setattr(writer_module, "POSTGRES_INSERT", 'INSERT INTO "no_such_table" SELECT $1::text')
    assert (await world.client.get(system, headers=steward)).status_code == 503
    monkeypatch.undo()
    assert (await world.client.get(system, headers=steward)).status_code == 200
    connection = await asyncpg.connect(AccessLogEntry._meta.db.config["dsn"])
    try:  # as a restart of the server would
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    await asyncio.sleep(0.2)
    assert (await world.client.get(system, headers=steward)).status_code == 200
    assert (await verify_stored(verifier_of(app))).ok


async def _export(
    world: World, query: str, *, org_index: int | None = 0, sub: str = "revisor"
) -> httpx.Response:
    r = await world.client.get(
        f"{API}/access-log?{query}", headers=world.headers("auditor", org_index, sub=sub)
    )
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_an_export_verifies_on_its_own_with_the_public_key(world: World, app: Any, fmt: str) -> None:
    await world.client.get(
        f"{API}/systems/{world.systems[0]}",
        headers={**world.headers("steward", 0), "User-Agent": '=HYPERLINK("x")'},
    )
    r = await _export(world, f"{WIDE}&format={fmt}", org_index=None)
    key = (
        await world.client.get(f"{API}/access-log/public-key", headers=world.headers("auditor", None))
    ).json()
    records = list(read_records(io.StringIO(r.text), fmt))
    verdict = verify_export(records, CheckpointVerifier.from_pem(key["public_key"]))
    assert verdict.ok, verdict.as_dict()
    assert (
        verdict.entries == len(await entries()) - 1
    )  # all but the export's own entry, logged after the range
    if fmt == "csv":
        assert "'=HYPERLINK" in r.text  # a spreadsheet shows it as text, and it still verifies
    other_key = CheckpointVerifier.from_pem(
        AccessLogRuntime.from_settings(AccessLogSettings(data_dir=world_tmp())).public_key_pem
    )
    assert not verify_export(records, other_key).ok


def world_tmp() -> Any:
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp())


async def test_an_organizations_auditor_sees_only_its_entries_the_rest_as_stubs(
    world: World, app: Any
) -> None:
    await world.client.get(f"{API}/systems/{world.systems[1]}", headers=world.headers("steward", 1))
    r = await _export(world, WIDE, org_index=0)
    records = list(read_records(io.StringIO(r.text), "jsonl"))
    shown = [rec for rec in records if rec["kind"] == "entry"]
    assert shown
    assert {rec["organization_id"] for rec in shown} == {world.orgs[0]}
    assert world.systems[1] not in r.text
    assert any(rec["kind"] == "stub" for rec in records)
    assert verify_export(records, verifier_of(app)).ok


async def test_filters_and_the_export_itself_is_logged(world: World, app: Any) -> None:
    await world.client.get(
        f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0, sub="tr-a")
    )
    r = await _export(world, f"{WIDE}&actor=tr-a&action=read", org_index=None, sub="revisor-b")
    records = list(read_records(io.StringIO(r.text), "jsonl"))
    shown = [rec for rec in records if rec["kind"] == "entry"]
    assert [(rec["actor_sub"], rec["action"]) for rec in shown] == [("tr-a", "read")]
    assert verify_export(records, verifier_of(app)).ok
    last = (await entries())[-1]
    assert (last["action"], last["resource_type"], last["actor_sub"]) == ("export", "access_log", "revisor-b")


async def test_bad_export_requests_get_400_or_403(world: World) -> None:
    auditor = world.headers("auditor", 0)
    for query, field in (
        ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
        ("from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
        ("to=2026-01-01T00:00:00Z", "from"),
        (f"from={FROM}&to=yesterday", "to"),
        (f"{WIDE}&format=xml", "format"),
    ):
        r = await world.client.get(f"{API}/access-log?{query}", headers=auditor)
        assert r.status_code == 400, query
        assert field in {e["field"] for e in r.json().get("errors", [])}, (query, r.json())
    r = await world.client.get(f"{API}/access-log?{WIDE}", headers=world.headers("steward", 0))
    assert r.status_code == 403


async def test_exports_are_rate_limited(settings: Any, token: Any) -> None:
    runtime = AccessLogRuntime.from_settings(
        AccessLogSettings(data_dir=settings.data_dir, access_log_exports_per_minute=2)
    )
    app = create_app(settings, access_log=runtime)
    headers = bearer(token("auditor", sub="eager-revisor"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://register.test"
    ) as c:
        codes = [(await c.get(f"{API}/access-log?{WIDE}", headers=headers)).status_code for _ in range(3)]
        verified = [(await c.get(f"{API}/access-log/verify", headers=headers)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert verified == [200, 200, 429]  # verifying hashes the whole chain: limited too, counted apart
    await runtime.writer.close()


STORED = 5_000


async def _swap_contents(first: dict[str, Any], second: dict[str, Any]) -> None:
    content = ("event_id", "at", "actor_sub", "action", "request_id", "prev_hash", "hash")
    for row, other in ((first, second), (second, first)):
        await AccessLogEntry.update({getattr(AccessLogEntry, k): other[k] for k in content}).where(
            AccessLogEntry.seq == row["seq"]
        )


@pytest.mark.parametrize("tampering", ["modify", "delete", "insert", "reorder"])
async def test_verify_finds_every_kind_of_tampering_at_its_seq(app: Any, tampering: str) -> None:
    runtime = runtime_of(app)
    drafts = [
        EntryDraft(action="read", outcome="allowed", actor_sub=f"tr-{i % 7}", request_id=f"r{i}")
        for i in range(STORED)
    ]
    await runtime.writer.append_many(drafts)
    await sign_checkpoint(runtime.signer)
    intact = (await verify_stored(runtime.verifier)).as_dict()
    assert (intact["ok"], intact["entries"], intact["signed_through_seq"]) == (True, STORED, STORED)
    await guards.remove(AccessLogEntry)  # as an intruder who owns the tables would
    try:
        log = await entries()
        target = log[random.Random(tampering).randrange(1, STORED - 2)]
        if tampering == "modify":
            await AccessLogEntry.update({AccessLogEntry.actor_sub: "someone-else"}).where(
                AccessLogEntry.seq == target["seq"]
            )
        elif tampering == "delete":
            await AccessLogEntry.delete().where(AccessLogEntry.seq == target["seq"])
        elif tampering == "insert":
            await AccessLogEntry.delete().where(AccessLogEntry.seq == target["seq"])
            forged = {**target, "actor_sub": "intruder"}
            forged["hash"] = link(forged["prev_hash"], content_digest(forged))
            await AccessLogEntry.insert(AccessLogEntry(**forged))
        else:
            await _swap_contents(target, log[target["seq"]])
        result = (await verify_stored(runtime.verifier)).as_dict()
        assert (result["ok"], result["first_bad_seq"]) == (False, target["seq"]), result
    finally:
        await guards.install(AccessLogEntry)


async def test_retention_pruning_keeps_the_chain_verifiable(world: World, app: Any) -> None:
    runtime = runtime_of(app)
    for _ in range(5):
        await world.client.get(f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0))
    kept_from = len(await entries())
    await runtime.checkpoint()  # the prune cuts at a signed checkpoint older than the retention period
    await asyncio.sleep(0.01)
    later = datetime.now(UTC) + timedelta(days=runtime.settings.access_log_retention_days)
    removed = await prune(
        runtime.signer, retention_days=runtime.settings.access_log_retention_days, now=later
    )
    assert removed == kept_from
    assert await entries() == []
    await world.client.get(f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0))
    [first] = await entries()
    assert first["seq"] == kept_from + 1
    verdict = await verify_stored(runtime.verifier)
    assert verdict.ok, verdict.as_dict()
    r = await _export(world, WIDE, org_index=None)
    assert verify_export(list(read_records(io.StringIO(r.text), "jsonl")), runtime.verifier).ok


async def test_the_log_refuses_updates(world: World) -> None:
    await world.client.get(f"{API}/organizations", headers=world.headers("auditor", 0))
    with pytest.raises(Exception, match="append-only"):
        await AccessLogEntry.update({AccessLogEntry.outcome: "allowed"}, force=True)


def test_writer_unavailable_is_an_exception_type() -> None:
    assert issubclass(AccessLogUnavailable, Exception)


async def test_a_list_names_its_organization_not_a_resource(world: World) -> None:
    await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/systems", headers=world.headers("steward", 0)
    )
    await world.client.get(f"{API}/organizations/{world.orgs[0]}", headers=world.headers("steward", 0))
    *_, listed, read = await entries()
    assert (listed["action"], listed["organization_id"], listed["resource_id"]) == (
        "list",
        world.orgs[0],
        None,
    )
    assert (read["resource_type"], read["resource_id"]) == ("organization", world.orgs[0])


# Texts a CSV writer must quote, that a spreadsheet would run as a formula, or that are not ASCII.
AWKWARD = [
    '=HYPERLINK("x")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "'quoted",
    'a, "b"',
    "line\nbreak",
    "ø æ å",
]


@pytest.mark.parametrize("org_index", [None, 0])
async def test_a_csv_export_reads_back_as_the_json_lines_export(
    world: World, app: Any, org_index: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL, runs of entries the auditor sees in full are written by the database (COPY) and
    the rest by Python's csv module: both must read back as the same records, checkpoints included."""
    monkeypatch.setattr(service, "COPY_SEQS", 25)  # several runs, some of them copied
    copied: list[tuple[int, int]] = []
    copy = service._copied

    async def counted(plan: Any, first: int, last: int) -> bytes:
        copied.append((first, last))
        return await copy(plan, first, last)

    monkeypatch.setattr(service, "_copied", counted)
    runtime = runtime_of(app)
    owners = [world.orgs[0], world.orgs[1], None]
    drafts = [
        EntryDraft(
            action="read",
            outcome="allowed",
            organization_id=owners[i % 3] if i >= 60 else world.orgs[0],  # the first runs: one organization
            actor_sub=AWKWARD[i % len(AWKWARD)],
            user_agent=AWKWARD[(i + 3) % len(AWKWARD)],
            resource_id=AWKWARD[(i + 5) % len(AWKWARD)],
            status=200 if i % 4 else None,
            request_id=f"r{i}",
        )
        for i in range(150)
    ]
    await runtime.writer.append_many(drafts[:100])
    await sign_checkpoint(runtime.signer)  # a checkpoint inside the range ends a run
    await runtime.writer.append_many(drafts[100:])
    # The range ends here, before the exports, which are recorded too: both cover the same entries.
    await asyncio.sleep(0.01)
    cut = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    await asyncio.sleep(0.01)
    span = f"from={FROM}&to={cut}"

    jsonl = await _export(world, span, org_index=org_index)
    csv_export = await _export(world, f"{span}&format=csv", org_index=org_index)

    from_jsonl = list(read_records(io.StringIO(jsonl.text), "jsonl"))
    from_csv = list(read_records(io.StringIO(csv_export.text, newline=""), "csv"))
    assert [r["kind"] for r in from_csv] == [r["kind"] for r in from_jsonl]
    assert from_csv[1:-1] == from_jsonl[1:-1]  # every entry, stub and checkpoint, cell for cell
    # The same counts, range, head and stubs in the trailer (each bound to its own export's header).
    bound = ("header", "signature")
    assert {k: v for k, v in from_csv[-1].items() if k not in bound} == {
        k: v for k, v in from_jsonl[-1].items() if k not in bound
    }
    assert "checkpoint" in {r["kind"] for r in from_csv}
    stubs = [r for r in from_csv if r["kind"] == "stub"]
    if org_index is None:
        assert stubs == []  # unfiltered: every entry in full, the first export's own after the range too
    else:
        assert len(stubs) >= 60  # the other organization's entries, and those of none
    on_postgres = AccessLogEntry._meta.db.engine_type != "sqlite"
    assert bool(copied) is on_postgres  # the database wrote some runs, where there is one
    key = (
        await world.client.get(f"{API}/access-log/public-key", headers=world.headers("auditor", None))
    ).json()
    verdict = verify_export(from_csv, CheckpointVerifier.from_pem(key["public_key"]))
    assert verdict.ok, verdict.as_dict()
    assert "'=HYPERLINK" in csv_export.text
    assert "'+1" in csv_export.text
    assert csv_export.headers["content-type"] == "text/csv; charset=utf-8"


def _mangled(text: str, fmt: str) -> dict[str, bytes]:
    """An export file spoiled in every way a copy, a download or an editor can spoil one."""
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    return {
        "cut off in the middle of a record": text[
            : len("".join(lines[:middle])) + len(lines[middle]) // 2
        ].encode(),
        "reordered": "".join([lines[0], lines[middle], *lines[1:middle], *lines[middle + 1 :]]).encode(),
        "empty": b"",
        "binary junk": bytes(range(256)) * 8,
        "a record that is not one": (
            "".join(lines[:2])
            + ('{"kind": "entry", "seq": "x", "hash": 5}\n' if fmt == "jsonl" else '"entry","x"\n')
        ).encode(),
        "only a header": lines[0].encode(),
    }


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_the_offline_verifier_answers_every_spoiled_file_in_one_line(
    world: World, fmt: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli import main

    await world.client.get(f"{API}/systems/{world.systems[0]}", headers=world.headers("steward", 0))
    r = await _export(world, f"{WIDE}&format={fmt}", org_index=None)
    key = (
        await world.client.get(f"{API}/access-log/public-key", headers=world.headers("auditor", None))
    ).json()["public_key"]
    key_file = tmp_path / "register.pem"
    key_file.write_text(key)
    wrong_key = tmp_path / "other.pem"
    wrong_key.write_text(
        AccessLogRuntime.from_settings(AccessLogSettings(data_dir=world_tmp())).public_key_pem
    )
    cases = {**_mangled(r.text, fmt), "the wrong public key": r.text.encode()}
    for case, content in cases.items():
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(content)
        capsys.readouterr()
        code = main(
            ["access-log", "verify", str(path), "--public-key", str(wrong_key if "key" in case else key_file)]
        )
        out, err = capsys.readouterr()
        said = (out + err).strip()
        assert code in (1, 2), (case, code, said)
        assert "Traceback" not in said, (case, said)
        assert len(said.splitlines()) == 1, (case, said)
    path.write_bytes(r.text.encode())
    assert main(["access-log", "verify", str(path), "--public-key", str(key_file)]) == 0
