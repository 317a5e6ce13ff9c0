"""`python -m api.i18n check|update`: check the catalogues, or write them in one form (adding what one
language lacks from the other, marked fuzzy for a translator)."""

from __future__ import annotations

import argparse
import sys

from api.i18n.catalogues import LANGUAGES, po_path, problems, update


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.i18n", description=__doc__)
    parser.add_argument("command", choices=("check", "update"))
    args = parser.parse_args(argv)
    if args.command == "update":
        added = update()
        for lang in LANGUAGES:
            print(f"{po_path(lang)}: {added[lang]} key(s) added for translation (marked fuzzy)")
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    if not found:
        print(f"the catalogues of {', '.join(LANGUAGES)} hold every key, translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
