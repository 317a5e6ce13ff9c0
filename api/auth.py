"""Bearer-token authentication. The only module that imports python-jose.

One algorithm per deployment, from settings, never from the token header. HS256 uses a random
256-bit key generated into the data dir (the embedded default, for `airegistry token issue`);
RS256/ES256 trust an external identity provider through a PEM public key or a JWKS file.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jose import jwt
from jose.exceptions import JOSEError
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from api.settings import ApiSettings, JwtAlgorithm
from registry import Actor, Role
from registry.access import ROLES_NEEDING_ORG
from registry.errors import ConfigurationError
from registry.keyfiles import create_key_file

REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "jti", "role")
UNAUTHORIZED = "A valid bearer token is required."


class InvalidToken(Exception):
    """The token is not acceptable. The reason is kept for logs and tests, never sent to clients."""


def _write_new_key(path: Path) -> None:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    create_key_file(path, (key + "\n").encode())  # False: another process created it first; use theirs


def hs256_key(settings: ApiSettings) -> str:
    """The embedded signing key, created on first use with owner-only permissions."""
    path = settings.hs256_key_file
    if not path.exists():
        _write_new_key(path)
    key = path.read_text().strip()
    if len(key) < 43:
        raise ConfigurationError(f"{path} holds fewer than 256 bits of key", setting="AIREG_DATA_DIR")
    return key


def _verification_key(settings: ApiSettings) -> Any:
    if settings.jwt_algorithm is JwtAlgorithm.HS256:
        if settings.jwt_public_key_file or settings.jwt_jwks_file:
            raise ConfigurationError(
                "HS256 uses the generated key; a public key or JWKS file needs RS256 or ES256",
                setting="AIREG_JWT_ALGORITHM",
            )
        return hs256_key(settings)
    if settings.jwt_jwks_file:
        jwks = json.loads(settings.jwt_jwks_file.read_text())
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
            raise ConfigurationError("the JWKS file has no keys", setting="AIREG_JWT_JWKS_FILE")
        for key in jwks["keys"]:
            if key.get("kty") == "oct":
                raise ConfigurationError(
                    "a JWKS for RS256/ES256 must not hold symmetric keys", setting="AIREG_JWT_JWKS_FILE"
                )
        return jwks
    if settings.jwt_public_key_file:
        return settings.jwt_public_key_file.read_text()
    raise ConfigurationError(
        f"{settings.jwt_algorithm} needs AIREG_JWT_PUBLIC_KEY_FILE or AIREG_JWT_JWKS_FILE",
        setting="AIREG_JWT_ALGORITHM",
    )


KEY_TYPE = {"RS256": "RSA", "ES256": "EC"}
"""The JWK key type (kty) each asymmetric algorithm verifies with."""


@dataclass(frozen=True)
class TokenVerifier:
    algorithm: str
    key: Any
    issuer: str
    audience: str
    max_bytes: int
    leeway: int
    # Tokens already verified, with the time each stops being valid. A client sends the same token on
    # every call; checking its signature and claims once per token instead of once per call is the
    # single largest saving on a read. Nothing is cached for a refused token.
    _verified: dict[str, tuple[Actor, float]] = field(default_factory=dict, compare=False, repr=False)
    cache_size: int = 10_000

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> TokenVerifier:
        return cls(
            algorithm=settings.jwt_algorithm.value,
            key=_verification_key(settings),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            max_bytes=settings.jwt_max_token_bytes,
            leeway=settings.jwt_leeway_seconds,
        )

    def verify(self, token: str) -> Actor:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        actor, valid_until = self._verify(token)
        if len(self._verified) >= self.cache_size:
            self._verified.pop(next(iter(self._verified)), None)
        self._verified[token] = (actor, valid_until)
        return actor

    def _key_for(self, header: dict[str, Any]) -> Any:
        """The key to check a token with. From a JWKS: the signing keys of the configured algorithm's
        type (RSA for RS256, EC for ES256), and of those the one the token names by `kid` when it names
        one. A provider's JWKS often lists keys of several types; python-jose stops at the first key it
        cannot use for the algorithm, so the others must be left out first."""
        if not isinstance(self.key, dict):
            return self.key
        kty = KEY_TYPE[self.algorithm]
        keys = [
            key
            for key in self.key["keys"]
            if key.get("kty") == kty
            and key.get("alg", self.algorithm) == self.algorithm
            and key.get("use", "sig") == "sig"
        ]
        if header.get("kid") is not None:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if not keys:
            raise InvalidToken("no key of the JWKS fits this token")
        return {"keys": keys}

    def _verify(self, token: str) -> tuple[Actor, float]:
        if len(token) > self.max_bytes:
            raise InvalidToken("token too long")
        if token.count(".") != 2:
            raise InvalidToken("not a signed JWT (JWE or garbage)")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != self.algorithm or "enc" in header or "crit" in header:
                raise InvalidToken("unexpected header")
            claims = jwt.decode(
                token,
                self._key_for(header),
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require_" + claim: True for claim in ("aud", "iat", "exp", "iss", "sub", "jti")}
                | {"leeway": self.leeway},
            )
        except InvalidToken:
            raise
        except JOSEError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        except Exception as exc:
            raise InvalidToken(f"unreadable token ({type(exc).__name__})") from exc
        return actor_from_claims(claims, leeway=self.leeway), float(claims["exp"]) + self.leeway


def actor_from_claims(claims: dict[str, Any], *, leeway: int = 0) -> Actor:
    for claim in REQUIRED_CLAIMS:
        if claims.get(claim) in (None, ""):
            raise InvalidToken(f"missing {claim}")
    _numeric_dates(claims)
    iat = claims["iat"]
    if iat > time.time() + leeway:
        raise InvalidToken("issued in the future")
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise InvalidToken("unknown role") from exc
    org = claims.get("org")
    if role in ROLES_NEEDING_ORG and not org:
        raise InvalidToken("role needs org")
    if role is Role.platform_admin and org:
        raise InvalidToken("platform admins have no org")
    if org is not None and not _is_uuid(org):
        raise InvalidToken("org is not an id")
    units = claims.get("units")
    if units is not None:
        if role is not Role.steward or not isinstance(units, list) or not all(_is_uuid(u) for u in units):
            raise InvalidToken("units must be a list of unit ids on a steward token")
        units = tuple(str(uuid.UUID(u)) for u in units)
    name = claims.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidToken("name must be text")
    sub = claims["sub"]
    if not isinstance(sub, str) or len(sub) > 200:
        raise InvalidToken("sub must be text of at most 200 characters")
    return Actor(sub=sub, role=role, org=str(uuid.UUID(org)) if org else None, units=units, name=name)


def _numeric_dates(claims: dict[str, Any]) -> None:
    """exp, iat and nbf are RFC 7519 NumericDates: JSON numbers, never "12" or true."""
    for claim in ("exp", "iat", "nbf"):
        value = claims.get(claim)
        if claim in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise InvalidToken(f"{claim} must be a number")


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class TokenIssuer:
    """Mints tokens against the embedded HS256 key (demo data, `airegistry token issue`)."""

    key: str
    issuer: str
    audience: str
    default_ttl: int

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> TokenIssuer:
        if settings.jwt_algorithm is not JwtAlgorithm.HS256:
            raise ConfigurationError(
                "tokens are issued by your identity provider when AIREG_JWT_ALGORITHM is not HS256",
                setting="AIREG_JWT_ALGORITHM",
            )
        return cls(
            key=hs256_key(settings),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            default_ttl=settings.jwt_default_ttl_seconds,
        )

    def issue(
        self,
        *,
        role: Role,
        sub: str,
        org: str | None = None,
        units: list[str] | None = None,
        name: str | None = None,
        ttl_seconds: int | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "iat": now,
            "exp": now + (ttl_seconds or self.default_ttl),
            "jti": str(uuid.uuid4()),
            "role": role.value,
        }
        if org:
            claims["org"] = org
        if units:
            claims["units"] = units
        if name:
            claims["name"] = name
        actor_from_claims(claims)  # refuse to mint a token the API would refuse
        return jwt.encode(claims, self.key, algorithm="HS256")


class JwtAuthMiddleware(AbstractAuthenticationMiddleware):
    """Turns `Authorization: Bearer <JWT>` into `request.user` (an Actor)."""

    verifier: TokenVerifier

    def __init__(self, app: Any, verifier: TokenVerifier, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.verifier = verifier

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        # Read from the raw scope: building the connection's Headers for one header costs more than
        # the (cached) check of the token on a register read.
        header = next(
            (
                value.decode("latin-1")
                for name, value in connection.scope["headers"]
                if name == b"authorization"
            ),
            "",
        )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException(UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
        try:
            actor = self.verifier.verify(token.strip())
        except InvalidToken as exc:
            raise NotAuthorizedException(
                UNAUTHORIZED, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from exc
        return AuthenticationResult(user=actor, auth=token)
