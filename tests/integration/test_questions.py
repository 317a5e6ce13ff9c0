"""Questions on record through the HTTP API: stewards ask (or send corrections), employer admins answer
with the committee and the minutes reference; answers are append-only; events and access-log entries."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest

from registry.accesslog.tables import AccessLogEntry
from registry.questions.tables import Answer
from tests.support.world import API, PUBLIC_RECEIVER, World, system_body
from webhooks.tables import WebhookDelivery, WebhookEvent

UNKNOWN = "00000000-0000-4000-8000-000000000000"

# --- helpers -----------------------------------------------------------------------------------------


def steward(world: World, org_index: int = 0, **kwargs: Any) -> dict[str, str]:
    return world.headers("steward", org_index, sub="tr@kommune.dk", **kwargs)


def admin(world: World, org_index: int = 0) -> dict[str, str]:
    return world.headers("employer_admin", org_index, sub="hr@kommune.dk")


async def ask(
    world: World, body: dict[str, Any] | None = None, *, system: str | None = None, headers: Any = None
) -> httpx.Response:
    return await world.client.post(
        f"{API}/systems/{system or world.systems[0]}/questions",
        json=body if body is not None else {"text": "Hvem kan se den enkelte medarbejders score?"},
        headers=headers or steward(world),
    )


async def asked(world: World, body: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    r = await ask(world, body, **kwargs)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def answer(world: World, question: str, body: dict[str, Any], headers: Any = None) -> httpx.Response:
    return await world.client.post(
        f"{API}/questions/{question}/answers", json=body, headers=headers or admin(world)
    )


async def answered(world: World, question: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await answer(world, question, body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def get_question(world: World, question: str, headers: Any = None) -> httpx.Response:
    return await world.client.get(f"{API}/questions/{question}", headers=headers or steward(world))


async def events(kind: str) -> list[dict[str, Any]]:
    rows = await WebhookEvent.select().where(WebhookEvent.type == kind).order_by(WebhookEvent.id)
    return [json.loads(row["payload"]) for row in rows]


async def event_count() -> int:
    return int(await WebhookEvent.count())


async def access_log() -> list[dict[str, Any]]:
    return list(await AccessLogEntry.select().order_by(AccessLogEntry.seq))


def field_errors(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return {e["field"]: e["reason"] for e in response.json().get("errors", [])}


FIRST_ANSWER = {
    "text": "Kun den nærmeste leder ser den enkeltes score; direktionen ser gennemsnit.",
    "committee": "lokal-MED",
    "meeting_date": "2026-03-12",
    "minutes_ref": "Referat lokal-MED 12.03.2026, pkt. 4",
}


# --- asking and answering ----------------------------------------------------------------------------


async def test_a_steward_asks_and_the_question_is_open_on_record(world: World) -> None:
    r = await ask(
        world,
        {
            "text": "  Hvem kan se den enkelte medarbejders score?  ",
            "fields": ["access"],
            "meeting": {
                "committee": "lokal-MED",
                "date": "2026-03-12",
                "agenda_item": "4. AI i hjemmeplejen",
            },
        },
    )
    assert r.status_code == 201, r.text
    question = r.json()
    assert r.headers["location"] == f"/api/v1/questions/{question['id']}"
    assert question == {
        "id": question["id"],
        "organization_id": world.orgs[0],
        "system_id": world.systems[0],
        "kind": "question",
        "text": "Hvem kan se den enkelte medarbejders score?",
        "fields": ["access"],
        "asked_by": "tr@kommune.dk",
        "asked_by_role": "steward",
        "asked_at": question["asked_at"],
        "meeting": {"committee": "lokal-MED", "date": "2026-03-12", "agenda_item": "4. AI i hjemmeplejen"},
        "status": "open",
        "answers": [],
    }
    again = await get_question(world, question["id"], headers=world.headers("auditor", 0))
    assert again.status_code == 200
    assert again.json() == question


async def test_the_employer_answers_on_record_and_the_question_is_answered(world: World) -> None:
    question = await asked(world)
    r = await answer(world, question["id"], FIRST_ANSWER)
    assert r.status_code == 201, r.text
    given = r.json()
    assert given == {
        "id": given["id"],
        "question_id": question["id"],
        "number": 1,
        "text": FIRST_ANSWER["text"],
        "answered_by": "hr@kommune.dk",
        "answered_at": given["answered_at"],
        "committee": "lokal-MED",
        "meeting_date": "2026-03-12",
        "minutes_ref": "Referat lokal-MED 12.03.2026, pkt. 4",
        "corrects": None,
        "corrected_by": [],
    }
    now = (await get_question(world, question["id"])).json()
    assert now["status"] == "answered"
    assert now["answers"] == [given]
    assert {k: v for k, v in now.items() if k not in ("status", "answers")} == {
        k: v for k, v in question.items() if k not in ("status", "answers")
    }


async def test_committee_and_minutes_are_optional_on_an_answer(world: World) -> None:
    question = await asked(world)
    given = await answered(world, question["id"], {"text": "Det undersøger vi til næste møde."})
    assert (given["committee"], given["meeting_date"], given["minutes_ref"]) == (None, None, None)


async def test_a_correction_of_an_answer_is_a_new_answer_and_the_earlier_one_stays(world: World) -> None:
    question = await asked(world)
    first = await answered(world, question["id"], FIRST_ANSWER)
    second = await answered(
        world,
        question["id"],
        {
            "text": "Rettelse: også HR-konsulenten ser den enkeltes score.",
            "committee": "lokal-MED",
            "minutes_ref": "Referat lokal-MED 09.04.2026, pkt. 2",
            "corrects": first["id"],
        },
    )
    assert (second["number"], second["corrects"]) == (2, first["id"])
    answers = (await get_question(world, question["id"])).json()["answers"]
    assert [a["id"] for a in answers] == [first["id"], second["id"]]  # oldest first
    assert answers[0] == {**first, "corrected_by": [second["id"]]}  # unchanged, only pointed at
    # A correction of the correction names it; every answer stays.
    third = await answered(world, question["id"], {"text": "Endelig rettelse.", "corrects": second["id"]})
    answers = (await get_question(world, question["id"])).json()["answers"]
    assert [a["number"] for a in answers] == [1, 2, 3]
    assert [a["corrected_by"] for a in answers] == [[second["id"]], [third["id"]], []]
    assert answers[0]["text"] == FIRST_ANSWER["text"]
    assert await Answer.count() == 3


@pytest.mark.parametrize(
    "corrects",
    [
        pytest.param("first-answer-of-another-question", id="another-questions-answer"),
        pytest.param(UNKNOWN, id="unknown-answer"),
    ],
)
async def test_an_answer_corrects_only_an_earlier_answer_to_the_same_question(
    world: World, corrects: str
) -> None:
    question = await asked(world)
    other = await asked(world, {"text": "Et andet spørgsmål."})
    other_answer = await answered(world, other["id"], {"text": "Svar på det andet."})
    await answered(world, question["id"], FIRST_ANSWER)
    target = other_answer["id"] if corrects.startswith("first-answer") else corrects
    before_events, before_answers = await event_count(), await Answer.count()

    r = await answer(world, question["id"], {"text": "Rettelse.", "corrects": target})

    assert r.status_code == 422, r.text
    assert "corrects" in field_errors(r)
    assert await event_count() == before_events
    assert await Answer.count() == before_answers


async def test_the_first_answer_corrects_nothing(world: World) -> None:
    question = await asked(world)
    r = await answer(world, question["id"], {"text": "Rettelse.", "corrects": UNKNOWN})
    assert r.status_code == 422
    assert "corrects" in field_errors(r)
    assert (await get_question(world, question["id"])).json()["status"] == "open"


# --- corrections of the register ---------------------------------------------------------------------


async def test_a_correction_names_the_fields_it_disputes(world: World) -> None:
    correction = await asked(
        world,
        {
            "kind": "correction",
            "text": "Registreringen er forkert: teamlederne ser også enkeltpersoners data.",
            "fields": ["access", "data_categories", "access"],
        },
    )
    assert (correction["kind"], correction["status"]) == ("correction", "open")
    assert correction["fields"] == ["access", "data_categories"]
    given = await answered(world, correction["id"], {"text": "Registreringen er rettet i version 2."})
    assert given["number"] == 1
    assert (await get_question(world, correction["id"])).json()["status"] == "answered"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        pytest.param([], "fields", id="none-named"),
        pytest.param(["access", "salary"], "fields[1]", id="unknown-field"),
        pytest.param(["special_categories"], "fields[0]", id="derived-field"),
    ],
)
async def test_a_correction_without_known_disputed_fields_is_refused(
    world: World, fields: list[str], problem: str
) -> None:
    before = await event_count()
    r = await ask(world, {"kind": "correction", "text": "Forkert.", "fields": fields})
    assert r.status_code == 422, r.text
    assert problem in field_errors(r)
    assert await event_count() == before
    assert (
        await world.client.get(f"{API}/systems/{world.systems[0]}/questions", headers=admin(world))
    ).json() == []


async def test_a_question_may_name_fields_but_only_known_ones(world: World) -> None:
    assert (await asked(world, {"text": "Hvorfor så lang opbevaring?", "fields": ["retention"]}))[
        "fields"
    ] == ["retention"]
    r = await ask(world, {"text": "Hvad med lønnen?", "fields": ["salary"]})
    assert r.status_code == 422
    assert field_errors(r) == {"fields[0]": "is not a field of an AI system"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-text"),
        pytest.param({"text": ""}, id="empty-text"),
        pytest.param({"text": "   "}, id="blank-text"),
        pytest.param({"text": "Hvem\x00?"}, id="nul"),
        pytest.param({"text": "x" * 10_001}, id="too-long"),
        pytest.param({"text": "Hvem?", "kind": "complaint"}, id="unknown-kind"),
        pytest.param({"text": "Hvem?", "hat": 1}, id="unknown-property"),
        pytest.param({"text": "Hvem?", "fields": "access"}, id="fields-not-a-list"),
        pytest.param({"text": "Hvem?", "meeting": {"committee": "bestyrelsen"}}, id="unknown-committee"),
        pytest.param({"text": "Hvem?", "meeting": {"date": "12/3/2026"}}, id="bad-date"),
        pytest.param({"text": "Hvem?", "meeting": {"agenda_item": "x" * 201}}, id="long-agenda-item"),
    ],
)
async def test_a_malformed_question_is_a_bad_request(world: World, body: dict[str, Any]) -> None:
    before = await event_count()
    r = await ask(world, body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert await event_count() == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="no-text"),
        pytest.param({"text": "Svar\x00"}, id="nul"),
        pytest.param({"text": "Svar", "corrects": "the-first-one"}, id="corrects-not-an-id"),
        pytest.param({"text": "Svar", "minutes_ref": "x" * 201}, id="long-minutes-ref"),
        pytest.param({"text": "Svar", "committee": "bestyrelsen"}, id="unknown-committee"),
        pytest.param({"text": "Svar", "status": "answered"}, id="unknown-property"),
    ],
)
async def test_a_malformed_answer_is_a_bad_request(world: World, body: dict[str, Any]) -> None:
    question = await asked(world)
    before = await event_count()
    r = await answer(world, question["id"], body)
    assert r.status_code == 400, r.text
    assert await event_count() == before
    assert (await get_question(world, question["id"])).json()["status"] == "open"


# --- listing -----------------------------------------------------------------------------------------


async def test_lists_are_newest_first_and_filter_by_status_and_kind(world: World) -> None:
    first = await asked(world, {"text": "Første spørgsmål."})
    correction = await asked(world, {"kind": "correction", "text": "Forkert formål.", "fields": ["purpose"]})
    third = await asked(world, {"text": "Tredje spørgsmål."})
    await answered(world, first["id"], FIRST_ANSWER)
    elsewhere = await asked(world, {"text": "Om et andet system."}, system=await other_system(world))
    c = world.client
    url = f"{API}/systems/{world.systems[0]}/questions"
    ids = [q["id"] for q in (await c.get(url, headers=steward(world))).json()]
    assert ids == [third["id"], correction["id"], first["id"]]
    open_ = (await c.get(url, params={"status": "open"}, headers=steward(world))).json()
    assert [q["id"] for q in open_] == [third["id"], correction["id"]]
    done = (await c.get(url, params={"status": "answered"}, headers=steward(world))).json()
    assert [q["id"] for q in done] == [first["id"]]
    assert [a["text"] for a in done[0]["answers"]] == [FIRST_ANSWER["text"]]

    org_url = f"{API}/organizations/{world.orgs[0]}/questions"
    everything = (await c.get(org_url, headers=admin(world))).json()
    assert [q["id"] for q in everything] == [elsewhere["id"], third["id"], correction["id"], first["id"]]
    unanswered = (await c.get(org_url, params={"status": "open"}, headers=admin(world))).json()
    assert [q["id"] for q in unanswered] == [elsewhere["id"], third["id"], correction["id"]]
    corrections = (
        await c.get(
            org_url, params={"status": "open", "kind": "correction"}, headers=world.headers("auditor", 0)
        )
    ).json()
    assert [q["id"] for q in corrections] == [correction["id"]]
    assert (
        await c.get(f"{API}/organizations/{world.orgs[1]}/questions", headers=admin(world, 1))
    ).json() == []


@pytest.mark.parametrize(
    "query", [{"status": "closed"}, {"kind": "complaint"}], ids=["bad-status", "bad-kind"]
)
async def test_an_unknown_filter_value_is_a_bad_request(world: World, query: dict[str, str]) -> None:
    r = await world.client.get(
        f"{API}/organizations/{world.orgs[0]}/questions", params=query, headers=admin(world)
    )
    assert r.status_code == 400


async def other_system(world: World, unit_ids: list[str] | None = None, name: str = "Chatassistent") -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/systems",
        json=system_body(name=name, unit_ids=unit_ids or []),
        headers=admin(world),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


# --- who may do what ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "org_index"),
    [("employer_admin", 0), ("auditor", 0), ("auditor", None), ("platform_admin", None)],
)
async def test_only_stewards_ask(world: World, role: str, org_index: int | None) -> None:
    before = await event_count()
    r = await ask(world, headers=world.headers(role, org_index))
    assert r.status_code == 403
    assert await event_count() == before


@pytest.mark.parametrize(
    ("role", "org_index"), [("steward", 0), ("auditor", 0), ("auditor", None), ("platform_admin", None)]
)
async def test_only_employer_admins_answer(world: World, role: str, org_index: int | None) -> None:
    question = await asked(world)
    r = await answer(world, question["id"], FIRST_ANSWER, headers=world.headers(role, org_index))
    assert r.status_code == 403
    assert (await get_question(world, question["id"])).json()["status"] == "open"


async def test_another_organizations_questions_do_not_exist(world: World) -> None:
    theirs = await asked(world, system=world.systems[1], headers=steward(world, 1))
    c = world.client
    for headers in (steward(world), admin(world), world.headers("auditor", 0)):
        for path in (
            f"/questions/{theirs['id']}",
            f"/questions/{UNKNOWN}",
            f"/systems/{world.systems[1]}/questions",
        ):
            r = await c.get(API + path, headers=headers)
            assert r.status_code == 404, (path, r.text)
            assert theirs["text"] not in r.text
        r = await c.get(f"{API}/organizations/{world.orgs[1]}/questions", headers=headers)
        assert r.status_code == 404
    assert (await ask(world, system=world.systems[1])).status_code == 404
    assert (await ask(world, system=UNKNOWN)).status_code == 404
    assert (await answer(world, theirs["id"], FIRST_ANSWER)).status_code == 404
    assert (await answer(world, UNKNOWN, FIRST_ANSWER)).status_code == 404
    # The global auditor reads every organization's.
    r = await get_question(world, theirs["id"], headers=world.headers("auditor", None))
    assert r.status_code == 200
    assert r.json()["status"] == "open"


async def test_a_unit_limited_steward_asks_and_sees_only_about_systems_it_sees(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/units", json={"name": "Rådhuset"}, headers=admin(world)
    )
    assert r.status_code == 201
    sibling_unit = r.json()["id"]
    sibling = await other_system(world, [sibling_unit], name="Sagsbehandling")
    whole = await other_system(world, [], name="Chatassistent")
    limited = steward(world, units=[world.units[0]])
    on_sibling = await asked(world, {"text": "Om Rådhusets system."}, system=sibling)  # an unlimited steward
    on_own = await asked(world, {"text": "Om hjemmeplejens system."}, headers=limited)
    on_whole = await asked(world, {"text": "Om chatassistenten."}, system=whole, headers=limited)

    assert (await ask(world, system=sibling, headers=limited)).status_code == 404
    for path in (f"/systems/{sibling}/questions", f"/questions/{on_sibling['id']}"):
        r = await world.client.get(API + path, headers=limited)
        assert r.status_code == 404
        assert on_sibling["text"] not in r.text
    r = await world.client.get(f"{API}/organizations/{world.orgs[0]}/questions", headers=limited)
    assert [q["id"] for q in r.json()] == [on_whole["id"], on_own["id"]]
    r = await world.client.get(f"{API}/organizations/{world.orgs[0]}/questions", headers=steward(world))
    assert {q["id"] for q in r.json()} == {on_whole["id"], on_own["id"], on_sibling["id"]}


# --- events and the access log -----------------------------------------------------------------------


async def test_asking_and_answering_write_thin_events_to_the_outbox(world: World) -> None:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[0]}/webhooks",
        json={"url": f"{PUBLIC_RECEIVER}/questions", "event_types": ["question.asked", "question.answered"]},
        headers=admin(world),
    )
    assert r.status_code == 201, r.text
    subscription = r.json()["id"]
    question = await asked(
        world, {"kind": "correction", "text": "Hemmelig begrundelse", "fields": ["purpose"]}
    )
    first = await answered(world, question["id"], FIRST_ANSWER)
    second = await answered(world, question["id"], {"text": "Rettet svar", "corrects": first["id"]})

    [asked_event] = await events("question.asked")
    data = asked_event["data"]
    assert {k: data[k] for k in ("organization_id", "question_id", "system_id", "kind")} == {
        "organization_id": world.orgs[0],
        "question_id": question["id"],
        "system_id": world.systems[0],
        "kind": "correction",
    }
    assert data["links"]["question"].endswith(f"/api/v1/questions/{question['id']}")
    assert data["links"]["system"].endswith(f"/api/v1/systems/{world.systems[0]}")
    assert "Hemmelig begrundelse" not in json.dumps(asked_event)

    answers = await events("question.answered")
    assert [(e["data"]["answer_id"], e["data"]["corrects"]) for e in answers] == [
        (first["id"], None),
        (second["id"], first["id"]),
    ]
    assert {e["data"]["question_id"] for e in answers} == {question["id"]}
    assert {e["data"]["system_id"] for e in answers} == {world.systems[0]}
    assert "Rettet svar" not in json.dumps(answers)
    # A subscription to question events gets each of them queued for delivery, in order.
    queued = (
        await WebhookDelivery.select(WebhookDelivery.event.type)
        .where(WebhookDelivery.subscription == uuid.UUID(subscription))
        .order_by(WebhookDelivery.id)
    )
    assert [row["event.type"] for row in queued] == [
        "question.asked",
        "question.answered",
        "question.answered",
    ]


async def test_refused_requests_write_no_events(world: World) -> None:
    question = await asked(world)
    before = await event_count()
    refused = [
        await ask(world, headers=admin(world)),  # 403
        await ask(world, system=world.systems[1]),  # 404
        await ask(world, {"kind": "correction", "text": "Forkert."}),  # 422
        await ask(world, {"text": ""}),  # 400
        await answer(world, question["id"], FIRST_ANSWER, headers=steward(world)),  # 403
        await answer(world, question["id"], FIRST_ANSWER, headers=admin(world, 1)),  # 404
        await answer(world, question["id"], {**FIRST_ANSWER, "corrects": UNKNOWN}),  # 422
    ]
    assert [r.status_code for r in refused] == [403, 404, 422, 400, 403, 404, 422]
    assert await event_count() == before


async def test_each_question_request_is_in_the_access_log(world: World) -> None:
    question = await asked(world)
    given = await answered(world, question["id"], FIRST_ANSWER)
    await world.client.get(f"{API}/questions/{question['id']}", headers=world.headers("auditor", 0))
    await world.client.get(f"{API}/systems/{world.systems[0]}/questions", headers=steward(world))
    await world.client.get(f"{API}/organizations/{world.orgs[0]}/questions", headers=admin(world))
    await answer(world, question["id"], FIRST_ANSWER, headers=steward(world))
    await get_question(world, question["id"], headers=steward(world, 1))
    entries = (await access_log())[-7:]
    assert [
        (
            e["action"],
            e["resource_type"],
            e["resource_id"],
            e["organization_id"],
            e["actor_role"],
            e["status"],
        )
        for e in entries
    ] == [
        ("ask", "question", question["id"], world.orgs[0], "steward", 201),
        ("answer", "answer", given["id"], world.orgs[0], "employer_admin", 201),
        ("read", "question", question["id"], world.orgs[0], "auditor", 200),
        ("list", "question", world.systems[0], world.orgs[0], "steward", 200),
        ("list", "question", None, world.orgs[0], "employer_admin", 200),
        ("answer", "answer", question["id"], world.orgs[0], "steward", 403),
        ("read", "question", question["id"], world.orgs[0], "steward", 404),
    ]
    assert [e["outcome"] for e in entries[-2:]] == ["denied", "not_found"]


async def test_answers_given_at_once_are_numbered_one_after_the_other(world: World) -> None:
    question = await asked(world)
    replies = await asyncio.gather(*(answer(world, question["id"], {"text": f"Svar {i}"}) for i in range(5)))
    assert [r.status_code for r in replies] == [201] * 5
    answers = (await get_question(world, question["id"])).json()["answers"]
    assert [a["number"] for a in answers] == [1, 2, 3, 4, 5]
    assert len(await events("question.answered")) == 5
