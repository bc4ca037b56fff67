"""Fast formatting of amounts and dates for long statements.

``money`` gives what ``floatformat:"2g"`` gives (two decimals, the locale's
separators) and ``short_date`` what ``date:"SHORT_DATE_FORMAT"`` gives, several
times faster: a statement renders hundreds of them per page. Registered as
built-ins (settings.TEMPLATES), so every template has them.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

#: Currencies without minor units (ISO 4217, "minor unit" 0): their amounts show
#: no decimals ("150,000 JPY"). Currencies with three (BHD, KWD…) show two, as the
#: ledger stores amounts with two decimals.
ZERO_DECIMAL_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
     "VND", "VUV", "XAF", "XOF", "XPF"}
)  # fmt: skip

#: Django date-format characters that strftime writes the same way.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y"}


@functools.cache
def _separators(language: str | None) -> tuple[str, str]:
    return formats.get_format("DECIMAL_SEPARATOR"), formats.get_format("THOUSAND_SEPARATOR")


@register.filter(is_safe=True)
def money(value, currency: str = "") -> str:
    """An amount with two decimals and the locale's separators ("1,234.50");
    none for a currency without minor units ("150,000" yen), unless the amount
    has some (a wrong figure is shown as it is, never rounded)."""
    return _money(value, currency, _separators(get_language()))


def _money(value, currency: str, separators: tuple[str, str]) -> str:
    if value in (None, ""):
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        whole = currency in ZERO_DECIMAL_CURRENCIES and number == number.to_integral_value()
        text = f"{number:,.0f}" if whole else f"{number:,.2f}"
    except (ArithmeticError, ValueError, TypeError):
        return ""
    decimal_separator, thousand_separator = separators
    if (decimal_separator, thousand_separator) != (".", ","):
        text = (
            text.replace(",", "\x00")
            .replace(".", decimal_separator)
            .replace("\x00", thousand_separator)
        )
    return text


def whole_number(value: int) -> str:
    """A whole number with the locale's thousands separator ("1,234"), as the
    template engine shows one."""
    return _whole_number(value, _separators(get_language()))


def _whole_number(value: int, separators: tuple[str, str]) -> str:
    text = f"{value:,}"
    return text if separators[1] == "," else text.replace(",", separators[1])


@functools.cache
def _strftime_pattern(language: str | None) -> str | None:
    """The locale's short date format as a strftime pattern, when it can be one."""
    pattern = formats.get_format("SHORT_DATE_FORMAT")
    out = []
    for char in pattern:
        if char in _STRFTIME:
            out.append(_STRFTIME[char])
        elif char.isalpha() or char in "%\\":
            return None  # a character strftime would write differently
        else:
            out.append(char)
    return "".join(out)


@register.filter(expects_localtime=True)
def short_date(value) -> str:
    """A date in the locale's short format ("07/12/2026")."""
    return _short_date(value, _strftime_pattern(get_language()))


def _short_date(value, pattern: str | None) -> str:
    if not isinstance(value, datetime.date):
        return ""
    if pattern is None:
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value.strftime(pattern)


class LedgerFormat:
    """``money``, ``whole_number`` and ``short_date`` in the language active when
    it is made: for code that formats a page of rows, which would otherwise look
    the language up for every cell."""

    __slots__ = ("_pattern", "_separators")

    def __init__(self) -> None:
        language = get_language()
        self._separators = _separators(language)
        self._pattern = _strftime_pattern(language)

    def money(self, value, currency: str = "") -> str:
        return _money(value, currency, self._separators)

    def whole_number(self, value: int) -> str:
        return _whole_number(value, self._separators)

    def short_date(self, value) -> str:
        return _short_date(value, self._pattern)
