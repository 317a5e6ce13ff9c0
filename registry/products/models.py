"""A product card: what the provider of an AI product says about it, once for every employer using
it. The employer's own system starts from it and is the employer's from then on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, HttpUrl

from registry.fields import LongText, Strict, Text
from registry.systems.models import AiAct


class ProviderRole(StrEnum):
    """The role under the AI Act of the company behind the card (Art. 3)."""

    provider = "provider"
    authorised_representative = "authorised_representative"
    importer = "importer"
    distributor = "distributor"


class ProductCardFields(Strict):
    vendor: Text
    product: Text
    product_version: Text | None = Field(
        default=None, description="The version of the product the card describes."
    )
    description: LongText | None = Field(default=None, description="The provider's description.")
    intended_purpose: LongText | None = Field(
        default=None, description="The intended purpose in the provider's instructions for use (Art. 3(12))."
    )
    provider_role: ProviderRole | None = None
    ai_act: AiAct | None = Field(
        default=None,
        description="The provider's classification: risk class, Annex III point or Annex I, its EU database "
        "reference (`provider_eu_db_ref`).",
    )
    processing_locations: list[Text] = Field(
        default_factory=list, max_length=50, description="Where the data is processed (countries)."
    )
    instructions_url: HttpUrl | None = Field(default=None, description="The instructions for use (Art. 13).")


__all__ = ["ProductCardFields", "ProviderRole"]
