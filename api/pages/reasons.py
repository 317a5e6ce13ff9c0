"""Why a value is refused, in the reader's language: the register's reasons (pydantic's error types,
the services' field problems, the spreadsheet cells' reasons) put in the catalogue's words, for the
message next to a field of a form.

The register's own reasons are English sentences for the API; a page shows the catalogue's text for
the same rule. A reason this module does not know still gets a plain message (never a raw English
sentence in a Danish page), and the catalogue check keeps both languages complete."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from api.i18n import Translator
from registry.fields import OUT_OF_RANGE

Label = Callable[[str], str]
"""A field's label by its key ("consultation.informed_at")."""

_BY_TYPE: dict[str, str] = {
    "missing": "invalid.required",
    "string_too_short": "invalid.required",
    "enum": "invalid.choice",
    "literal_error": "invalid.choice",
    "bool_type": "invalid.choice",
    "bool_parsing": "invalid.choice",
    "date_from_datetime_parsing": "invalid.date",
    "date_parsing": "invalid.date",
    "date_type": "invalid.date",
    "int_parsing": "invalid.number",
    "int_type": "invalid.number",
    "float_parsing": "invalid.number",
    "float_type": "invalid.number",
    "string_pattern_mismatch": "invalid.format",
}

_FIXED: dict[str, str] = {
    OUT_OF_RANGE: "invalid.date.range",
    "is set, but status is not retired": "invalid.retired_at.status",
    "is not a unit of this organization": "invalid.unit",
    "is not a number": "invalid.number",
    "is not a whole number": "invalid.number.whole",
    "is not JSON": "invalid.value",
    "cannot be removed; record a new entry that replaces the wrong one": "invalid.history.removed",
    "is required unless an exception explains why there is none": "invalid.notice.given_at",
    "state at least one of informed_at, discussed_at and decided_at": "invalid.consultation.dates",
    "is required to complete the reassessment": "invalid.apv.amo",
    "must not contain NUL characters": "invalid.text.nul",
    "is not a product card of the catalogue": "invalid.product_card",
    "is not an id": "invalid.product_card",
}
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("is not a date", "invalid.date"),
    ("is not one of", "invalid.choice"),
    ("must be one of", "invalid.choice"),
    ("is after today", "invalid.date.future"),
    ("names no unit", "invalid.unit"),
    ("names a unit that several", "invalid.unit.ambiguous"),
    ("the system has versions", "invalid.value"),
    ("the card has versions", "invalid.product_card_version"),
    ("is the version of the card named before", "invalid.product_card_version.new"),
)
_BEFORE = re.compile(r"^is before ([a-z_.]+)$")
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^is also in row (?P<row>\d+)"), "invalid.import.duplicate"),
    (
        re.compile(r"^the system has changed since version (?P<read>\d+) \(it is now (?P<now>\d+)\)"),
        "invalid.import.changed",
    ),
    (re.compile(r"^is needed to change a system"), "invalid.import.version"),
    (re.compile(r"^names no AI system of this organization"), "invalid.import.unknown"),
    (re.compile(r"^is longer than (?P<max>\d+) characters"), "invalid.text.too_long"),
)


_WITH_CONTEXT: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # pydantic's error type -> (catalogue key, its placeholder, the context keys holding the value)
    "string_too_long": ("invalid.text.too_long", "max", ("max_length",)),
    "too_long": ("invalid.list.too_long", "max", ("max_length",)),
    "greater_than_equal": ("invalid.number.min", "min", ("ge",)),
    "greater_than": ("invalid.number.min", "min", ("gt",)),
    "less_than_equal": ("invalid.number.max", "max", ("le",)),
    "less_than": ("invalid.number.max", "max", ("lt",)),
}


def pydantic_reason(error: Mapping[str, Any], t: Translator) -> str:
    """One of pydantic's errors (`ValidationError.errors()`) in the catalogue's words."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in _WITH_CONTEXT:
        key, placeholder, names = _WITH_CONTEXT[kind]
        value = next((context[name] for name in names if name in context), 0)
        return t(key, **{placeholder: t.number(value)})
    if kind == "value_error":
        return field_reason(str(context.get("error", error.get("msg", ""))).removeprefix("Value error, "), t)
    return t(_BY_TYPE.get(kind, "invalid.value"))


def field_reason(reason: str, t: Translator, label: Label | None = None) -> str:
    """A field problem's English reason (the services', a spreadsheet cell's) in the catalogue's words."""
    if reason in _FIXED:
        return t(_FIXED[reason])
    if "email" in reason:
        return t("invalid.email")
    before = _BEFORE.match(reason)
    if before:
        other = before[1]
        return t("invalid.date.before", other=label(other) if label else other)
    for pattern, key in _PATTERNS:
        found = pattern.match(reason)
        if found:
            return t(key, **found.groupdict())
    for prefix, key in _PREFIXES:
        if reason.startswith(prefix):
            return t(key)
    return t("invalid.value")


_FILE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^the column ['\"](?P<column>.*)['\"] is not one of the template's", "import.file.unknown_column"),
        (r"^the column ['\"](?P<column>.*)['\"] is there twice", "import.file.twice"),
        (r"^it has no heading row", "import.file.no_heading"),
        (r"^it is empty", "import.file.empty"),
        (r"^row (?P<row>\d+) has cells beyond the last column", "import.file.beyond"),
        (r"^it has (more than )?\d+ rows; at most (?P<max>\d+)", "import.file.too_many"),
        (r"^cell (?P<cell>\S+) holds a formula", "import.file.formula"),
        (r"^a cell of row (?P<row>\d+) cannot be read", "import.file.cell"),
        (r"^it is not an Excel workbook", "import.file.not_spreadsheet"),
        (r"^it unpacks to more than (?P<max>\d+) MB", "import.file.unpacks"),
        (r"^it has no sheet named", "import.file.no_sheet"),
        (r"^it is not a CSV file", "import.file.not_csv"),
    )
)


def file_reason(reason: str, t: Translator) -> str:
    """Why an uploaded spreadsheet cannot be read (api/spreadsheets.py), in the catalogue's words."""
    for pattern, key in _FILE_PATTERNS:
        found = pattern.match(reason)
        if found:
            return t(key, **found.groupdict())
    return t("import.file.unreadable")


__all__ = ["Label", "field_reason", "file_reason", "pydantic_reason"]
