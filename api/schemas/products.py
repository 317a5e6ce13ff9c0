"""Product cards: the shared catalogue of AI products."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import ConfigDict, create_model

from api.schemas.systems import _optional
from registry.fields import Strict
from registry.products.models import ProductCardFields


class ProductCard(ProductCardFields):
    """One product card as it is now; `version` counts its changes (its ETag)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    version: int
    created_at: datetime
    updated_at: datetime


class ProductCardCreate(ProductCardFields):
    pass


if TYPE_CHECKING:

    class ProductCardUpdate(Strict):
        pass

else:
    ProductCardUpdate = create_model(
        "ProductCardUpdate",
        __base__=Strict,
        __doc__="Fields to change. Named top-level fields are replaced as a whole; omitted ones stay.",
        **{name: _optional(field) for name, field in ProductCardFields.model_fields.items()},
    )

__all__ = ["ProductCard", "ProductCardCreate", "ProductCardUpdate"]
