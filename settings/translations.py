"""Translations without the empty catalogues Django chains behind them.

Asked for ``en-gb``, Python's gettext finds each app's ``en`` catalogue too and
chains it behind the ``en_GB`` one; Django keeps these as fallbacks of the
language's translation. They hold no message (only their header), yet every
text that has no British translation, which is every text of this product in
English, walks all of them before it is shown as written: six dictionary
misses for each of the 80 texts of a statement page.
"""

from __future__ import annotations

import gettext

from django.conf import settings
from django.utils.translation import trans_real


def _is_empty(catalogue) -> bool:
    """A gettext catalogue that holds nothing but its header."""
    return type(catalogue) is gettext.GNUTranslations and set(catalogue._catalog) <= {""}


def drop_empty_fallbacks(translation) -> None:
    """Unlink from ``translation``'s chain of fallbacks the empty catalogues
    that are followed by another: such a catalogue only hands every message on
    to the next one, so the translations are the same without it. The last of
    the chain stays, as it decides the plural form of a message nobody
    translated."""
    previous = translation
    while (fallback := previous._fallback) is not None:
        if _is_empty(fallback) and fallback._fallback is not None:
            previous._fallback = fallback._fallback
        else:
            previous = fallback


def load_translations() -> None:
    """Load the translation of each language the product offers, without the
    empty fallbacks (loaded on first use otherwise, as they are again after a
    test changes the languages)."""
    if not settings.USE_I18N:
        return
    for code, _name in settings.LANGUAGES:
        drop_empty_fallbacks(trans_real.translation(code))
