"""The API's settings that depend on one another."""

from __future__ import annotations

import pytest

from api.settings import ApiSettings


def test_the_public_url_follows_the_port_unless_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIREG_PUBLIC_URL", raising=False)
    monkeypatch.delenv("AIREG_PORT", raising=False)
    assert ApiSettings().public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("AIREG_PORT", "8777")
    assert ApiSettings().public_url == "http://127.0.0.1:8777"
    monkeypatch.setenv("AIREG_PUBLIC_URL", "https://ai-register.example")
    assert ApiSettings().public_url == "https://ai-register.example"
