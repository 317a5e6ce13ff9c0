"""The verified-token cache never outlives a token, and never remembers a refusal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from api.auth import InvalidToken, TokenIssuer, TokenVerifier
from api.settings import ApiSettings
from registry import Role


@pytest.fixture
def pair(tmp_path: Path) -> tuple[TokenIssuer, TokenVerifier]:
    settings = ApiSettings(data_dir=tmp_path, jwt_leeway_seconds=0)
    return TokenIssuer.from_settings(settings), TokenVerifier.from_settings(settings)


def test_a_cached_token_is_refused_once_it_expires(pair) -> None:
    issuer, verifier = pair
    token = issuer.issue(role=Role.auditor, sub="revisor", ttl_seconds=1)
    assert verifier.verify(token).sub == "revisor"
    assert verifier.verify(token).sub == "revisor"  # served from the cache
    time.sleep(2.1)  # exp has whole seconds, and jose refuses only once now > exp
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_refused_token_stays_refused(pair) -> None:
    issuer, verifier = pair
    token = issuer.issue(role=Role.auditor, sub="revisor")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
    assert forged not in verifier._verified


def test_the_cache_is_bounded(tmp_path: Path) -> None:
    settings = ApiSettings(data_dir=tmp_path)
    issuer = TokenIssuer.from_settings(settings)
    verifier = TokenVerifier.from_settings(settings)
    object.__setattr__(verifier, "cache_size", 3)
    tokens = [issuer.issue(role=Role.auditor, sub=f"revisor-{i}") for i in range(5)]
    for token in tokens:
        verifier.verify(token)
    assert list(verifier._verified) == tokens[2:]
