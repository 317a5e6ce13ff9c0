"""Settings of the HTTP API and its authentication. Read only at composition roots (app, CLI)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from registry.paths import default_data_dir


class JwtAlgorithm(StrEnum):
    HS256 = "HS256"
    RS256 = "RS256"
    ES256 = "ES256"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AIREG_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    host: str = Field(default="127.0.0.1", description="Address `airegistry serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `airegistry serve` binds.")
    public_url: str = Field(
        default="",
        description="Where users reach the API (printed links, mail). Unset: http://127.0.0.1 on AIREG_PORT.",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Larger request bodies get 413.")
    request_header_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=600,
        description="`airegistry serve` closes a connection whose request headers take longer to arrive.",
    )
    request_body_timeout_seconds: float = Field(
        default=60,
        gt=0,
        le=3600,
        description="...and one whose request body takes longer than this after its headers.",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated IPs or CIDR networks of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto `airegistry serve` believes (uvicorn's forwarded_allow_ips; `*` trusts every "
        "peer). Empty: no proxy is trusted and the access log records the direct peer.",
    )

    jwt_algorithm: JwtAlgorithm = Field(
        default=JwtAlgorithm.HS256,
        description="HS256: tokens signed with the key generated into the data dir (embedded default). "
        "RS256/ES256: tokens from an external identity provider, checked with a public key or JWKS file.",
    )
    jwt_issuer: str = Field(default="airegistry", description="Required `iss` claim.")
    jwt_audience: str = Field(default="airegistry-api", description="Required `aud` claim.")
    jwt_public_key_file: Path | None = Field(default=None, description="PEM public key (RS256/ES256).")
    jwt_jwks_file: Path | None = Field(default=None, description="JWKS file (RS256/ES256).")
    jwt_max_token_bytes: int = Field(default=8192, ge=512, description="Longer tokens are refused.")
    jwt_leeway_seconds: int = Field(
        default=30, ge=0, le=300, description="Clock skew allowed on exp/iat/nbf."
    )
    jwt_default_ttl_seconds: int = Field(
        default=8 * 3600, ge=60, description="Lifetime of tokens minted by `airegistry token issue`."
    )

    @model_validator(mode="after")
    def _public_url_follows_the_port(self) -> ApiSettings:
        if not self.public_url:
            self.public_url = f"http://127.0.0.1:{self.port}"
        return self

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _addresses_or_networks(cls, value: str) -> str:
        # uvicorn silently treats an entry it cannot parse as a literal that never matches a peer's
        # address: a typo would trust nobody without a word. Refuse it here instead.
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if entries == ["*"]:
            return "*"
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=True)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or CIDR network (or a lone *)") from None
        return ",".join(entries)

    @property
    def hs256_key_file(self) -> Path:
        return self.data_dir / "jwt-hs256.key"
