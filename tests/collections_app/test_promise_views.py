"""The customer's Promises tab, the officer's home dashboard, and Preferences ›
Promise tracking: who may see them, what they show, their queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from collections_app.models import (
    ImportChange,
    ImportChangeKind,
    ImportRun,
    PaymentPromise,
    PromiseSource,
    PromiseState,
    QuickPromisePreference,
)
from collections_app.promise_selectors import keep_rate, year_before
from tests.factories import (
    ActionFactory,
    CustomerFactory,
    ItemStatusFactory,
    OpenItemFactory,
    UserFactory,
    configure_quick_promise,
)
from tests.utils import element, elements

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime.date(2026, 12, 4)
NOW = datetime.datetime(2026, 12, 4, 9, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer(officer):
    return CustomerFactory(code="0042-DUP", name="Dupont Logistics", collector=officer)


def make_promise(customer, *, state=PromiseState.OPEN, days=0, amount="100.00", paid="0", **kw):
    item = OpenItemFactory(customer=customer, amount=Decimal(amount))
    promise = PaymentPromise.objects.create(
        customer=customer,
        promised_date=TODAY + datetime.timedelta(days=days),
        amount=Decimal(amount),
        paid_amount=Decimal(paid),
        source=PromiseSource.QUICK_PROMISE,
        state=state,
        evaluated_at=None if state == PromiseState.OPEN else NOW,
        created_by=customer.collector,
        **kw,
    )
    promise.lines.create(item=item, amount=Decimal(amount), paid_amount=Decimal(paid))
    return promise


class TestPromisesTab:
    def url(self, customer):
        return reverse("collections:promises", args=[customer.pk])

    def test_lists_promises_with_their_states_and_the_keep_rate(self, officer_client, customer):
        make_promise(customer, state=PromiseState.KEPT, days=-10, paid="100.00")
        make_promise(customer, state=PromiseState.BROKEN, days=-5, amount="300.00")
        make_promise(customer, state=PromiseState.PARTIALLY_KEPT, days=-3, paid="50.00")
        make_promise(customer, days=2)
        response = officer_client.get(self.url(customer))
        assertContains(response, "Kept")
        assertContains(response, "Broken")
        assertContains(response, "Partially kept")
        assertContains(response, "Open")
        rate = response.context["rate"]
        assert (rate.evaluated, rate.kept, rate.by_count) == (3, 1, Decimal("33"))
        # 150 received against 500 promised.
        assert rate.by_amount == Decimal("30")
        assert element(response.content, "dd", data_testid="keep-rate-count")
        assert element(response.content, "a", href=self.url(customer))["aria-current"] == "page"

    def test_keep_rate_counts_the_last_twelve_months_only(self, customer):
        make_promise(customer, state=PromiseState.BROKEN, days=-366)
        make_promise(customer, state=PromiseState.KEPT, days=-364, paid="100.00")
        make_promise(customer, state=PromiseState.CANCELLED, days=-3)
        rate = keep_rate(customer=customer, today=TODAY)
        assert (rate.evaluated, rate.by_count, rate.by_amount) == (1, 100, 100)

    def test_keep_rate_by_amount_in_the_customers_currency(self, customer):
        make_promise(customer, state=PromiseState.KEPT, days=-3, paid="100.00")
        make_promise(customer, state=PromiseState.BROKEN, days=-3, currency="USD")
        rate = keep_rate(customer=customer, today=TODAY)
        assert (rate.by_count, rate.by_amount) == (50, 100)

    def test_leap_day(self):
        assert year_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)

    def test_without_promises(self, officer_client, customer):
        response = officer_client.get(self.url(customer))
        assertContains(response, "No promise recorded")
        assertContains(response, "No promise evaluated over the last 12 months yet.")

    def test_queries_do_not_grow_with_the_promises(
        self, officer_client, customer, django_assert_max_num_queries
    ):
        make_promise(customer)
        with django_assert_max_num_queries(12) as few:
            officer_client.get(self.url(customer))
        for days in range(20):
            make_promise(customer, state=PromiseState.KEPT, days=-days, paid="100.00")
        with django_assert_max_num_queries(len(few.captured_queries)):
            officer_client.get(self.url(customer))

    def test_access(self, client, customer, administrator):
        url = self.url(customer)
        assert client.get(url).status_code == 302
        client.force_login(UserFactory())
        assert client.get(url).status_code == 403
        client.force_login(administrator)
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405
        assert client.get(reverse("collections:promises", args=[999999])).status_code == 404


class TestDashboard:
    url = reverse("home")

    def test_shows_the_officers_day(self, officer_client, officer, customer, other_officer):
        ActionFactory(
            customer=customer,
            title="Late call",
            assigned_to=officer,
            due_date=TODAY - datetime.timedelta(days=1),
        )
        ActionFactory(customer=customer, title="Call today", assigned_to=officer, due_date=TODAY)
        ActionFactory(
            customer=customer,
            title="Next week",
            assigned_to=officer,
            due_date=TODAY + datetime.timedelta(days=7),
        )
        ActionFactory(
            customer=customer, title="Not mine", assigned_to=other_officer, due_date=TODAY
        )
        make_promise(customer, amount="250.00")  # due today
        make_promise(customer, days=3, amount="1000.00")
        make_promise(customer, days=9, amount="7.00")  # beyond the week
        make_promise(customer, state=PromiseState.BROKEN, days=-2, amount="80.00")
        others = CustomerFactory(collector=other_officer)
        make_promise(others, amount="999.00")
        response = officer_client.get(self.url)
        assert response.status_code == 200
        board = response.context["board"]
        assert [a.title for a in board.overdue_actions] == ["Late call"]
        assert [a.title for a in board.today_actions] == ["Call today"]
        assert [p.amount for p in board.due_today] == [Decimal("250.00")]
        assert [p.amount for p in board.broken] == [Decimal("80.00")]
        assert board.next_week == [("EUR", Decimal("1250.00"), 2)]
        assertContains(response, "Late call")
        assertNotContains(response, "Not mine")
        assertNotContains(response, "999.00")
        assertContains(response, "1,250.00 EUR")

    def test_chart_draws_promised_and_received_by_day(self, officer_client, customer):
        make_promise(customer, days=1, amount="400.00")
        make_promise(customer, days=-1, amount="200.00")
        item = OpenItemFactory(customer=customer, amount=Decimal("500.00"))
        run = ImportRun.objects.create(file_name="f.csv")
        ImportChange.objects.create(
            run=run,
            item=item,
            kind=ImportChangeKind.AMOUNT,
            open_amount_before=Decimal("500.00"),
            open_amount_after=Decimal("200.00"),
            changed_at=NOW - datetime.timedelta(days=1),
        )
        response = officer_client.get(self.url)
        chart = response.context["board"].chart
        by_day = {bar.day: (bar.promised, bar.received) for bar in chart.bars}
        assert by_day[TODAY + datetime.timedelta(days=1)] == (Decimal("400.00"), 0)
        assert by_day[TODAY - datetime.timedelta(days=1)] == (Decimal("200.00"), Decimal("300.00"))
        assert len(chart.bars) == 20
        promised = elements(response.content, "rect", **{"class": "chart-promised"})
        assert len(promised) == 20
        assert max(int(rect["height"]) for rect in promised) == 150  # the tallest: 400
        assert element(response.content, "svg", role="img")["aria-labelledby"] == "cash-chart-title"
        # No inline style anywhere (the CSP forbids them).
        assert b"style=" not in response.content

    def test_queries_do_not_grow(
        self, officer_client, customer, officer, django_assert_max_num_queries
    ):
        # One of each: a promise due today, one broken, an action due.
        make_promise(customer)
        make_promise(customer, state=PromiseState.BROKEN)
        ActionFactory(customer=customer, assigned_to=officer, due_date=TODAY)
        with django_assert_max_num_queries(20) as few:
            officer_client.get(self.url)
        for days in range(-3, 4):
            make_promise(customer, days=days)
            make_promise(customer, state=PromiseState.BROKEN, days=days)
            ActionFactory(customer=customer, assigned_to=officer, due_date=TODAY)
        with django_assert_max_num_queries(len(few.captured_queries)):
            officer_client.get(self.url)

    def test_is_the_home_page_after_sign_in(self, client, officer):
        client.force_login(officer)
        assert client.get("/").status_code == 200
        nav = element(client.get("/").content, "a", href="/", aria_current="page")
        assert nav is not None

    def test_users_without_collection_work_get_the_customer_list(self, client):
        client.force_login(UserFactory())
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"] == reverse("customers:list")

    def test_anonymous_and_wrong_method(self, client, officer):
        assert client.get(self.url).status_code == 302
        client.force_login(officer)
        assert client.post(self.url).status_code == 405


class TestPromiseTrackingPreferences:
    url = reverse("collections:promise-preferences")

    def test_saves_grace_and_broken_status(self, admin_client_, administrator):
        configure_quick_promise()
        broken = ItemStatusFactory(label="Broken promise")
        response = admin_client_.post(
            self.url, {"tracking-grace_days": "2", "tracking-broken_status": broken.pk}
        )
        assert response.status_code == 302
        preference = QuickPromisePreference.load()
        assert (preference.grace_days, preference.broken_status) == (2, broken)
        assertContains(
            admin_client_.get(response["Location"]),
            "Promise tracking saved: 2 day(s) of grace, broken promises to “Broken promise”.",
        )

    def test_defaults_to_one_day_and_no_status(self, admin_client_):
        page = admin_client_.get(reverse("collections:preferences"))
        assert element(page.content, "input", name="tracking-grace_days")["value"] == "1"
        assert QuickPromisePreference.load().grace_days == 1

    @pytest.mark.parametrize(
        ("grace", "message"),
        [
            ("31", "less than or equal to 30"),
            ("-1", "greater than or equal to 0"),
            ("", "Give the grace period"),
        ],
    )
    def test_refuses_bad_grace(self, admin_client_, grace, message):
        response = admin_client_.post(self.url, {"tracking-grace_days": grace})
        assert response.status_code == 422
        assertContains(response, message, status_code=422)

    def test_refuses_an_inactive_status(self, admin_client_):
        inactive = ItemStatusFactory(is_active=False)
        response = admin_client_.post(
            self.url, {"tracking-grace_days": "1", "tracking-broken_status": inactive.pk}
        )
        assertContains(response, "is inactive", status_code=422)

    def test_officers_may_not(self, client, officer):
        assert client.post(self.url).status_code == 401
        client.force_login(officer)
        assert client.post(self.url, {"tracking-grace_days": "1"}).status_code == 403

    def test_get_is_refused(self, admin_client_):
        assert admin_client_.get(self.url).status_code == 405
