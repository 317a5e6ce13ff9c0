"""Writing a benchmark's figures into docs/benchmarks.md: each script owns one marked block and
rewrites only that; everything outside the blocks is kept."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


def write_block(name: str, script: str, heading: str, intro: str, block: str, path: Path = DOCS) -> None:
    begin = f"<!-- {name}:begin (written by {script}) -->"
    end = f"<!-- {name}:end -->"
    generated = f"{begin}\n{block.strip()}\n{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + generated + rest.split(end, 1)[1]
    else:
        text = (
            f"{text.rstrip()}\n\n## {heading}\n\n{intro.strip()}\n\n"
            f"The block below is rewritten by each run of `{script}`; text outside it is kept.\n\n"
            f"{generated}\n"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
