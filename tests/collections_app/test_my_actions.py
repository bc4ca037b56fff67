from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from collections_app.models import Action
from tests.factories import ActionFactory, CustomerFactory, OpenItemFactory, UserFactory
from tests.utils import database_state

pytestmark = pytest.mark.django_db
MY_ACTIONS = reverse("collections:my-actions")
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def done_url(action):
    return reverse("collections:action-done", args=[action.pk])


def test_lists_my_open_actions_overdue_first(officer_client, officer, other_officer):
    customer = CustomerFactory(name="Dupont Industries")
    later = ActionFactory(
        customer=customer, assigned_to=officer, title="Later", due_date=datetime.date(2026, 12, 9)
    )
    ActionFactory(
        customer=customer,
        assigned_to=officer,
        title="Late one",
        due_date=datetime.date(2026, 12, 1),
    )
    ActionFactory(
        customer=customer, assigned_to=officer, title="Today's", due_date=datetime.date(2026, 12, 3)
    )
    items = OpenItemFactory.create_batch(7, customer=customer)
    later.items.set(items)
    ActionFactory(assigned_to=other_officer, title="Somebody else's")
    ActionFactory(assigned_to=officer, title="Already done", done_at=NOW)

    response = officer_client.get(MY_ACTIONS)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Late one") < html.index("Today&#x27;s") < html.index("Later")
    assertNotContains(response, "Somebody else")
    assertNotContains(response, "Already done")
    assertContains(response, "3 open actions")
    assertContains(response, "1 overdue")
    assertContains(response, "Dupont Industries")
    assertContains(response, reverse("collections:reminders", args=[customer.pk]))
    assertContains(response, "(7 items in all)")
    assertContains(response, items[0].number)


def test_queries_do_not_grow_with_actions_or_items(
    officer_client, officer, django_assert_max_num_queries
):
    customer = CustomerFactory()
    ActionFactory(customer=customer, assigned_to=officer)
    with django_assert_max_num_queries(10) as few:
        officer_client.get(MY_ACTIONS)
    for _ in range(20):
        action = ActionFactory(customer=CustomerFactory(), assigned_to=officer)
        action.items.set(OpenItemFactory.create_batch(3, customer=action.customer))
    with django_assert_max_num_queries(len(few.captured_queries)):
        officer_client.get(MY_ACTIONS)


def test_mark_done(officer_client, officer):
    action = ActionFactory(assigned_to=officer, title="Call back", customer__name="Acme")
    response = officer_client.post(done_url(action))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_at == NOW
    assert action.done_by == officer
    assertContains(officer_client.get(MY_ACTIONS), "“Call back” for Acme is done.")


def test_mark_done_with_htmx_swaps_the_list(officer_client, officer, htmx_headers):
    action = ActionFactory(assigned_to=officer, title="Call back")
    ActionFactory(assigned_to=officer, title="Still open")
    response = officer_client.post(done_url(action), headers=htmx_headers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="action-list"')
    assert "Still open" in html
    assert "is done." in html


def test_marking_done_twice_says_so(officer_client, officer):
    action = ActionFactory(assigned_to=officer, title="Call back")
    officer_client.post(done_url(action))
    before = database_state()
    response = officer_client.post(done_url(action))
    assertContains(response, "was already marked done", status_code=409)
    assert database_state() == before


def test_somebody_elses_action_is_refused(officer_client, other_officer):
    action = ActionFactory(assigned_to=other_officer)
    before = database_state()
    response = officer_client.post(done_url(action))
    assert response.status_code == 403
    assert database_state() == before


def test_an_administrator_may_complete_anybodys_action(admin_client_, officer, administrator):
    action = ActionFactory(assigned_to=officer)
    assert admin_client_.post(done_url(action)).status_code == 302
    action.refresh_from_db()
    assert action.done_by == administrator


def test_wrong_method_unknown_action_anonymous_and_no_role(client, officer):
    action = ActionFactory(assigned_to=officer)
    assert client.post(done_url(action)).status_code == 401  # sign in first
    client.force_login(officer)
    assert client.get(done_url(action)).status_code == 405
    assert client.post(reverse("collections:action-done", args=[98765])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(MY_ACTIONS).status_code == 403
    assert client.post(done_url(action)).status_code == 403
    assert Action.objects.get().done_at is None


def test_empty_list(officer_client):
    assertContains(officer_client.get(MY_ACTIONS), "No open action")
