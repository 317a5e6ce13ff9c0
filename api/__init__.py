"""HTTP API of the register (Litestar): app factory (`api.app.create_app`), authentication, guards,
controllers, web pages, CLI.

Imports nothing: `airegistry --help` loads this package without the app."""
