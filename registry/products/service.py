"""The catalogue of product cards: platform admins add and change cards; everyone who reads a register
reads the catalogue. A change of a card is a new version (the old ones are kept); every organization
with a system filled in from the card gets a `product.changed` event and, through the checks, a
finding to review its system, until the employer states that it reviewed the new version."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import ValidationError

from registry.access import Actor, Role
from registry.clock import iso, to_micros, utcnow
from registry.db import write_transaction
from registry.errors import (
    FieldProblem,
    Forbidden,
    InvalidFields,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    VersionMismatch,
    field_path,
)
from registry.events import Event, EventType, emit
from registry.products.models import ProductCardFields
from registry.products.tables import ProductCard, ProductCardRevision
from registry.systems.followers import follower
from registry.systems.tables import AISystem

MAX_CARDS = 10_000


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _require_platform_admin(actor: Actor) -> None:
    if actor.role is not Role.platform_admin:
        raise Forbidden("Only platform admins keep the catalogue of product cards.")


def _card_id(card_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(card_id)
    except ValueError as exc:
        raise NotFound("Product card not found.") from exc


def _validated(fields: dict[str, Any]) -> ProductCardFields:
    try:
        return ProductCardFields.model_validate(fields)
    except ValidationError as exc:
        problems = [FieldProblem(field_path(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
        raise InvalidFields("The product card is not valid.", problems=problems) from exc


def _absent(value: Any) -> bool:
    return value is None or value in ([], {}, "")


def _changed(previous: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """The top-level fields whose value differs (an empty value and none are the same)."""
    return [
        name
        for name in ProductCardFields.model_fields
        if previous.get(name) != document.get(name)
        and not (_absent(previous.get(name)) and _absent(document.get(name)))
    ]


def card_name(card: dict[str, Any]) -> str:
    """A card as people name it: vendor, product and its version."""
    return " ".join(
        str(part) for part in (card["vendor"], card["product"], card.get("product_version")) if part
    )


def card_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "version": row["version"],
        **json.loads(row["document"]),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
    }


async def create_card(actor: Actor, fields: ProductCardFields) -> dict[str, Any]:
    _require_platform_admin(actor)
    now = utcnow()
    card_id = uuid.uuid4()
    document = fields.model_dump(mode="json")
    async with write_transaction(ProductCard._meta.db):
        await ProductCard.insert(
            ProductCard(
                id=card_id,
                version=1,
                document=_dumps(document),
                vendor=fields.vendor,
                product=fields.product,
                created_at=now,
                created_by=actor.sub,
                updated_at=now,
                updated_by=actor.sub,
                sort_key=to_micros(now),
            )
        )
        await _record_revision(card_id, 1, document, list(document), actor.sub, now)
    return await get_card(actor, str(card_id))


async def _record_revision(
    card_id: uuid.UUID, version: int, document: dict[str, Any], changed: list[str], author: str, now: Any
) -> None:
    await ProductCardRevision.insert(
        ProductCardRevision(
            id=uuid.uuid4(),
            card=card_id,
            version=version,
            document=_dumps(document),
            changed_fields=_dumps(changed),
            created_at=now,
            created_by=author,
        )
    )


async def require_card(card_id: str, reviewed: int | None, previous: Any = None) -> None:
    """A system names a card of the catalogue and a version of it that exists, or its change is
    refused. `previous`: the (card id, version) the system named before: a new card needs its own
    version stated, so an old card's number cannot pass as a review of the new one."""
    try:
        key = uuid.UUID(card_id)
    except ValueError:
        key = None
    row = await ProductCard.select(ProductCard.version).where(ProductCard.id == key).first() if key else None
    if row is None:
        raise InvalidInput(
            "The product card is not in the catalogue.",
            problems=[FieldProblem("product_card_id", "is not a product card of the catalogue")],
        )
    if reviewed is not None and reviewed > row["version"]:
        raise InvalidInput(
            "The product card has no such version.",
            problems=[FieldProblem("product_card_version", f"the card has versions 1 to {row['version']}")],
        )
    if (
        previous is not None
        and previous[0]
        and previous[0] != card_id
        and reviewed is not None
        and reviewed == previous[1]
    ):
        raise InvalidInput(
            "State the version of the new product card the system was reviewed against.",
            problems=[FieldProblem("product_card_version", "is the version of the card named before")],
        )


async def get_card(actor: Actor, card_id: str) -> dict[str, Any]:
    """Every role reads the catalogue: it holds what providers say about products, no register data."""
    row = await ProductCard.select().where(ProductCard.id == _card_id(card_id)).first()
    if row is None:
        raise NotFound("Product card not found.")
    return card_view(row)


async def list_cards(actor: Actor) -> list[dict[str, Any]]:
    """Every card, by vendor and product (every role)."""
    rows = (
        await ProductCard.select().order_by(ProductCard.vendor).order_by(ProductCard.product).limit(MAX_CARDS)
    )
    return [card_view(row) for row in rows]


async def card_versions(card_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The current version, name and the changed fields of each version, of these cards (for the checks)."""
    keys = []
    for card_id in card_ids:
        try:
            keys.append(uuid.UUID(card_id))
        except ValueError:
            continue
    if not keys:
        return {}
    rows = await ProductCard.select(
        ProductCard.id, ProductCard.version, ProductCard.vendor, ProductCard.product
    ).where(ProductCard.id.is_in(keys))
    return {
        str(row["id"]): {"version": row["version"], "name": f"{row['vendor']} {row['product']}"}
        for row in rows
    }


async def update_card(
    actor: Actor, card_id: str, changes: dict[str, Any], *, if_match: list[int] | None
) -> dict[str, Any]:
    """Apply `changes` (top-level fields, each replaced whole) to the version read. Tells every
    organization with a system filled in from the card (event `product.changed`) and recomputes
    their findings in the same transaction."""
    _require_platform_admin(actor)
    if not if_match:
        raise PreconditionRequired("Send If-Match with the ETag of the version you edited.")
    key = _card_id(card_id)
    now = utcnow()
    async with write_transaction(ProductCard._meta.db):
        row = await ProductCard.select().where(ProductCard.id == key).first()
        if row is None:
            raise NotFound("Product card not found.")
        if row["version"] not in if_match:
            raise VersionMismatch(
                "The product card changed since you read it.", current_version=row["version"]
            )
        previous = json.loads(row["document"])
        document = _validated({**previous, **changes}).model_dump(mode="json")
        changed = _changed(previous, document)
        if not changed:
            return card_view(row)
        version = row["version"] + 1
        updated = (
            await ProductCard.update(
                {
                    ProductCard.version: version,
                    ProductCard.document: _dumps(document),
                    ProductCard.vendor: document["vendor"],
                    ProductCard.product: document["product"],
                    ProductCard.updated_at: now,
                    ProductCard.updated_by: actor.sub,
                }
            )
            .where((ProductCard.id == key) & (ProductCard.version == row["version"]))
            .returning(ProductCard.id)
        )
        if not updated:
            raise VersionMismatch("The product card changed since you read it.", current_version=None)
        await _record_revision(key, version, document, changed, actor.sub, now)
        users = await AISystem.select(AISystem.id, AISystem.organization).where(
            AISystem.product_card_id == str(key)
        )
        by_org: dict[str, list[str]] = {}
        for user in users:
            by_org.setdefault(str(user["organization"]), []).append(str(user["id"]))
        for org_id, system_ids in sorted(by_org.items()):
            await emit(
                Event(
                    type=EventType.product_changed,
                    organization_id=org_id,
                    data={
                        "product_card_id": str(key),
                        "version": version,
                        "changed_fields": changed,
                        "system_ids": sorted(system_ids),
                    },
                )
            )
            await follower().recheck(system_ids)
    return await get_card(actor, card_id)


__all__ = [
    "card_versions",
    "card_view",
    "create_card",
    "get_card",
    "list_cards",
    "require_card",
    "update_card",
]
