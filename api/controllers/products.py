"""Product cards: the shared catalogue of AI products, kept by platform admins and read by everyone
who reads a register. A change of a card tells every organization using it (`product.changed`)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody

from api.controllers.systems import ChangeOperation, parse_if_match
from api.errors import problems
from api.guards import platform_admin
from api.schemas.products import ProductCard, ProductCardCreate, ProductCardUpdate
from registry import Actor
from registry.products import service as products


def card_response(
    card: dict[str, Any], *, status_code: int = 200, location: bool = False
) -> Response[ProductCard]:
    headers = {"ETag": f'"{card["version"]}"'}
    if location:
        headers["Location"] = f"/api/v1/products/{card['id']}"
    return Response(content=ProductCard.model_validate(card), status_code=status_code, headers=headers)


class ProductCardController(Controller):
    path = "/products"
    tags = ["Product cards"]

    @post(
        "/",
        operation_id="createProductCard",
        responses=problems(400, 403, 413),
        guards=[platform_admin],
        status_code=201,
        summary="Add a product card to the catalogue",
    )
    async def create_card(
        self, request: Request[Actor, str, Any], data: JSONBody[ProductCardCreate]
    ) -> Response[ProductCard]:
        card = await products.create_card(request.user, data)
        return card_response(card, status_code=201, location=True)

    @get(
        "/",
        operation_id="listProductCards",
        responses=problems(403),
        summary="The catalogue of product cards",
    )
    async def list_cards(self, request: Request[Actor, str, Any]) -> list[ProductCard]:
        return [ProductCard.model_validate(card) for card in await products.list_cards(request.user)]

    @get(
        "/{card_id:uuid}",
        operation_id="getProductCard",
        responses=problems(400, 403, 404),
        summary="One product card",
    )
    async def get_card(
        self, request: Request[Actor, str, Any], card_id: FromPath[UUID]
    ) -> Response[ProductCard]:
        return card_response(await products.get_card(request.user, str(card_id)))

    @patch(
        "/{card_id:uuid}",
        operation_id="updateProductCard",
        responses=problems(400, 403, 404, 412, 413, 428),
        guards=[platform_admin],
        summary="Change a product card (If-Match required); tells every organization using it",
        description=(
            "A change is a new version of the card. Every organization with a system filled in from the "
            "card gets the webhook event `product.changed` (its systems, the changed fields) and a finding "
            "`product.card_changed` on each such system, until the employer reviews the system and "
            "states the card's new version as `product_card_version`."
        ),
        operation_class=ChangeOperation,
    )
    async def update_card(
        self,
        request: Request[Actor, str, Any],
        card_id: FromPath[UUID],
        data: JSONBody[ProductCardUpdate],
        if_match: Annotated[str | None, HeaderParameter(name="If-Match")] = None,
    ) -> Response[ProductCard]:
        changes = data.model_dump(exclude_unset=True, mode="json")
        card = await products.update_card(
            request.user, str(card_id), changes, if_match=parse_if_match(if_match)
        )
        return card_response(card)


__all__ = ["ProductCardController"]
