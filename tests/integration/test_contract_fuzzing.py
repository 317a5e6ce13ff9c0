"""Contract fuzzing: schemathesis generates requests from openapi/openapi.json for every operation, as
every role with a valid token and the world's real ids in the path, and checks every answer:

* never a server error (5xx);
* its status code is documented for the operation, and so are its media type and headers; its body
  matches the documented schema;
* a token bound to organization 0 never gets organization 1's ids or names back (nor, for a steward
  limited to units, a system outside those units), and organization 1's objects answer 403 or 404.

Two generators: schemathesis's coverage phase (deterministic boundary values and one-thing-wrong
requests, run once per operation as a role that may call it) and Hypothesis-driven fuzzing (valid and
invalid requests, for every role). Hypothesis is derandomized, so every run sends the same requests.

The app is served in-process on the test session's event loop (design.md: Piccolo needs the loop the
database fixtures use); the generators run in a worker thread and hand each request to that loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, CheckContext, GenerationMode, Response
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.runtime import AccessLogRuntime
from registry.accesslog.settings import AccessLogSettings
from tests.support.world import API, PUBLIC_RECEIVER, SYSTEM_EVENTS, World, bearer, system_body

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "http://register.test"
# The import takes a workbook as its body: bytes, as schemathesis sends any binary body.
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)
SCHEMA = schemathesis.openapi.from_path(ROOT / "openapi" / "openapi.json", config=schemathesis.Config())
OPERATIONS: list[APIOperation] = [result.ok() for result in SCHEMA.get_all_operations()]

# Bounds that keep the file under two minutes on a quiet 2-core machine (about 5000 requests). The
# coverage phase makes ~850 requests for each large AI system body alone; an even sample of them keeps
# every kind of case. (Twenty-five examples and every coverage case found nothing more.)
COVERAGE_CASES = 80  # per operation, once
EXAMPLES = 4  # Hypothesis examples per operation, role and mode
PROBE_EXAMPLES = 2  # first, to find the operations a role is refused
FOREIGN_EXAMPLES = 2  # per operation, on organization 1's ids
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same requests on every run: a failure here reproduces
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failing request is reported as sent
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass(frozen=True)
class Caller:
    role: str
    org_bound: bool  # a token of organization 0: organization 1's data must never reach it
    unit_limited: bool = False


CALLERS = {
    "platform_admin": Caller("platform_admin", org_bound=False),
    "employer_admin": Caller("employer_admin", org_bound=True),
    "steward": Caller("steward", org_bound=True),
    "unit_steward": Caller("steward", org_bound=True, unit_limited=True),
    "auditor": Caller("auditor", org_bound=True),
    "auditor_without_org": Caller("auditor", org_bound=False),
}
# Who runs an operation's coverage phase: a caller the operation serves (employer admins, unless named).
COVERAGE_CALLER = {
    "createOrganization": "platform_admin",
    "askQuestion": "steward",
    "exportAccessLog": "auditor",
    "verifyAccessLog": "auditor",
    "getAccessLogPublicKey": "auditor",
}


def operation_id(operation: APIOperation) -> str:
    return str(operation.definition.raw["operationId"])


@dataclass
class Fixture:
    """The world's ids as path parameters, and what must not reach a caller of organization 0."""

    own: dict[str, Any]
    foreign: dict[str, Any]
    foreign_markers: dict[str, str]
    outside_units_markers: dict[str, str]
    admin: dict[str, str]


async def build_fixture(world: World) -> Fixture:
    await world.ask_questions()
    await world.open_reassessments()
    client = world.client
    admin0 = world.headers("employer_admin", 0)
    admin1 = world.headers("employer_admin", 1)
    # Names only organization 1 uses (the world gives both organizations the same unit and system names).
    r = await client.post(
        f"{API}/organizations/{world.orgs[1]}/units",
        json={"name": "Foreign-unit-b7e1", "committee": "SU"},
        headers=admin1,
    )
    assert r.status_code == 201, r.text
    foreign_unit = r.json()["id"]
    r = await client.post(
        f"{API}/organizations/{world.orgs[1]}/systems",
        json=system_body(name="Foreign-system-5c2d", vendor="Foreign-vendor-91aa", unit_ids=[foreign_unit]),
        headers=admin1,
    )
    assert r.status_code == 201, r.text
    foreign_system = r.json()["id"]
    # Organization 0 has a unit the unit-limited steward is not given, with a system in use in it.
    r = await client.post(
        f"{API}/organizations/{world.orgs[0]}/units",
        json={"name": "Other unit", "committee": "lokal-MED"},
        headers=admin0,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(name="Outside-units-system-3f0a", status="in_use", unit_ids=[r.json()["id"]]),
        headers=admin0,
    )
    assert r.status_code == 201, r.text
    outside_system = r.json()["id"]

    def ids(i: int) -> dict[str, Any]:
        return {
            "org_id": world.orgs[i],
            "unit_id": world.units[i],
            "system_id": world.systems[i],
            "subscription_id": world.webhooks[i],
            "delivery_id": int(world.deliveries[i]),
            "question_id": world.questions[i],
            "reassessment_id": world.reassessments[i],
        }

    org1 = (await client.get(f"{API}/organizations/{world.orgs[1]}", headers=admin1)).json()
    markers = {
        f"{name} of organization 1": str(value) for name, value in ids(1).items() if name != "delivery_id"
    }
    markers |= {
        "organization 1's other unit": foreign_unit,
        "organization 1's other system": foreign_system,
        "organization 1's cvr": org1["cvr"],
        "organization 1's name": org1["name"],
        "organization 1's unit name": "Foreign-unit-b7e1",
        "organization 1's system name": "Foreign-system-5c2d",
        "organization 1's vendor": "Foreign-vendor-91aa",
        "organization 1's webhook": f"{PUBLIC_RECEIVER}/1",
        "organization 1's question": "(spørgsmål 1)",
    }
    return Fixture(
        own=ids(0),
        foreign=ids(1),
        foreign_markers=markers,
        outside_units_markers={
            "a system outside the steward's units": outside_system,
            "its name": "Outside-units-system-3f0a",
        },
        admin=admin0,
    )


def no_foreign_data(markers: dict[str, str]) -> CheckFunction:
    """What a caller may not see appears in no answer, unless the request itself named it (a 404 may
    name the address it was asked for)."""

    def no_other_organization_data(ctx: CheckContext, response: Response, case: Case) -> bool | None:
        text = response.content.decode("utf-8", "replace")
        sent = f"{case.formatted_path} {case.query} {case.headers} {case.body}"
        leaked = sorted(label for label, marker in markers.items() if marker in text and marker not in sent)
        if leaked:
            raise AssertionError(f"the answer carries {', '.join(leaked)}")
        return None

    return no_other_organization_data


def foreign_object_not_found(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    if response.status_code < 400:
        raise AssertionError(f"{response.status_code} for another organization's object (expected 403/404)")
    return None


def mutated(case: Case) -> set[tuple[str, str]]:
    """(location, name) of what a negative case made invalid; nothing for a positive one."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_negative:
        return set()
    data = meta.phase.data
    found = (
        {(str(data.parameter_location.value), str(data.parameter).lower())}
        if data.parameter_location
        else set()
    )
    return found | {(str(m.parameter_location.value), str(m.parameter).lower()) for m in data.mutations}


def path_parameters(operation: APIOperation, ids: dict[str, Any]) -> dict[str, Any]:
    names = {p.name for p in operation.path_parameters}
    return {name: ids[name] for name in names if name in ids}  # `version` is left to the generators


def coverage_cases(operation: APIOperation) -> list[Case]:
    config = SCHEMA.config.generation_for(operation=operation, phase="coverage")
    cases = list(
        SCHEMA.iter_coverage_cases(operation, generation_modes=list(GenerationMode), generation_config=config)
    )
    return cases[:: max(1, math.ceil(len(cases) / COVERAGE_CASES))]


@dataclass
class Run:
    """One role's run: sends each generated case through the app on the session's loop and checks it."""

    client: httpx.AsyncClient
    loop: asyncio.AbstractEventLoop
    fixture: Fixture
    headers: dict[str, str]
    checks: list[CheckFunction]
    failures: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    unsatisfiable: set[str] = field(default_factory=set)
    _toggle: Iterator[bool] = field(default_factory=lambda: itertools.cycle([True, False]))

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def prepare(self, case: Case, ids: dict[str, Any]) -> None:
        """Real ids in the path (unless the case is about a bad one), and some requests made to get past
        the preconditions, so they reach the service."""
        broken = mutated(case)
        for name, value in path_parameters(case.operation, ids).items():
            if ("path", name.lower()) not in broken:
                case.path_parameters[name] = value
        own = case.path_parameters.get("subscription_id") == self.fixture.own["subscription_id"]
        if operation_id(case.operation) == "deleteWebhook" and own:
            # Each deletion takes a subscription of its own: the world's stays for the other operations.
            r = self.call(
                self.client.post(
                    f"{API}/organizations/{self.fixture.own['org_id']}/webhooks",
                    json={"url": f"{PUBLIC_RECEIVER}/fuzz", "event_types": SYSTEM_EVENTS},
                    headers=self.fixture.admin,
                )
            )
            assert r.status_code == 201, r.text
            case.path_parameters["subscription_id"] = r.json()["id"]
        if (
            operation_id(case.operation) == "updateSystem"
            and ("header", "if-match") not in broken
            and next(self._toggle)
        ):
            # Every other PATCH names the current version (the others test 412 and 428).
            system = case.path_parameters["system_id"]
            r = self.call(self.client.get(f"{API}/systems/{system}", headers=self.fixture.admin))
            if r.status_code == 200:
                case.headers["If-Match"] = r.headers["ETag"]

    def send(self, case: Case, ids: dict[str, Any], extra_checks: list[CheckFunction]) -> int:
        self.prepare(case, ids)
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        headers = kwargs["headers"]
        if ("header", "authorization") not in mutated(case):
            headers.update(self.headers)  # the token of the role under test, unless the case is about it
        body: dict[str, Any] = {}
        if "json" in kwargs:
            body["json"] = kwargs["json"]
        elif "data" in kwargs:
            body["content"] = kwargs["data"]
        assert "files" not in kwargs, "no operation takes multipart bodies"
        response = self.call(
            self.client.request(
                kwargs["method"],
                kwargs["url"],
                params=kwargs.get("params"),
                headers=headers,
                cookies=kwargs.get("cookies") or None,
                **body,
            )
        )
        self.requests += 1
        case.validate_response(response, checks=self.checks + extra_checks, headers=headers)
        return int(response.status_code)

    def fail(self, title: str, exc: BaseException) -> None:
        self.failures.setdefault(title, str(exc))  # the first failure of each operation and generator

    def fuzz(
        self,
        operation: APIOperation,
        mode: GenerationMode,
        ids: dict[str, Any],
        *,
        query: dict[str, Any] | None = None,
        examples: int = EXAMPLES,
        extra_checks: list[CheckFunction] | None = None,
        label: str = "",
    ) -> set[int]:
        """Send `examples` requests Hypothesis generates; the statuses they got."""
        strategy = operation.as_strategy(mode, path_parameters=path_parameters(operation, ids), query=query)
        seen: set[int] = set()

        @settings(HYPOTHESIS, max_examples=examples)
        @given(strategy)
        def run(case: Case) -> None:
            seen.add(self.send(case, ids, extra_checks or []))

        try:
            run()
        except Unsatisfiable:
            # Nothing of the operation but its path can be made invalid (and the path is fixed here);
            # the coverage phase sends it bad paths and a bad token.
            self.unsatisfiable.add(f"{operation.label} [{mode.value}{label}]")
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis reports failures as a group
            self.fail(f"{operation.label} [{mode.value}{label}]", exc)
        return seen

    def cover(self, operation: APIOperation) -> None:
        for case in coverage_cases(operation):
            try:
                self.send(case, self.fixture.own, [])
            except (Exception, BaseExceptionGroup) as exc:
                self.fail(f"{operation.label} [coverage]", exc)


def fuzz_role(run: Run, name: str, caller: Caller) -> None:
    # A deleted subscription must not be the one the later operations address: deletion comes last.
    operations = sorted(OPERATIONS, key=lambda op: op.method.upper() == "DELETE")
    now = datetime.now(UTC)
    own = run.fixture.own
    for operation in operations:
        # A few requests first: a role the operation refuses gets 403 whatever it sends (the guard runs
        # before anything is read), so a handful of valid and invalid ones cover it.
        probed = run.fuzz(operation, GenerationMode.POSITIVE, own, examples=PROBE_EXAMPLES)
        probed |= run.fuzz(operation, GenerationMode.NEGATIVE, own, examples=PROBE_EXAMPLES)
        covers = COVERAGE_CALLER.get(operation_id(operation), "employer_admin") == name
        if probed == {403}:
            if covers:
                run.fail(f"{operation.label} [coverage]", AssertionError(f"{name} may not call it"))
            continue
        if covers:
            run.cover(operation)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run.fuzz(operation, mode, own)
        if operation_id(operation) == "exportAccessLog":
            # Random `from`/`to` text is nearly never a date: a valid range reaches the export itself.
            span = {
                "from": (now - timedelta(days=1)).isoformat(),
                "to": (now + timedelta(days=1)).isoformat(),
            }
            run.fuzz(operation, GenerationMode.POSITIVE, own, query=span, label=", valid range")
    if not caller.org_bound:
        return
    # Then every operation on organization 1's objects: 403 or 404, and nothing of them comes back.
    # (Last, because the caller's own access log records these requests, with the ids it sent.)
    for operation in operations:
        if path_parameters(operation, run.fixture.foreign):
            run.fuzz(
                operation,
                GenerationMode.POSITIVE,
                run.fixture.foreign,
                examples=FOREIGN_EXAMPLES,
                extra_checks=[foreign_object_not_found],
                label=", organization 1's ids",
            )


@pytest.mark.parametrize("name", list(CALLERS))
async def test_contract_fuzzing(name: str, world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="httpx")  # thousands of requests; failures say what was sent
    caller = CALLERS[name]
    fixture = await build_fixture(world)
    org = world.orgs[0] if caller.org_bound else None
    units = [world.units[0]] if caller.unit_limited else None
    headers = bearer(world.token(caller.role, org, units=units))
    markers = dict(fixture.foreign_markers) if caller.org_bound else {}
    if caller.unit_limited:
        markers |= fixture.outside_units_markers
    checks = [*CHECKS, no_foreign_data(markers)] if markers else list(CHECKS)
    run = Run(world.client, asyncio.get_running_loop(), fixture, headers, checks)
    started = time.monotonic()
    await asyncio.to_thread(fuzz_role, run, name, caller)
    # Shown with -s: how much was sent, and which operations had no invalid request to make.
    print(f"{name}: {run.requests} requests in {time.monotonic() - started:.0f} s")
    print("  no invalid request possible:", *sorted(run.unsatisfiable), sep="\n    ")
    assert not run.failures, f"{len(run.failures)} failing:\n\n" + "\n\n".join(
        f"{title}\n{text}" for title, text in run.failures.items()
    )


# --- What the fuzzing found, pinned down -----------------------------------------------------------


def test_every_error_is_documented_as_a_problem() -> None:
    """Each operation behind a token documents 401 and its other error statuses as problem+json (the
    document used to show Litestar's own 400 shape, and no other error status at all)."""
    for operation in OPERATIONS:
        responses = operation.definition.raw["responses"]
        if operation_id(operation) in {"health", "ready"}:
            assert operation.definition.raw["security"] == []  # no token needed, and the document says so
            continue
        assert "401" in responses, operation.label
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (operation.label, status)
                # A refused import is a problem whose extension members are the import's report.
                extended = (operation_id(operation), status) == ("importSystems", "422")
                name = "RefusedImport" if extended else "Problem"
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": f"#/components/schemas/{name}"
                }


def test_the_export_documents_its_media_types() -> None:
    export = SCHEMA.find_operation_by_id("exportAccessLog").definition.raw
    assert set(export["responses"]["200"]["content"]) == {"application/x-ndjson", "text/csv"}


async def test_options_needs_a_token_and_never_fails(world: World) -> None:
    """OPTIONS skipped authentication (Litestar's default, for CORS preflights), so a controller's role
    guard found no caller and answered 500."""
    guarded = [
        f"{API}/systems/{world.systems[0]}/revisions",
        f"{API}/organizations/{world.orgs[0]}/findings",
        f"{API}/webhooks/{world.webhooks[0]}",
    ]
    for path in guarded:
        r = await world.client.options(path)
        assert r.status_code == 401, (path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        r = await world.client.options(path, headers=world.headers("employer_admin", 0))
        assert r.status_code == 204, (path, r.text)
        r = await world.client.options(path, headers=world.headers("platform_admin", None))
        assert r.status_code == 403, (path, r.text)


@pytest.mark.parametrize("name", ["exportAccessLog", "verifyAccessLog"])
async def test_rate_limited_access_log_answers_a_documented_429(
    settings: Any, token: Any, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The fuzzing runs with a high export limit (tests/conftest.py); here the limit is met."""
    runtime = AccessLogRuntime.from_settings(
        AccessLogSettings(data_dir=settings.data_dir, access_log_exports_per_minute=1)
    )
    app = create_app(settings, access_log=runtime)
    operation = SCHEMA.find_operation_by_id(name)
    now = datetime.now(UTC)
    query = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()} if operation.query else {}
    headers = bearer(token("auditor", sub=f"contract-{name}"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
            statuses = []
            for _ in range(2):
                case = operation.Case(query=query)
                kwargs = case.as_transport_kwargs(base_url=BASE_URL)
                response = await client.get(kwargs["url"], params=kwargs["params"], headers=headers)
                case.validate_response(response, checks=CHECKS)
                statuses.append(response.status_code)
    finally:
        await runtime.writer.close()
    assert statuses == [200, 429]
    assert int(response.headers["RateLimit-Reset"]) > 0
