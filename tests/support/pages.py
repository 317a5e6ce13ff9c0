"""Helpers for tests of the web pages over HTTP: a logged-in browser (an httpx client with its own
cookies), reading forms and text from a page, and registering systems through the API."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from registry import Actor, Role
from registry.sessions.service import issue_login_link
from tests.support.world import API, World, system_body

OpenBrowser = Callable[..., Awaitable[httpx.AsyncClient]]


# --- helpers ------------------------------------------------------------------------------------------


def form_value(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} field on the page"
    return htmllib.unescape(match.group(1))


def visible_text(page: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def element(page: str, pattern: str) -> str:
    """The first element whose opening tag matches `pattern`, up to the end of the page."""
    match = re.search(pattern, page)
    assert match, pattern
    return page[match.start() :]


def section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}"')
    return page[start : page.index("</section>", start)]


def table_rows(page: str) -> list[str]:
    """The system ids of the rows of table#register, in order."""
    table = page[page.index('<table id="register"') : page.index("</table>")]
    return re.findall(r'<tr data-system-id="([^"]+)"', table)


def badges(page: str, system_id: str) -> dict[str, str]:
    """data-badge -> label of one row of the register."""
    row = element(page, rf'<tr data-system-id="{system_id}"')
    row = row[: row.index("</tr>")]
    return {
        kind: htmllib.unescape(label)
        for kind, label in re.findall(r'data-badge="([^"]+)"[^>]*>([^<]*)</span>', row)
    }


async def log_in(client: httpx.AsyncClient, actor: Actor) -> None:
    token = await issue_login_link(actor, ttl_seconds=600)
    r = await client.get(f"/login/{token}")
    assert r.status_code == 200, r.text
    r = await client.post("/login", data={"token": token, "csrf": form_value(r.text, "csrf")})
    assert r.status_code == 303, r.text


@pytest.fixture
async def browser(app: Any) -> AsyncIterator[OpenBrowser]:
    """Opens a new browser (its own cookies), logged in as `actor` when one is given."""
    opened: list[httpx.AsyncClient] = []

    async def open_browser(actor: Actor | None = None, *, base_url: str = "http://register.test") -> Any:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        opened.append(client)
        if actor is not None:
            await log_in(client, actor)
        return client

    yield open_browser
    for client in opened:
        await client.aclose()


def steward(world: World, org_index: int = 0, **kwargs: Any) -> Actor:
    return Actor(
        sub=kwargs.pop("sub", f"tr-{org_index}"), role=Role.steward, org=world.orgs[org_index], **kwargs
    )


def employer(world: World, org_index: int = 0) -> Actor:
    return Actor(sub=f"hr-{org_index}", role=Role.employer_admin, org=world.orgs[org_index])


async def register(world: World, org_index: int = 0, **fields: Any) -> str:
    r = await world.client.post(
        f"{API}/organizations/{world.orgs[org_index]}/systems",
        json=system_body(**fields),
        headers=world.headers("employer_admin", org_index),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def change(world: World, system_id: str, org_index: int = 0, **fields: Any) -> None:
    admin = world.headers("employer_admin", org_index)
    current = await world.client.get(f"{API}/systems/{system_id}", headers=admin)
    r = await world.client.patch(
        f"{API}/systems/{system_id}", json=fields, headers={**admin, "If-Match": current.headers["etag"]}
    )
    assert r.status_code == 200, r.text
