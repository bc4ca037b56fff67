"""The dates an officer sets by hand (a status's date, an action's due date):
from today on, and at most two years ahead."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

#: Two years (and a day for a leap year): the longest payment plans a credit
#: team agrees run for 24 months. A later date is a typo (2062 for 2026), which
#: would hide an item or an action from every list for decades.
MAX_DAYS_AHEAD = 731


def latest_day(today: datetime.date) -> datetime.date:
    """The last day a date set by hand may be."""
    return today + datetime.timedelta(days=MAX_DAYS_AHEAD)


def too_far_ahead(day: datetime.date, *, today: datetime.date) -> str | None:
    """Why ``day`` is refused as too far ahead, or None when it is not."""
    latest = latest_day(today)
    if day <= latest:
        return None
    return _("The date must be within two years, by %(latest)s at the latest: check the year.") % {
        "latest": formats.date_format(latest, "SHORT_DATE_FORMAT")
    }
