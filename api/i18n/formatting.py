"""Dates, times, numbers and lists as a Danish or English reader expects them, by Babel ("5. januar
2026" or "5 January 2026"; "1.250,5" or "1,250.5"; "a, b og c"). Times are shown on the Danish clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_time as babel_time
from babel.lists import format_list
from babel.numbers import format_decimal


def _workplace_zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:  # a machine without the time-zone database: show UTC
        return UTC


WORKPLACE_ZONE = _workplace_zone()
# Whole numbers without decimals, others with at most two.
NUMBER_PATTERN = "#,##0.##"


def as_date(value: date | str) -> date:
    """A date, or an ISO 8601 date as the register stores it ("2027-12-02")."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(value)


def format_date(value: date | str, locale: Locale) -> str:
    return babel_date(as_date(value), format="long", locale=locale)


def local_moment(moment: datetime) -> datetime:
    """A point in time on the Danish clock (naive values are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WORKPLACE_ZONE)


def format_time(moment: datetime, locale: Locale) -> str:
    return babel_time(local_moment(moment), format="short", locale=locale)


def format_number(value: float, locale: Locale) -> str:
    return format_decimal(value, format=NUMBER_PATTERN, locale=locale)


def format_items(items: Iterable[str], locale: Locale) -> str:
    """ "a, b og c" / "a, b and c"."""
    return format_list(list(items), locale=locale)


__all__ = [
    "WORKPLACE_ZONE",
    "as_date",
    "format_date",
    "format_items",
    "format_number",
    "format_time",
    "local_moment",
]
