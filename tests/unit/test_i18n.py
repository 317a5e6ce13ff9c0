"""The gettext catalogues and the one translator: every key in both languages, nothing fuzzy, the
same placeholders in both; dates, numbers, plurals and lists by Babel."""

from __future__ import annotations

from datetime import date

import pytest

from api.i18n import Translator, translator
from api.i18n.catalogues import LANGUAGES, compiled, problems, read_catalogue


def test_every_key_is_in_both_catalogues_translated_with_the_same_placeholders() -> None:
    assert problems() == []


def test_a_fuzzy_or_missing_text_is_reported(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.i18n import catalogues

    real = catalogues.read_catalogue

    def with_faults(lang: str):  # type: ignore[no-untyped-def]
        catalogue = real(lang)
        if lang == "da":
            catalogue["login.button"].flags.add("fuzzy")
            catalogue.delete("nav.logout")
        return catalogue

    monkeypatch.setattr(catalogues, "read_catalogue", with_faults)
    found = problems()
    assert "da: login.button is fuzzy" in found
    assert "da: nav.logout is missing" in found


def test_fuzzy_texts_are_not_used() -> None:
    for lang in LANGUAGES:
        fuzzy = [m.id for m in read_catalogue(lang) if m.id and m.fuzzy]
        assert not set(fuzzy) & compiled(lang).keys


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("da", "2. december 2027, 1.123 dage; 1 dag; 2 år"),
        ("en", "2 December 2027, 1,123 days; 1 day; 2 years"),
    ],
)
def test_dates_counts_and_plurals_read_as_the_language_writes_them(lang: str, text: str) -> None:
    t = translator(lang)
    assert f"{t.date(date(2027, 12, 2))}, {t.days(1123)}; {t.days(1)}; {t.period(730)}" == text


def test_a_text_chooses_the_format_of_its_values() -> None:
    t = translator("da")
    formatted = t._formatter.format(
        "{day:date} · {n:number} · {d:days} · {items:list}",
        day="2027-12-02",
        n=1123,
        d=1,
        items=["a", "b", "c"],
    )
    assert formatted == "2. december 2027 · 1.123 · 1 dag · a, b og c"


def test_an_unknown_key_or_language_is_an_error() -> None:
    with pytest.raises(KeyError):
        translator("da")("no.such.key")
    with pytest.raises(KeyError):
        translator("da").plural("login.button", 2)
    with pytest.raises(ValueError, match="no catalogue"):
        Translator("de")
