"""The gettext catalogues of the texts users read, one per language (locale/<lang>/LC_MESSAGES/
messages.po), compiled when first used.

msgids are keys ("nav.register", "finding.notice_late.went_live"); a plural text has the msgid_plural
`<key>.plural`. Both catalogues hold every key: `problems()` lists what is missing, fuzzy, empty or has
other placeholders in one language than in the other, and a unit test fails on any of it. `update()`
writes both files in one form, adding a key that only one language has to the other, marked fuzzy
with the text to translate (`python -m api.i18n update`)."""

from __future__ import annotations

import functools
import io
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
# English is written as in Britain (and Denmark): "2 December 2027", "14:30".
BABEL_LOCALES = {"da": "da", "en": "en_GB"}
PO_WIDTH = 110


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


def _key(message: Message) -> str:
    return str(message.id[0] if isinstance(message.id, tuple | list) else message.id)


def _texts(message: Message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return [str(s or "") for s in strings]


@dataclass(frozen=True)
class Compiled:
    translations: Translations
    keys: frozenset[str]
    plural_keys: frozenset[str]


@functools.cache
def compiled(lang: str) -> Compiled:
    """The language's catalogue as gettext translations (fuzzy and empty entries left out, as msgfmt
    does), and the keys it holds."""
    catalogue = read_catalogue(lang)
    usable = [m for m in catalogue if m.id and not m.fuzzy and all(_texts(m))]
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Compiled(
        translations=Translations(buffer, domain=DOMAIN),
        keys=frozenset(_key(m) for m in usable),
        plural_keys=frozenset(_key(m) for m in usable if m.pluralizable),
    )


def texts(lang: str) -> dict[str, str]:
    """Every key of a language and its text (a plural text: its plural form), for tests and tools."""
    return {_key(m): _texts(m)[-1] for m in read_catalogue(lang) if m.id}


_FIELDS = string.Formatter()


def placeholders(text: str) -> set[str]:
    """The fields of a str.format text, with their formats ("day:date")."""
    found = set()
    for _, name, spec, _ in _FIELDS.parse(text):
        if name is not None:
            found.add(f"{name}:{spec}" if spec else name)
    return found


def problems() -> list[str]:
    """Every way the catalogues fall short: a key missing from a language, a fuzzy or empty text, a
    text whose placeholders differ between the languages, a plural in one language only."""
    catalogues = {lang: {_key(m): m for m in read_catalogue(lang) if m.id} for lang in LANGUAGES}
    found = []
    every = set().union(*(set(c) for c in catalogues.values()))
    for key in sorted(every):
        entries = {lang: c.get(key) for lang, c in catalogues.items()}
        for lang, message in entries.items():
            if message is None:
                found.append(f"{lang}: {key} is missing")
            elif message.fuzzy:
                found.append(f"{lang}: {key} is fuzzy")
            elif not all(_texts(message)):
                found.append(f"{lang}: {key} has no text")
        present = [m for m in entries.values() if m is not None]
        if len({m.pluralizable for m in present}) > 1:
            found.append(f"{key} is a plural in one language only")
        fields = {
            lang: set().union(*(placeholders(t) for t in _texts(m))) for lang, m in entries.items() if m
        }
        if len({frozenset(f) for f in fields.values()}) > 1:
            found.append(f"{key} has other placeholders per language: {fields}")
    return found


def update() -> dict[str, int]:
    """Write both catalogues in one form (the order of the Danish one), adding what one language
    lacks from the other, marked fuzzy. Returns how many keys each language got."""
    catalogues = {lang: read_catalogue(lang) for lang in LANGUAGES}
    added = dict.fromkeys(LANGUAGES, 0)
    for lang, catalogue in catalogues.items():
        for other_lang, other in catalogues.items():
            if other_lang == lang:
                continue
            for message in other:
                if message.id and catalogue.get(message.id) is None:
                    catalogue.add(
                        message.id,
                        message.string,
                        auto_comments=message.auto_comments,
                        flags=("fuzzy",),
                    )
                    added[lang] += 1
    for lang, catalogue in catalogues.items():
        with po_path(lang).open("wb") as target:
            write_po(target, catalogue, width=PO_WIDTH, include_lineno=False, include_previous=False)
    compiled.cache_clear()
    return added


__all__ = [
    "BABEL_LOCALES",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Compiled",
    "compiled",
    "placeholders",
    "po_path",
    "problems",
    "read_catalogue",
    "texts",
    "update",
]
