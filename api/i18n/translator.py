"""The one translator of the texts users read: web pages, the written account, e-mails and the
messages of compliance findings, in Danish or English.

`t("key", name=...)` is the text of `key` in the translator's language with its placeholders filled
in (str.format). A placeholder may name a format, so a text decides how its values read:

    {day:date}      an ISO date or date          "2. december 2027"   / "2 December 2027"
    {count:number}  a number                     "1.123"              / "1,123"
    {days:days}     a number of days             "1 dag", "1.123 dage" / "1 day", "1,123 days"
    {days:period}   days, in years when whole    "2 år"               / "2 years"
    {items:list}    texts                        "a, b og c"          / "a, b and c"

Formats that name a vocabulary put each value in words first (see FORMATS below), so domain objects
carry values (dates, counts, ids) and never sentences."""

from __future__ import annotations

import functools
import logging
import string
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from babel import Locale

from api.i18n.catalogues import BABEL_LOCALES, DEFAULT_LANGUAGE, LANGUAGES, compiled
from api.i18n.formatting import format_date, format_items, format_number, format_time, local_moment

log = logging.getLogger("airegistry.i18n")


class Translator:
    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"no catalogue for language {lang!r}")
        self.lang = lang
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        self._catalogue = compiled(lang)
        self._formatter = _Formatter(self)

    def __call__(self, key: str, **values: Any) -> str:
        if key not in self._catalogue.keys or key in self._catalogue.plural_keys:
            raise KeyError(key)
        return self._fill(self._catalogue.translations.gettext(key), values)

    def plural(self, key: str, count: float, **values: Any) -> str:
        """The form of a plural text for `count`, which fills its `{n}` (formatted as a number)."""
        if key not in self._catalogue.plural_keys:
            raise KeyError(key)
        text = self._catalogue.translations.ngettext(key, f"{key}.plural", self._plural_count(count))
        return self._fill(text, {"n": self.number(count), **values})

    def _plural_count(self, count: float) -> int:
        """gettext chooses a form by a whole number; a fraction is chosen for by the language's CLDR rule
        ("1,5 time" in Danish, "1.5 hours" in English): the catalogues' two forms are one and other."""
        if isinstance(count, int) or float(count).is_integer():
            return int(count)
        return 1 if self.locale.plural_form(count) == "one" else 2

    def _fill(self, text: str, values: Mapping[str, Any]) -> str:
        if not values:
            return text
        # Most texts name no format and get plain values: str.format does those in C, many times faster
        # than a Formatter. A list or a missing part (None) reads the same either way.
        plain = not _named_formats(text) and not any(
            v is None or isinstance(v, list) for v in values.values()
        )
        return text.format_map(values) if plain else self._formatter.vformat(text, (), values)

    def get(self, key: str, default: str) -> str:
        return self(key) if key in self._catalogue.keys else default

    def term(self, vocabulary: str, value: Any) -> str:
        """A value of a vocabulary in words ("data_category.health" -> "helbred"); else as it is."""
        return self.get(f"{vocabulary}.{value}", str(value))

    def date(self, value: date | str) -> str:
        return _date_text(value, self.locale)

    def moment(self, value: datetime) -> str:
        local = local_moment(value)
        return self("date.moment", date=self.date(local.date()), time=format_time(local, self.locale))

    def number(self, value: float) -> str:
        if isinstance(value, int) and -1000 < value < 1000:
            return str(value)  # what Babel writes for these in both languages, without its work
        return format_number(value, self.locale)

    def days(self, count: int) -> str:
        return self.plural("value.days", count)

    def period(self, days: int) -> str:
        """A period of days, in whole years where it is one ("1 år", "2 years")."""
        if days and days % 365 == 0:
            return self.plural("value.years", days // 365)
        return self.days(days)

    def weeks(self, days: int) -> str:
        """A notice period: in weeks with its days where it is whole weeks ("6 uger (42 dage)")."""
        if days and days % 7 == 0:
            return self(
                "format.weeks_and_days", weeks=self.plural("value.weeks", days // 7), days=self.days(days)
            )
        return self.days(days)

    def items(self, texts: Iterable[str]) -> str:
        return format_items(texts, self.locale)

    def message(self, message: Mapping[str, Any] | None, *, fallback: str | None = None) -> str:
        """A message of the register in words: a key of the catalogues and its values, as a finding
        keeps it (registry/obligations/rules/engine.py Message). Values that are messages themselves
        are put in words first. `fallback` is the key to use for a message that is empty."""
        if message and isinstance(message.get("text"), Mapping):  # kept as sentences by an earlier release
            return str(message["text"].get(self.lang) or message["text"].get(DEFAULT_LANGUAGE) or "")
        if not message or "key" not in message:
            if fallback is None:
                raise KeyError("an empty message")
            return self(fallback)
        try:
            params = _Optional(
                {name: self._value(value) for name, value in (message.get("params") or {}).items()}
            )
            key = str(message["key"])
            if key not in self._catalogue.keys:
                raise KeyError(key)
            # A value the message does not carry reads as nothing: a finding kept by an earlier release
            # may lack a value its text has since gained.
            return self._formatter.vformat(self._catalogue.translations.gettext(key), (), params)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # A stored message this release cannot put in words (its key renamed or gone, a value of an
            # unexpected kind): the rule's own description, never an error on a page.
            if fallback is None:
                raise
            log.warning("message %r read as %s: %s", message.get("key"), fallback, exc)
            return self(fallback)

    def _value(self, value: Any) -> Any:
        if isinstance(value, Mapping) and "key" in value:
            return self.message(value)
        if isinstance(value, list) and value and all(isinstance(v, Mapping) and "key" in v for v in value):
            return [self.message(v) for v in value]
        return value


@functools.lru_cache(maxsize=4096)
def _date_text(value: date | str, locale: Locale) -> str:
    """A page names the same few dates many times (each row of the register has one)."""
    return format_date(value, locale)


@functools.lru_cache(maxsize=2048)
def _named_formats(text: str) -> bool:
    """Whether any of a text's placeholders names a format ({day:date})."""
    return any(spec for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


class _Optional(dict[str, Any]):
    def __missing__(self, key: str) -> None:
        return None


class _Formatter(string.Formatter):
    def __init__(self, t: Translator) -> None:
        super().__init__()
        self.t = t

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return ""  # an optional part of a sentence that is not there
        fmt = FORMATS.get(format_spec)
        if fmt is not None:
            return fmt(self.t, value)
        if isinstance(value, list) and not format_spec:
            return self.t.items(str(item) for item in value)
        return str(super().format_field(value, format_spec))


def _terms(vocabulary: str) -> Callable[[Translator, Any], str]:
    def render(t: Translator, values: Any) -> str:
        return t.items(t.term(vocabulary, value) for value in values)

    return render


def _who(t: Translator, value: Mapping[str, Any]) -> str:
    """The committee stated, else the employer's usual representatives (by its type, or its sector)."""
    if value.get("committee"):
        return t.term("finding.who.committee", value["committee"])
    return t(f"finding.who.{value.get('sector') or 'private'}")


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _optional(key: str, name: str) -> Callable[[Translator, Any], str]:
    """A part of a sentence that is there only with a value (" (senest 2. december 2027)")."""

    def render(t: Translator, value: Any) -> str:
        return t(key, **{name: value}) if value is not None else ""

    return render


def _legacy(t: Translator, value: Any) -> str:
    """Art. 111(2): a high-risk system put (or to be put) into service before its duties apply."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        key = "finding.legacy_planned" if value.get("planned") else "finding.legacy"
        text = t(key, day=value.get("day"))
        if value.get("public_by"):
            text += t("finding.legacy_public", day=value["public_by"])
        return text
    return t("finding.legacy", day=value)


def _stated_basis(t: Translator, value: Any) -> str:
    return t("finding.stated_basis", basis=t.term("finding.basis", value)) if value else ""


FORMATS: Mapping[str, Callable[[Translator, Any], str]] = {
    "date": lambda t, value: t.date(value),
    "number": lambda t, value: t.number(value),
    "days": lambda t, value: t.days(int(value)),
    "period": lambda t, value: t.period(int(value)),
    "list": lambda t, value: t.items(str(v) for v in value),
    "sentences": lambda t, value: " ".join(str(v) for v in value),
    # The compliance findings' words for their values (registry/obligations/rules).
    "special": _terms("finding.special"),
    "who": _who,
    "who_start": lambda t, value: _capitalized(_who(t, value)),
    "by": _optional("finding.by", "day"),
    "on": _optional("finding.on", "day"),
    "applies_from": _optional("finding.applies_from", "day"),
    "legacy": _legacy,
    "weeks": lambda t, value: t.weeks(int(value)),
    "months": lambda t, value: t.plural("value.months", value),
    "data_categories": _terms("data_category"),
    "conditions": _terms("finding.condition"),
    "stated_basis": _stated_basis,
}


@functools.cache
def translator(lang: str) -> Translator:
    """The translator of a language (one per process and language)."""
    return Translator(lang)


__all__ = ["DEFAULT_LANGUAGE", "FORMATS", "LANGUAGES", "Translator", "translator"]
