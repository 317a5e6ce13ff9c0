"""`airegistry openapi`: write the OpenAPI document of the app (it needs no database)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from api.app import create_app
from api.cli.arguments import CommandError
from api.settings import ApiSettings


def openapi_document(settings: ApiSettings | None = None) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        # The schema does not depend on keys; a scratch data dir keeps the real one untouched.
        app = create_app((settings or ApiSettings()).model_copy(update={"data_dir": Path(scratch)}))
        schema = app.openapi_schema.to_schema()
    return json.dumps(_headers_sorted(schema), indent=2, ensure_ascii=False) + "\n"


def _headers_sorted(value: Any) -> Any:
    """Response headers by name: Litestar merges a route's and its router's headers in no fixed order,
    and the committed document should change only when the API does."""
    if isinstance(value, dict):
        return {
            key: dict(sorted(_headers_sorted(item).items()))
            if key == "headers" and isinstance(item, dict)
            else _headers_sorted(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_headers_sorted(item) for item in value]
    return value


def run(args: argparse.Namespace) -> int:
    document = openapi_document()
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(document)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output}")
    return 0
