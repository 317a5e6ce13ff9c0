"""Legal sources in the reader's language. The compliance checks cite their sources in Danish
("AI-forordningen art. 26, stk. 7"); an English reader gets the names of acts and agreements from the
catalogue (`legal.*`) and the citations in the English form ("AI Act Art. 26(7)")."""

from __future__ import annotations

import functools
import re

from api.i18n.catalogues import compiled
from api.i18n.translator import Translator, translator

# Danish citations: "art. 5, stk. 1, litra f" is Art. 5(1)(f); "art. 26, stk. 7" is Art. 26(7).
_CITATION = re.compile(r"\bart\. (\d+)(?:, stk\. (\d+))?(?:, litra ([a-z]))?")


@functools.cache
def _legal_keys() -> list[str]:
    """The catalogue's names of acts and agreements, longest Danish name first."""
    danish = translator("da")
    keys = [key for key in compiled("da").keys if key.startswith("legal.")]
    return sorted(keys, key=lambda key: -len(danish(key)))


def legal_source(text: str, t: Translator) -> str:
    if t.lang == "da":
        return text
    danish = translator("da")
    for key in _legal_keys():
        text = text.replace(danish(key), t(key))
    text = _CITATION.sub(_english_citation, text)
    return text.replace(", og ", " and ").replace(" og ", " and ")


def _english_citation(match: re.Match[str]) -> str:
    article, paragraph, point = match.groups()
    return f"Art. {article}" + (f"({paragraph})" if paragraph else "") + (f"({point})" if point else "")


__all__ = ["legal_source"]
