"""`airegistry openapi`: write the OpenAPI document of the app (it needs no database)."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from api.app import create_app
from api.cli.arguments import CommandError
from api.settings import ApiSettings


def openapi_document(settings: ApiSettings | None = None) -> str:
    with tempfile.TemporaryDirectory() as scratch:
        # The schema does not depend on keys; a scratch data dir keeps the real one untouched.
        app = create_app((settings or ApiSettings()).model_copy(update={"data_dir": Path(scratch)}))
        schema = app.openapi_schema.to_schema()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    document = openapi_document()
    try:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(document)
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output}")
    return 0
