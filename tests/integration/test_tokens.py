"""Bearer tokens: everything but a well-formed, correctly signed, current token with the required claims
is refused with the same 401, and nothing of the verifier's reasons reaches the client.

Tokens are built here with python-jose directly (not with TokenIssuer, which refuses to mint bad ones)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwe, jwk, jwt

from api.app import create_app
from api.auth import InvalidToken, TokenVerifier, hs256_key
from api.settings import ApiSettings
from registry import Role
from registry.errors import ConfigurationError
from tests.support.world import API

GENERIC_DETAIL = "A valid bearer token is required."
# Words from python-jose's error messages (and the verifier's internal reasons) that must never be echoed.
VERIFIER_WORDS = (
    "signature",
    "expired",
    "audience",
    "issuer",
    "claim",
    "algorithm",
    "jose",
    "jws",
    "jwe",
    "header",
    "segments",
    "padding",
    "not yet valid",
    "missing",
    "role",
    "too long",
)
SOME_UUID = "6f1c1c9e-8d7f-4b0e-9a53-0c5a2f0f5d11"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value).encode())


def hmac_token(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """A JWS built by hand: python-jose refuses some of the keys an attacker would use."""
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def rsa_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def ec_private_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(private_pem: str) -> str:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@dataclass(frozen=True)
class Forge:
    """Builds tokens for the deployment under test (HS256 with the generated key)."""

    key: str
    issuer: str
    audience: str

    def claims(self, *, drop: str | None = None, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": "token-tester",
            "iat": now,
            "exp": now + 600,
            "jti": str(uuid.uuid4()),
            "role": "auditor",  # an auditor without an organization: valid with the fewest claims
        }
        claims.update(changes)
        if drop:
            del claims[drop]
        return claims

    def sign(
        self,
        claims: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        algorithm: str = "HS256",
        headers: dict[str, Any] | None = None,
    ) -> str:
        return jwt.encode(claims or self.claims(), key or self.key, algorithm=algorithm, headers=headers)

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def forge(settings: ApiSettings) -> Forge:
    return Forge(key=hs256_key(settings), issuer=settings.jwt_issuer, audience=settings.jwt_audience)


def in_(seconds: int) -> int:
    return int(time.time()) + seconds


def alg_none(forge: Forge, alg: str) -> dict[str, str]:
    return forge.auth(f"{b64json({'alg': alg, 'typ': 'JWT'})}.{b64json(forge.claims())}.")


def resigned(
    token: str, *, header: dict[str, Any] | None = None, claims: dict[str, Any] | None = None
) -> str:
    """The token with its header or claims replaced and the original signature kept."""
    old_header, old_claims, signature = token.split(".")
    return ".".join(
        (b64json(header) if header else old_header, b64json(claims) if claims else old_claims, signature)
    )


def oversized(forge: Forge) -> dict[str, str]:
    token = forge.sign(forge.claims(name="x" * 8200))
    assert len(token) > 8192
    return forge.auth(token)


def real_jwe(forge: Forge) -> dict[str, str]:
    token = jwe.encrypt(
        json.dumps(forge.claims()), secrets.token_bytes(32), algorithm="dir", encryption="A256GCM"
    ).decode()
    assert token.count(".") == 4
    return forge.auth(token)


Case = Callable[[Forge], dict[str, str]]

REFUSED: dict[str, Case] = {
    "no Authorization header": lambda f: {},
    "empty Authorization header": lambda f: {"Authorization": ""},
    "Bearer without a token": lambda f: {"Authorization": "Bearer "},
    "Basic scheme": lambda f: {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()},
    "valid token under the Basic scheme": lambda f: {"Authorization": "Basic " + f.sign()},
    "valid token without a scheme": lambda f: {"Authorization": f.sign()},
    "alg none": lambda f: alg_none(f, "none"),
    "alg None": lambda f: alg_none(f, "None"),
    "alg none with the real signature kept": lambda f: f.auth(resigned(f.sign(), header={"alg": "none"})),
    "HS256 signed with another key": lambda f: f.auth(f.sign(key=secrets.token_urlsafe(32))),
    "HS512 signed with the right key": lambda f: f.auth(f.sign(algorithm="HS512")),
    "RS256 signed with a fresh RSA key": lambda f: f.auth(f.sign(key=rsa_private_pem(), algorithm="RS256")),
    "ES256 signed with a fresh EC key": lambda f: f.auth(f.sign(key=ec_private_pem(), algorithm="ES256")),
    "tampered payload": lambda f: f.auth(resigned(f.sign(), claims=f.claims(role="platform_admin"))),
    "crit header": lambda f: f.auth(f.sign(headers={"crit": ["exp"]})),
    "expired": lambda f: f.auth(f.sign(f.claims(iat=in_(-7200), exp=in_(-3600)))),
    "expired just beyond the leeway": lambda f: f.auth(f.sign(f.claims(exp=in_(-60)))),
    "not yet valid (nbf)": lambda f: f.auth(f.sign(f.claims(nbf=in_(3600)))),
    "issued in the future beyond the leeway": lambda f: f.auth(f.sign(f.claims(iat=in_(3600)))),
    "wrong audience": lambda f: f.auth(f.sign(f.claims(aud="another-api"))),
    "wrong issuer": lambda f: f.auth(f.sign(f.claims(iss="https://evil.example"))),
    **{
        f"missing {claim}": (lambda f, claim=claim: f.auth(f.sign(f.claims(drop=claim))))
        for claim in ("iss", "aud", "sub", "exp", "iat", "jti", "role")
    },
    "empty sub": lambda f: f.auth(f.sign(f.claims(sub=""))),
    "sub that is not text": lambda f: f.auth(f.sign(f.claims(sub=42))),
    "sub longer than 200 characters": lambda f: f.auth(f.sign(f.claims(sub="s" * 201))),
    "name that is not text": lambda f: f.auth(f.sign(f.claims(name=["Ada"]))),
    "unknown role": lambda f: f.auth(f.sign(f.claims(role="superuser"))),
    "role in another case": lambda f: f.auth(f.sign(f.claims(role="Auditor"))),
    "employer_admin without org": lambda f: f.auth(f.sign(f.claims(role="employer_admin"))),
    "steward without org": lambda f: f.auth(f.sign(f.claims(role="steward"))),
    "platform_admin with an org": lambda f: f.auth(f.sign(f.claims(role="platform_admin", org=SOME_UUID))),
    "org that is not a UUID": lambda f: f.auth(f.sign(f.claims(role="employer_admin", org="acme"))),
    "org that is a number": lambda f: f.auth(f.sign(f.claims(role="auditor", org=7))),
    "units on an employer_admin": lambda f: f.auth(
        f.sign(f.claims(role="employer_admin", org=SOME_UUID, units=[SOME_UUID]))
    ),
    "units on an auditor": lambda f: f.auth(f.sign(f.claims(units=[SOME_UUID]))),
    "units that are not UUIDs": lambda f: f.auth(
        f.sign(f.claims(role="steward", org=SOME_UUID, units=["kitchen"]))
    ),
    "units that are not a list": lambda f: f.auth(
        f.sign(f.claims(role="steward", org=SOME_UUID, units=SOME_UUID))
    ),
    "oversized token": oversized,
    "garbage word": lambda f: f.auth("garbage"),
    "three garbage parts": lambda f: f.auth("a.b.c"),
    "three empty parts": lambda f: f.auth(".."),
    "header that is not JSON": lambda f: f.auth(f"{b64url(b'not json')}.{b64json(f.claims())}.sig"),
    "header that is a JSON list": lambda f: f.auth(f"{b64json(['HS256'])}.{b64json(f.claims())}.sig"),
    "payload that is a JSON list": lambda f: f.auth(
        hmac_token({"alg": "HS256", "typ": "JWT"}, ["not", "claims"], f.key.encode())  # type: ignore[arg-type]
    ),
    "five-part JWE-shaped token": lambda f: f.auth(f.sign() + ".e30.e30"),
    "five garbage parts": lambda f: f.auth("a.b.c.d.e"),
    "real JWE": real_jwe,
    # Claims with the wrong JSON type, in a correctly signed token: still 401, not a server error.
    "exp that is null": lambda f: f.auth(f.sign(f.claims(exp=None))),
    "exp that is a list": lambda f: f.auth(f.sign(f.claims(exp=[in_(600)]))),
    "iat that is null": lambda f: f.auth(f.sign(f.claims(iat=None))),
    "iat that is a string": lambda f: f.auth(f.sign(f.claims(iat="yesterday"))),
    "nbf that is an object": lambda f: f.auth(f.sign(f.claims(nbf={}))),
    "exp that is a number written as text": lambda f: f.auth(f.sign(f.claims(exp=str(in_(600))))),
    "iat that is a number written as text": lambda f: f.auth(f.sign(f.claims(iat=str(in_(-10))))),
    "nbf that is true": lambda f: f.auth(f.sign(f.claims(nbf=True))),
    "iat that is true": lambda f: f.auth(f.sign(f.claims(iat=True))),
}

ACCEPTED: dict[str, Case] = {
    "valid token": lambda f: f.auth(f.sign()),
    "lower-case scheme": lambda f: {"Authorization": "bearer " + f.sign()},
    "expired within the leeway": lambda f: f.auth(f.sign(f.claims(exp=in_(-10)))),
    "issued slightly in the future, within the leeway": lambda f: f.auth(f.sign(f.claims(iat=in_(10)))),
    "nbf in the past": lambda f: f.auth(f.sign(f.claims(nbf=in_(-60)))),
    "audience in a list": lambda f: f.auth(f.sign(f.claims(aud=["other", f.audience]))),
}


@pytest.mark.parametrize("case", list(ACCEPTED), ids=list(ACCEPTED))
async def test_accepted(client: httpx.AsyncClient, forge: Forge, case: str) -> None:
    r = await client.get(f"{API}/organizations", headers=ACCEPTED[case](forge))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
async def test_refused(client: httpx.AsyncClient, forge: Forge, case: str) -> None:
    r = await client.get(f"{API}/organizations", headers=REFUSED[case](forge))

    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"].startswith("Bearer")
    body = r.json()
    assert body == {"status": 401, "title": "Unauthorized", "detail": GENERIC_DETAIL}
    for word in VERIFIER_WORDS:
        assert word not in r.text.lower()


async def test_the_refusal_is_the_same_with_and_without_a_token(
    client: httpx.AsyncClient, forge: Forge
) -> None:
    without = await client.get(f"{API}/organizations")
    expired = await client.get(f"{API}/organizations", headers=REFUSED["expired"](forge))
    assert without.json() == expired.json()


async def test_health_needs_no_token(client: httpx.AsyncClient) -> None:
    r = await client.get(f"{API}/health")
    assert r.status_code == 200


# --- external identity provider: verifier level ----------------------------------------------------


def new_private_pem(algorithm: str) -> str:
    return rsa_private_pem() if algorithm == "RS256" else ec_private_pem()


@dataclass(frozen=True)
class Provider:
    algorithm: str
    private_pem: str

    @property
    def public_pem(self) -> str:
        return public_pem(self.private_pem)


PROVIDERS = [Provider("RS256", rsa_private_pem()), Provider("ES256", ec_private_pem())]


def claims(**changes: Any) -> dict[str, Any]:
    settings = ApiSettings()
    return Forge(key="", issuer=settings.jwt_issuer, audience=settings.jwt_audience).claims(**changes)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def verifier_for(
    tmp_path: Path, algorithm: str, *, public_key: str | None = None, jwks: dict[str, Any] | None = None
) -> TokenVerifier:
    return TokenVerifier.from_settings(
        ApiSettings(
            data_dir=tmp_path,
            jwt_algorithm=algorithm,
            jwt_public_key_file=write(tmp_path / "idp.pem", public_key) if public_key else None,
            jwt_jwks_file=write(tmp_path / "jwks.json", json.dumps(jwks)) if jwks else None,
        )
    )


def jwks_of(*providers: Provider) -> dict[str, Any]:
    keys = []
    for index, provider in enumerate(providers):
        key = jwk.construct(provider.public_pem, provider.algorithm).to_dict()
        keys.append({**key, "kid": f"key-{index}"})
    return {"keys": keys}


def confused(provider: Provider) -> str:
    """The algorithm-confusion attack: HS256, keyed with the provider's public key text."""
    return hmac_token({"alg": "HS256", "typ": "JWT"}, claims(), provider.public_pem.encode())


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.algorithm for p in PROVIDERS])
def test_a_public_key_file_accepts_the_providers_tokens(tmp_path: Path, provider: Provider) -> None:
    verifier = verifier_for(tmp_path, provider.algorithm, public_key=provider.public_pem)
    token = jwt.encode(
        claims(role="steward", org=SOME_UUID, units=[SOME_UUID], name="Ada"),
        provider.private_pem,
        algorithm=provider.algorithm,
    )
    actor = verifier.verify(token)
    assert actor.role is Role.steward
    assert actor.org == SOME_UUID
    assert actor.units == (SOME_UUID,)
    assert actor.name == "Ada"


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.algorithm for p in PROVIDERS])
def test_a_public_key_file_refuses_hs256_keyed_with_the_public_key(
    tmp_path: Path, provider: Provider
) -> None:
    verifier = verifier_for(tmp_path, provider.algorithm, public_key=provider.public_pem)
    with pytest.raises(InvalidToken):
        verifier.verify(confused(provider))


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.algorithm for p in PROVIDERS])
def test_a_public_key_file_refuses_tokens_of_another_key_or_algorithm(
    tmp_path: Path, provider: Provider
) -> None:
    verifier = verifier_for(tmp_path, provider.algorithm, public_key=provider.public_pem)
    stranger = Provider(provider.algorithm, new_private_pem(provider.algorithm))
    other_algorithm = next(p for p in PROVIDERS if p.algorithm != provider.algorithm)
    for token in (
        jwt.encode(claims(), stranger.private_pem, algorithm=provider.algorithm),
        jwt.encode(claims(), other_algorithm.private_pem, algorithm=other_algorithm.algorithm),
        jwt.encode(claims(exp=in_(-3600)), provider.private_pem, algorithm=provider.algorithm),
        jwt.encode(claims(aud="elsewhere"), provider.private_pem, algorithm=provider.algorithm),
    ):
        with pytest.raises(InvalidToken):
            verifier.verify(token)


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.algorithm for p in PROVIDERS])
def test_a_jwks_file_accepts_tokens_of_any_of_its_keys(tmp_path: Path, provider: Provider) -> None:
    rotated = Provider(provider.algorithm, new_private_pem(provider.algorithm))
    verifier = verifier_for(tmp_path, provider.algorithm, jwks=jwks_of(provider, rotated))
    for index, signer in enumerate((provider, rotated)):
        token = jwt.encode(
            claims(sub=f"user-{index}"),
            signer.private_pem,
            algorithm=signer.algorithm,
            headers={"kid": f"key-{index}"},
        )
        assert verifier.verify(token).sub == f"user-{index}"


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.algorithm for p in PROVIDERS])
def test_a_jwks_with_keys_of_another_type_listed_first_still_accepts_the_providers_tokens(
    tmp_path: Path, provider: Provider
) -> None:
    """Identity providers publish RSA and EC keys side by side; the key is chosen by type and kid."""
    other = next(p for p in PROVIDERS if p.algorithm != provider.algorithm)
    foreign = Provider(other.algorithm, new_private_pem(other.algorithm))
    keys = jwks_of(foreign, provider)  # key-0 of the other type first, then the provider's key-1
    verifier = verifier_for(tmp_path, provider.algorithm, jwks=keys)
    for headers in ({"kid": "key-1"}, {}):
        token = jwt.encode(
            claims(sub=f"idp-user-{len(headers)}"),
            provider.private_pem,
            algorithm=provider.algorithm,
            headers=headers,
        )
        assert verifier.verify(token).sub == f"idp-user-{len(headers)}"
    wrong_kid = jwt.encode(
        claims(), provider.private_pem, algorithm=provider.algorithm, headers={"kid": "key-0"}
    )
    with pytest.raises(InvalidToken):
        verifier.verify(wrong_kid)


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.algorithm for p in PROVIDERS])
def test_a_jwks_file_refuses_confusion_and_strangers(tmp_path: Path, provider: Provider) -> None:
    verifier = verifier_for(tmp_path, provider.algorithm, jwks=jwks_of(provider))
    stranger = Provider(provider.algorithm, new_private_pem(provider.algorithm))
    key_text = json.dumps(jwks_of(provider)["keys"][0]).encode()
    for token in (
        confused(provider),
        hmac_token({"alg": "HS256", "kid": "key-0"}, claims(), key_text),
        jwt.encode(claims(), stranger.private_pem, algorithm=provider.algorithm, headers={"kid": "key-0"}),
    ):
        with pytest.raises(InvalidToken):
            verifier.verify(token)


def test_hs256_with_a_public_key_file_is_a_configuration_error(tmp_path: Path) -> None:
    settings = ApiSettings(
        data_dir=tmp_path, jwt_public_key_file=write(tmp_path / "idp.pem", PROVIDERS[0].public_pem)
    )
    with pytest.raises(ConfigurationError):
        TokenVerifier.from_settings(settings)
    with pytest.raises(ConfigurationError):
        create_app(settings)


def test_hs256_with_a_jwks_file_is_a_configuration_error(tmp_path: Path) -> None:
    settings = ApiSettings(
        data_dir=tmp_path, jwt_jwks_file=write(tmp_path / "jwks.json", json.dumps(jwks_of(PROVIDERS[0])))
    )
    with pytest.raises(ConfigurationError):
        TokenVerifier.from_settings(settings)


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_an_external_algorithm_without_a_key_is_a_configuration_error(tmp_path: Path, algorithm: str) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier.from_settings(ApiSettings(data_dir=tmp_path, jwt_algorithm=algorithm))


@pytest.mark.parametrize(
    "jwks",
    [{"keys": []}, {"no": "keys"}, {"keys": [{"kty": "oct", "k": b64url(b"s" * 32)}]}],
    ids=["empty", "no keys member", "symmetric key"],
)
def test_an_unusable_jwks_is_a_configuration_error(tmp_path: Path, jwks: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        verifier_for(tmp_path, "RS256", jwks=jwks)
