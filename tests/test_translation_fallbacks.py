"""The translations lose their empty fallbacks (settings/translations.py), and
nothing of what they say."""

from __future__ import annotations

import gettext

import pytest
from django.utils.translation import trans_real

from settings.translations import drop_empty_fallbacks, load_translations


def _chain(translation) -> list:
    chain = []
    while (translation := translation._fallback) is not None:
        chain.append(translation)
    return chain


def _empty(catalogue) -> bool:
    return type(catalogue) is gettext.GNUTranslations and set(catalogue._catalog) <= {""}


def _loaded(language: str, monkeypatch):
    """The translation as the product loads it at start (collections_app's
    ready()); built again here, as a test that changes the languages empties
    Django's cache of translations."""
    monkeypatch.setattr(trans_real, "_translations", {})
    load_translations()
    return trans_real.translation(language)


def test_the_english_translation_walks_one_empty_catalogue_at_most(monkeypatch):
    chain = _chain(_loaded("en-gb", monkeypatch))
    # As Django builds it: an empty catalogue of each app's English behind the
    # British one.
    assert len([c for c in _chain(trans_real.DjangoTranslation("en-gb")) if _empty(c)]) > 1
    assert len([c for c in chain if _empty(c)]) <= 1
    assert all(not _empty(c) for c in chain[:-1])


#: Texts of the product and of Django: translated in French, in British English
#: ("colour"), or by nobody.
_MESSAGES = [
    "Customers",
    "Quick Promise",
    "Account statement",
    "This field is required.",
    "colour",
    "Enter a valid date.",
    "A text nobody translated",
    "",
]
_PLURALS = [
    ("%(counter)s matching item", "%(counter)s matching items"),
    ("%(num)d minute", "%(num)d minutes"),
    ("one thing nobody translated", "several things nobody translated"),
]


def _built_anew(language: str, monkeypatch):
    """The translation as Django builds it, with every fallback (the French one
    falls back on the English one, built anew too)."""
    monkeypatch.setattr(trans_real, "_translations", {})
    return trans_real.translation(language)


@pytest.mark.parametrize("language", ["en-gb", "fr"])
def test_the_translations_say_what_they_said_with_every_fallback(language, monkeypatch):
    pruned = _loaded(language, monkeypatch)
    whole = _built_anew(language, monkeypatch)
    again = _built_anew(language, monkeypatch)
    drop_empty_fallbacks(again)
    assert len(_chain(again)) < len(_chain(whole))
    assert len(_chain(pruned)) == len(_chain(again))
    for translation in (pruned, again):
        for message in _MESSAGES:
            assert translation.gettext(message) == whole.gettext(message), message
            assert translation.pgettext("month name", message) == whole.pgettext(
                "month name", message
            )
        for singular, plural in _PLURALS:
            for n in (0, 1, 2, 5):
                assert translation.ngettext(singular, plural, n) == whole.ngettext(
                    singular, plural, n
                )
    # Every text any of the catalogues holds, Django's and the product's (Django's
    # catalogue of the language's apps merged is not iterable: its items are).
    catalogues = [whole, *_chain(whole)]
    texts = {key for catalogue in catalogues for key, _text in catalogue._catalog.items()}
    assert len(texts) > 400
    for translation in (pruned, again):
        for text in texts:
            if isinstance(text, tuple):
                singular = text[0]
                for n in (0, 1, 2, 5, 11, 21, 101):
                    assert translation.ngettext(singular, f"{singular}+", n) == whole.ngettext(
                        singular, f"{singular}+", n
                    ), text
            else:
                assert translation.gettext(text) == whole.gettext(text), text
    # And they do translate.
    assert pruned.gettext("Customers") == ("Clients" if language == "fr" else "Customers")
    assert pruned.gettext("colour") == whole.gettext("colour")
