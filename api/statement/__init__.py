"""The written account (skriftlig redegørelse) of an AI system, in Danish or English, as HTML,
Markdown or PDF. The facts come from registry.services.statement; this package only puts them in words
and lays them out."""

from api.statement.render import FORMATS, MEDIA_TYPES, filename_for, render, render_html, render_markdown
from api.statement.view import Account, build_account

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "Account",
    "build_account",
    "filename_for",
    "render",
    "render_html",
    "render_markdown",
]
