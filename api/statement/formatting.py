"""Dates, times and numbers as a Danish or English reader expects them ("5. januar 2026" or
"5 January 2026"; "1.250,5" or "1,250.5"). Times are shown on the Danish clock."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api.statement.catalogue import CATALOGUES


def _workplace_zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:  # a machine without the time-zone database: show UTC
        return UTC


WORKPLACE_ZONE = _workplace_zone()


def format_date(day: date, lang: str) -> str:
    words = CATALOGUES[lang]
    return words["date.format"].format(day=day.day, month=words[f"month.{day.month}"], year=day.year)


def format_moment(moment: datetime, lang: str) -> str:
    """A point in time as a date and a time of day, on the Danish clock (naive values are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(WORKPLACE_ZONE)
    separator = "." if lang == "da" else ":"
    clock = f"{local.hour:02d}{separator}{local.minute:02d}"
    return CATALOGUES[lang]["date.moment"].format(date=format_date(local.date(), lang), time=clock)


def format_number(value: float, lang: str) -> str:
    """Whole numbers without decimals; Danish groups thousands with "." and uses a decimal comma."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


_LEGAL_NAMES = sorted(
    (key for key in CATALOGUES["da"] if key.startswith("legal.")),
    key=lambda key: -len(CATALOGUES["da"][key]),
)
# Danish citations: "art. 5, stk. 1, litra f" is Art. 5(1)(f); "art. 26, stk. 7" is Art. 26(7).
_CITATION = re.compile(r"\bart\. (\d+)(?:, stk\. (\d+))?(?:, litra ([a-z]))?")


def legal_source(text: str, lang: str) -> str:
    """A legal source as the compliance checks cite it (in Danish), in `lang`: the names of acts and
    agreements from the catalogue, and Danish article citations in the English form."""
    if lang == "da":
        return text
    danish, words = CATALOGUES["da"], CATALOGUES[lang]
    for key in _LEGAL_NAMES:
        text = text.replace(danish[key], words[key])
    text = _CITATION.sub(_english_citation, text)
    return text.replace(", og ", " and ").replace(" og ", " and ")


def _english_citation(match: re.Match[str]) -> str:
    article, paragraph, point = match.groups()
    return f"Art. {article}" + (f"({paragraph})" if paragraph else "") + (f"({point})" if point else "")


__all__ = ["WORKPLACE_ZONE", "format_date", "format_moment", "format_number", "legal_source"]
