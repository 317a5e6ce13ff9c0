"""The product cards: one row per card, its current version's document; every version is kept in
product_card_revision, so an employer can see what changed since the version they reviewed."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class ProductCard(Table, tablename="product_card"):
    id = UUID(primary_key=True)
    version = Integer()
    document = Text()  # the card's fields as JSON
    vendor = Varchar(length=200, index=True)
    product = Varchar(length=200)
    created_at = Timestamptz()
    created_by = Varchar(length=200)
    updated_at = Timestamptz()
    updated_by = Varchar(length=200)
    sort_key = BigInt(index=True)  # vendor and product order is by name; this keeps ties stable


class ProductCardRevision(Table, tablename="product_card_revision"):
    id = UUID(primary_key=True)
    card = ForeignKey(references=ProductCard, null=False, index=True)
    version = Integer()
    document = Text()
    changed_fields = Text()  # JSON list of the top-level fields that changed from the version before
    created_at = Timestamptz()
    created_by = Varchar(length=200)


__all__ = ["ProductCard", "ProductCardRevision"]
