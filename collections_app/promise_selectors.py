"""Reads of promises: a customer's promises and keep rate, and the officer's
home dashboard (what is due, what broke, promised against received cash)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from collections_app.models import (
    EVALUATED_STATES,
    Action,
    ImportChange,
    OpenItem,
    PaymentPromise,
    PromiseState,
)
from collections_app.selectors import open_actions_for
from customers.models import Customer

#: Item numbers shown per promise; the count says how many in all.
ITEMS_SHOWN = 5
#: Promises listed in a customer's file, newest first.
PROMISES_SHOWN = 100
_ZERO = Decimal("0.00")


def year_before(day: datetime.date) -> datetime.date:
    """The same day a year earlier (28 February for a 29th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class KeepRate:
    """How well a customer kept the promises evaluated over the last 12 months:
    by count (kept among those evaluated) and by amount (received against
    promised, in the customer's currency)."""

    since: datetime.date
    currency: str
    evaluated: int
    kept: int
    partially_kept: int
    broken: int
    promised: Decimal
    received: Decimal

    @property
    def by_count(self) -> Decimal | None:
        if not self.evaluated:
            return None
        return Decimal(100 * self.kept / self.evaluated).quantize(Decimal("1"))

    @property
    def by_amount(self) -> Decimal | None:
        if not self.promised:
            return None
        return (100 * self.received / self.promised).quantize(Decimal("1"))


def keep_rate(*, customer: Customer, today: datetime.date) -> KeepRate:
    """One query."""
    since = year_before(today)
    own = Q(currency=customer.currency)
    totals = PaymentPromise.objects.filter(
        customer=customer, state__in=EVALUATED_STATES, promised_date__gt=since
    ).aggregate(
        evaluated=Count("pk"),
        kept=Count("pk", filter=Q(state=PromiseState.KEPT)),
        partially_kept=Count("pk", filter=Q(state=PromiseState.PARTIALLY_KEPT)),
        broken=Count("pk", filter=Q(state=PromiseState.BROKEN)),
        promised=Sum("amount", filter=own),
        received=Sum("paid_amount", filter=own),
    )
    return KeepRate(
        since=since,
        currency=customer.currency,
        evaluated=totals["evaluated"],
        kept=totals["kept"],
        partially_kept=totals["partially_kept"],
        broken=totals["broken"],
        promised=totals["promised"] or _ZERO,
        received=totals["received"] or _ZERO,
    )


def _with_items(promises: QuerySet[PaymentPromise]) -> QuerySet[PaymentPromise]:
    return promises.annotate(
        item_count=Count("lines", filter=Q(lines__released_at__isnull=True))
    ).prefetch_related(
        Prefetch(
            "items",
            queryset=OpenItem.objects.filter(promise_lines__released_at__isnull=True)
            .only("id", "number")
            .order_by("number")[:ITEMS_SHOWN],
            to_attr="shown_items",
        )
    )


def customer_promises(*, customer: Customer) -> list[PaymentPromise]:
    """The customer's latest promises, newest date first, each with its first
    item numbers (``shown_items``) and ``item_count``. Three queries."""
    return list(
        _with_items(
            PaymentPromise.objects.filter(customer=customer).select_related(
                "created_by", "callback", "follow_up"
            )
        ).order_by("-promised_date", "-pk")[:PROMISES_SHOWN]
    )


def _mine(user) -> Q:
    """The promises of the officer's accounts, and those the officer recorded on
    accounts nobody collects."""
    return Q(customer__collector=user) | Q(customer__collector__isnull=True, created_by=user)


@dataclass(frozen=True)
class Bar:
    day: datetime.date
    promised: Decimal
    received: Decimal
    x: int
    promised_y: int
    promised_height: int
    received_y: int
    received_height: int
    label: bool
    is_today: bool


@dataclass(frozen=True)
class CashChart:
    """Promised against received cash by day, drawn as an SVG by the template."""

    currency: str
    bars: list[Bar]
    maximum: Decimal
    width: int
    height: int
    baseline: int

    @property
    def is_empty(self) -> bool:
        return not self.maximum


#: The chart: two weeks back, one ahead.
CHART_DAYS_BACK = 13
CHART_DAYS_AHEAD = 6
_SLOT = 36
_BAR = 14
_TOP = 10
_PLOT = 150


def cash_chart(*, user, today: datetime.date) -> CashChart:
    """Per day, the amount promised for that day (promises not cancelled) and the
    amount received (open amounts reduced by imports), on the officer's
    accounts, in the default currency. Two queries."""
    first = today - datetime.timedelta(days=CHART_DAYS_BACK)
    last = today + datetime.timedelta(days=CHART_DAYS_AHEAD)
    currency = settings.DEFAULT_CURRENCY
    promised = dict(
        PaymentPromise.objects.filter(
            _mine(user), currency=currency, promised_date__range=(first, last)
        )
        .exclude(state=PromiseState.CANCELLED)
        .order_by()
        .values_list("promised_date")
        .annotate(total=Sum("amount"))
        .values_list("promised_date", "total")
    )
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(today, datetime.time())) + (
        datetime.timedelta(days=1)
    )
    accounts = Customer.objects.filter(
        Q(collector=user) | Q(collector__isnull=True, payment_promises__created_by=user)
    ).values("pk")
    received = dict(
        ImportChange.objects.filter(
            item__customer__in=accounts,
            item__currency=currency,
            changed_at__gte=start,
            changed_at__lt=end,
            open_amount_before__gt=F("open_amount_after"),
            open_amount_after__gte=0,
        )
        .annotate(day=TruncDate("changed_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("day")
        .annotate(total=Sum(F("open_amount_before") - F("open_amount_after")))
        .values_list("day", "total")
    )
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    maximum = max([*promised.values(), *received.values(), _ZERO])

    def height(value: Decimal) -> int:
        return round(_PLOT * value / maximum) if maximum else 0

    bars = []
    for index, day in enumerate(days):
        promised_value = promised.get(day, _ZERO)
        received_value = received.get(day, _ZERO)
        x = index * _SLOT + 4
        bars.append(
            Bar(
                day=day,
                promised=promised_value,
                received=received_value,
                x=x,
                promised_y=_TOP + _PLOT - height(promised_value),
                promised_height=height(promised_value),
                received_y=_TOP + _PLOT - height(received_value),
                received_height=height(received_value),
                label=(today - day).days % 2 == 0,
                is_today=day == today,
            )
        )
    return CashChart(
        currency=currency,
        bars=bars,
        maximum=maximum,
        width=len(days) * _SLOT + 8,
        height=_TOP + _PLOT + 24,
        baseline=_TOP + _PLOT,
    )


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    overdue_actions: list[Action]
    today_actions: list[Action]
    due_today: list[PaymentPromise]
    broken: list[PaymentPromise]
    next_week: list[tuple[str, Decimal, int]]
    chart: CashChart


def dashboard(*, user, today: datetime.date) -> Dashboard:
    """The officer's day. A constant number of queries."""
    actions = list(open_actions_for(user=user).filter(due_date__lte=today))
    mine = PaymentPromise.objects.filter(_mine(user)).select_related("customer", "created_by")
    yesterday = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time())
    )
    week: dict[str, list] = defaultdict(lambda: [_ZERO, 0])
    for currency, total, count in (
        mine.open()
        .filter(promised_date__range=(today, today + datetime.timedelta(days=6)))
        .order_by()
        .values_list("currency")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .values_list("currency", "total", "count")
    ):
        week[currency] = [total, count]
    return Dashboard(
        today=today,
        overdue_actions=[action for action in actions if action.due_date < today],
        today_actions=[action for action in actions if action.due_date == today],
        due_today=list(_with_items(mine.open().filter(promised_date=today)).order_by("pk")),
        broken=list(
            _with_items(
                mine.filter(state=PromiseState.BROKEN, evaluated_at__gte=yesterday)
            ).order_by("-evaluated_at", "-pk")
        ),
        next_week=[(currency, *values) for currency, values in sorted(week.items())],
        chart=cash_chart(user=user, today=today),
    )
