"""HTTP API of the register (Litestar): app factory, authentication, guards, controllers, CLI."""

from api.app import create_app

__all__ = ["create_app"]
