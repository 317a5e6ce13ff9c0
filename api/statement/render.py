"""The written account as HTML, Markdown or PDF.

HTML comes from a Jinja2 template with autoescaping on. Markdown comes from a template whose every
output is escaped for Markdown unless a filter already did it, so text from the register cannot start
a heading, a list, a link or raw HTML. The PDF is the HTML, laid out by WeasyPrint, which is not
allowed to fetch anything (the stylesheet is inline; nothing else is referenced)."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any, NoReturn

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from api.statement.view import Account

TEMPLATES = Path(__file__).parent / "templates"

FORMATS = ("html", "md", "pdf")
# Text is sent as UTF-8; Litestar adds "; charset=utf-8" to every text/* type itself.
MEDIA_TYPES = {"html": "text/html", "md": "text/markdown", "pdf": "application/pdf"}
EXTENSIONS = {"html": "html", "md": "md", "pdf": "pdf"}


# --- HTML ---------------------------------------------------------------------------------------------

_CSS_UNSAFE = re.compile(r"[^A-Za-z0-9 .,:;!?()\-\u00a0-\uffff]")


def css_string(value: Any) -> Markup:
    """A value as the inside of a CSS string in a <style> element: everything that could end the
    string, the rule or the element is written as a CSS hex escape."""
    text = _CSS_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", str(value))
    return Markup(text)  # noqa: S704 - every character that is not plainly text was escaped above


def _html_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


# --- Markdown -----------------------------------------------------------------------------------------


class MarkdownText(str):
    """Text already escaped for Markdown (or written by the templates themselves)."""

    __slots__ = ()


_MD_INLINE = re.compile(r"([\\`*_\[\]<>|#~&!])")
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([-+=>])|(\d+)([.)]))")
_WHITESPACE_RUN = re.compile(r"\s+")


def _md_inline(value: Any) -> str:
    """One line of text in which nothing is Markdown: emphasis, code, links, images, raw HTML, entity
    references and table pipes are escaped, and line breaks become spaces."""
    text = _WHITESPACE_RUN.sub(" ", str(value)).strip()
    return _MD_INLINE.sub(r"\\\1", text)


def _md_line_start(text: str) -> str:
    """Escape what would make a line a list item, a quote or a setext underline."""
    # A backslash escapes punctuation only: "1." becomes "1\.", not "\1.".
    return _MD_BLOCK_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        text,
        count=1,
    )


def md_cell(value: Any) -> MarkdownText:
    """Text inside a table cell or after a label on the same line: inline escaping is enough."""
    return MarkdownText(_md_inline(value))


def md_block(value: Any) -> MarkdownText:
    """Text that may span paragraphs: each paragraph kept, each line escaped as its own line."""
    paragraphs = re.split(r"\n\s*\n", str(value).strip())
    out = []
    for paragraph in paragraphs:
        lines = [_md_line_start(_md_inline(line)) for line in paragraph.splitlines() if line.strip()]
        out.append("\n".join(lines))
    return MarkdownText("\n\n".join(p for p in out if p))


def _md_finalize(value: Any) -> Any:
    """Every `{{ }}` not already escaped by a filter is escaped as a line of its own."""
    if isinstance(value, MarkdownText):
        return value
    return _md_line_start(_md_inline(value))


def _markdown_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=False,  # noqa: S701 - Markdown, not HTML: _md_finalize and the md_ filters escape it
        finalize=_md_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = md_cell
    env.filters["md_block"] = md_block
    return env


_html = _html_environment()
_markdown = _markdown_environment()


def render_html(account: Account) -> str:
    return _html.get_template("statement.html.j2").render(account=account)


def render_markdown(account: Account) -> str:
    return _markdown.get_template("statement.md.j2").render(account=account)


# --- PDF ----------------------------------------------------------------------------------------------

# WeasyPrint is not documented as safe to run in several threads at once; one PDF at a time, off the
# event loop, also keeps a burst of PDF requests from taking every CPU.
_pdf_lock = threading.Lock()
_pdf_limiter: anyio.CapacityLimiter | None = None


@functools.cache
def _no_fetching() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL (imported on first use: WeasyPrint is slow to
    import, and only PDF requests need it)."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> NoReturn:
            raise ValueError(f"the written account fetches nothing (asked for {url[:80]!r})")

    return NoFetching


def render_pdf(html: str) -> bytes:
    """The HTML laid out on A4 pages, as a tagged PDF. CPU-heavy and blocking: call it on a worker
    thread (render_pdf_off_loop)."""
    from weasyprint import HTML

    with _pdf_lock:
        pdf = HTML(string=html, url_fetcher=_no_fetching()()).write_pdf(pdf_tags=True)
    return bytes(pdf)


async def render_pdf_off_loop(html: str) -> bytes:
    global _pdf_limiter  # noqa: PLW0603 - made on first use, inside a running event loop
    if _pdf_limiter is None:
        _pdf_limiter = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(render_pdf, html, limiter=_pdf_limiter)


_TRANSLITERATED = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def filename_for(system_name: str, output: str) -> str:
    """`redegoerelse-<slug>.<ext>`: the system's name in lower-case ASCII letters, digits and dashes
    (Danish letters spelt out as Danes do without them), so the header needs no encoding."""
    ascii_name = (
        unicodedata.normalize("NFKD", system_name.translate(_TRANSLITERATED))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].rstrip("-") or "system"
    return f"redegoerelse-{slug}.{EXTENSIONS[output]}"


async def render(account: Account, output: str) -> bytes:
    """The account in one of FORMATS, as the bytes of the response body."""
    if output == "md":
        return render_markdown(account).encode()
    html = render_html(account)
    if output == "pdf":
        return await render_pdf_off_loop(html)
    return html.encode()


__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MEDIA_TYPES",
    "MarkdownText",
    "css_string",
    "filename_for",
    "md_block",
    "md_cell",
    "render",
    "render_html",
    "render_markdown",
    "render_pdf",
]
