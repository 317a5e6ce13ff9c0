"""The gettext catalogues and the one translator: every key in both languages, nothing fuzzy, the
same placeholders in both; dates, numbers, plurals and lists by Babel."""

from __future__ import annotations

from datetime import date

import pytest

from api.i18n import Translator, translator
from api.i18n.catalogues import problems


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


def test_a_fuzzy_text_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.i18n import catalogues

    real = catalogues.read_catalogue

    def with_a_fuzzy_text(lang: str):  # type: ignore[no-untyped-def]
        catalogue = real(lang)
        catalogue["login.button"].flags.add("fuzzy")
        return catalogue

    monkeypatch.setattr(catalogues, "read_catalogue", with_a_fuzzy_text)
    catalogues.compiled.cache_clear()
    try:
        compiled = catalogues.compiled("da")
        assert "login.button" not in compiled.keys
        assert "nav.logout" in compiled.keys
        with pytest.raises(KeyError):
            Translator("da")("login.button")
    finally:
        catalogues.compiled.cache_clear()


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


def test_a_fraction_takes_the_plural_form_the_language_gives_it() -> None:
    assert translator("en").plural("value.hours", 1.5) == "1.5 hours"
    assert translator("en").plural("value.hours", 1) == "1 hour"
    # CLDR's Danish rule: one when the whole part is 0 or 1 and there is a fraction.
    assert translator("da").plural("value.hours", 1.5) == "1,5 time"
    assert translator("da").plural("value.hours", 2.5) == "2,5 timer"
    assert translator("da").plural("value.hours", 2) == "2 timer"


def test_a_value_reads_the_same_whether_or_not_its_text_names_formats() -> None:
    t = translator("da")
    plain = t._formatter.vformat("{who}: {items}", (), {"who": None, "items": ["a", "b", "c"]})
    assert plain == ": a, b og c"
    assert t._fill("{who}: {items}", {"who": None, "items": ["a", "b", "c"]}) == plain
    assert t._fill("{name} ({role})", {"name": "Mette", "role": "tillidsvalgt"}) == "Mette (tillidsvalgt)"


def test_a_stored_message_this_release_cannot_read_falls_back_to_the_rules_description() -> None:
    t = translator("da")
    description = t("rule.apv.outdated")
    assert t.message({"key": "finding.gone.case", "params": {}}, fallback="rule.apv.outdated") == description
    broken = {"key": "finding.apv.outdated.too_old", "params": {"last": 17, "age": "many", "max_age": None}}
    assert t.message(broken, fallback="rule.apv.outdated") == description
    kept = {"text": {"da": "Som det stod.", "en": "As it was."}}
    assert t.message(kept, fallback="rule.apv.outdated") == "Som det stod."
    assert translator("en").message(kept) == "As it was."
    with pytest.raises(KeyError):
        t.message({"key": "finding.gone.case", "params": {}})
