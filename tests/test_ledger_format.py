"""The fast amount and date filters write exactly what Django's would."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils import translation

from customers.templatetags.ledger_format import money, short_date, whole_number

AMOUNTS = [
    Decimal("0"),
    Decimal("0.5"),
    Decimal("-450.00"),
    Decimal("1234.5"),
    Decimal("12345.67"),
    Decimal("-1234567.89"),
    Decimal("999999999999.99"),
    3,
]


@pytest.mark.parametrize("language", ["en-gb", "fr"])
@pytest.mark.parametrize("amount", AMOUNTS)
def test_money_is_floatformat_2g(language, amount, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override(language):
        assert money(amount) == floatformat(amount, "2g")


@pytest.mark.parametrize("language", ["en-gb", "fr"])
@pytest.mark.parametrize("number", [0, 7, 999, 1000, 1234567])
def test_whole_number_is_what_the_template_engine_shows(language, number, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override(language):
        assert whole_number(number) == Template("{{ n }}").render(Context({"n": number}))


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("150000.00"), "JPY", "150,000"),
        (Decimal("-2500.00"), "KRW", "-2,500"),
        (Decimal("0.00"), "JPY", "0"),
        # A figure with decimals in a currency without them is shown as it is.
        (Decimal("150000.50"), "JPY", "150,000.50"),
        (Decimal("150000.00"), "EUR", "150,000.00"),
        (Decimal("150000.00"), "", "150,000.00"),
    ],
)
def test_money_of_a_currency_without_minor_units(amount, currency, shown):
    with translation.override("en-gb"):
        assert money(amount, currency) == shown


@pytest.mark.parametrize("language", ["en-gb", "fr", "de"])
@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2026, 12, 7),
        datetime.date(2027, 1, 2),
        datetime.datetime(2026, 12, 31, 23, 30),
    ],
)
def test_short_date_is_the_date_filter(language, value, settings):
    settings.TIME_ZONE = "Europe/Paris"
    with translation.override(language):
        assert short_date(value) == date_filter(value, "SHORT_DATE_FORMAT")


def test_empty_values():
    assert money(None) == ""
    assert money("not a number") == ""
    assert short_date(None) == ""
    assert short_date("") == ""


def test_an_aware_datetime_is_shown_in_the_business_time_zone():
    late = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    rendered = Template("{{ when|short_date }} {{ when|date:'SHORT_DATE_FORMAT' }}").render(
        Context({"when": late})
    )
    with translation.override("en-gb"):
        assert rendered == "01/01/2027 01/01/2027"
    assert late.astimezone(ZoneInfo("Europe/Paris")).date() == datetime.date(2027, 1, 1)


@pytest.mark.parametrize("language", ["en-gb", "fr"])
def test_times_are_on_the_24_hour_clock(language):
    from django.utils import formats

    moment = datetime.datetime(2026, 12, 4, 14, 5)
    with translation.override(language):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "04/12/2026 14:05"
        assert formats.time_format(moment.time()) == "14:05"
