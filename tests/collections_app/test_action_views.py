"""One action's page: reschedule, reassign, complete with an outcome (and resolve
its disputes); My actions in three groups. Who may, wrong methods, htmx or not."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from collections_app.models import Action, ActionEvent, OpenItem, StatusChange, StatusKind
from tests.factories import (
    ActionFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    UserFactory,
)
from tests.utils import database_state, elements

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
PANEL = {"HX-Request": "true", "HX-Target": "action-panel", "HX-Current-URL": "http://testserver/"}


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer():
    return CustomerFactory(name="Dupont Industries")


@pytest.fixture
def action(customer, officer):
    action = ActionFactory(
        customer=customer,
        assigned_to=officer,
        title="Review the price",
        due_date=datetime.date(2026, 12, 3),
        created_at=NOW - datetime.timedelta(days=1),
    )
    action.items.set(OpenItemFactory.create_batch(2, customer=customer))
    return action


def url(name: str, action) -> str:
    return reverse(f"collections:{name}", args=[action.pk])


class TestMyActions:
    def test_overdue_today_and_upcoming_apart(self, officer_client, officer, customer):
        for title, day in (("Late", 1), ("Now", 3), ("Soon", 9)):
            ActionFactory(
                customer=customer,
                assigned_to=officer,
                title=title,
                due_date=datetime.date(2026, 12, day),
            )
        html = officer_client.get(reverse("collections:my-actions")).content.decode()
        headings = [section["aria-labelledby"] for section in elements(html, "section")[1:]]
        assert headings == ["actions-overdue", "actions-today", "actions-upcoming"]
        overdue, today, upcoming = (
            html.index('id="actions-overdue"'),
            html.index('id="actions-today"'),
            html.index('id="actions-upcoming"'),
        )
        assert overdue < html.index("Late") < today < html.index("Now") < upcoming
        assert upcoming < html.index("Soon")
        assert 'Today <span class="count">(1)</span>' in html

    def test_each_action_links_to_its_page(self, officer_client, action):
        assertContains(officer_client.get(reverse("collections:my-actions")), url("action", action))


class TestThePage:
    def test_the_assignee_sees_the_forms(self, officer_client, action):
        response = officer_client.get(url("action", action))
        assert response.status_code == 200
        for text in (
            "Review the price",
            "Dupont Industries",
            "Reschedule",
            "Reassign",
            "Mark done",
        ):
            assertContains(response, text)
        assertNotContains(response, "Mark its items in dispute as")

    def test_a_dispute_can_be_resolved_from_it(self, officer_client, action):
        dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
        ItemStatusFactory(label="Settled", kind=StatusKind.DISPUTE_RESOLVED)
        ItemStatusFactory(label="Retired", kind=StatusKind.DISPUTE_RESOLVED, is_active=False)
        action.items.update(status=dispute)
        response = officer_client.get(url("action", action))
        assertContains(response, "Mark its items in dispute as")
        assertContains(response, "2 items of this action are in dispute.")
        assertContains(response, "Settled")
        assertNotContains(response, "Retired")

    def test_somebody_elses_action_is_shown_without_forms(self, client, action):
        client.force_login(OfficerFactory())
        response = client.get(url("action", action))
        assert response.status_code == 200
        assertContains(response, "assigned to somebody else")
        assertNotContains(response, "Reschedule</h3>")

    def test_administrators_may_work_it(self, admin_client_, action):
        assertContains(admin_client_.get(url("action", action)), "Reschedule</h3>")

    def test_htmx_gets_the_panel_and_a_history_restore_the_page(self, officer_client, action):
        html = officer_client.get(url("action", action), headers=PANEL).content.decode()
        assert html.lstrip().startswith('<section id="action-panel"')
        restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        assert (
            "<html" in officer_client.get(url("action", action), headers=restore).content.decode()
        )

    def test_who_may_not(self, client, action):
        assert client.get(url("action", action)).status_code == 302
        client.force_login(UserFactory())
        assert client.get(url("action", action)).status_code == 403
        client.force_login(OfficerFactory())
        assert client.post(url("action", action)).status_code == 405
        assert client.get(reverse("collections:action", args=[98765])).status_code == 404

    def test_queries_do_not_grow_with_items_and_events(
        self, officer_client, officer, action, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(14) as few:
            officer_client.get(url("action", action))
        action.items.add(*OpenItemFactory.create_batch(30, customer=action.customer))
        for day in range(10, 20):
            ActionEvent.objects.create(
                action=action,
                customer=action.customer,
                kind="rescheduled",
                by=officer,
                due_date_after=datetime.date(2026, 12, day),
            )
        with django_assert_max_num_queries(len(few.captured_queries)):
            officer_client.get(url("action", action))


class TestReschedule:
    def test_htmx(self, officer_client, action):
        response = officer_client.post(
            url("action-reschedule", action), {"reschedule-due_date": "2026-12-10"}, headers=PANEL
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="action-panel"')
        assert "“Review the price” is now due on 10/12/2026." in html
        assert "Rescheduled from 03/12/2026 to 10/12/2026" in html
        action.refresh_from_db()
        assert action.due_date == datetime.date(2026, 12, 10)

    def test_plain(self, officer_client, action):
        response = officer_client.post(
            url("action-reschedule", action), {"reschedule-due_date": "2026-12-10"}
        )
        assert response.status_code == 302
        assert response["Location"] == url("action", action)

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("2026-12-01", "today or later"),
            ("2062-12-10", "within two years, by 03/12/2028 at the latest: check the year"),
            ("", "This field is required"),
            ("soon", "valid date"),
        ],
    )
    def test_refusals(self, officer_client, action, value, message):
        before = database_state()
        response = officer_client.post(
            url("action-reschedule", action), {"reschedule-due_date": value}, headers=PANEL
        )
        assertContains(response, message, status_code=422)
        response = officer_client.post(
            url("action-reschedule", action), {"reschedule-due_date": value}
        )
        assertContains(response, "<html", status_code=422)
        assert database_state() == before

    def test_who_may_not(self, client, action):
        data = {"reschedule-due_date": "2026-12-10"}
        before = database_state()
        assert client.post(url("action-reschedule", action), data).status_code == 401
        client.force_login(OfficerFactory())
        response = client.post(url("action-reschedule", action), data)
        assertContains(response, "assigned to somebody else", status_code=403)
        assert client.get(url("action-reschedule", action)).status_code == 405
        client.force_login(UserFactory())
        assert client.post(url("action-reschedule", action), data).status_code == 403
        assert database_state() == before


class TestReassign:
    def test_htmx_and_the_officer_loses_it(self, officer_client, action):
        other = OfficerFactory(first_name="Paula", last_name="Other")
        response = officer_client.post(
            url("action-reassign", action), {"reassign-assigned_to": other.pk}, headers=PANEL
        )
        assertContains(response, "“Review the price” is now assigned to Paula Other.")
        assertContains(response, "assigned to somebody else")
        assert Action.objects.get().assigned_to == other
        assert ActionEvent.objects.get().assigned_after == other

    def test_refusals(self, officer_client, officer, action):
        before = database_state()
        response = officer_client.post(
            url("action-reassign", action), {"reassign-assigned_to": officer.pk}, headers=PANEL
        )
        assertContains(response, "already assigned to Olivia Officer", status_code=422)
        outsider = UserFactory()
        response = officer_client.post(
            url("action-reassign", action), {"reassign-assigned_to": outsider.pk}
        )
        assertContains(response, "Select a valid choice", status_code=422)
        assert database_state() == before

    def test_an_administrator_reassigns_anybodys(self, admin_client_, action):
        other = OfficerFactory()
        response = admin_client_.post(
            url("action-reassign", action), {"reassign-assigned_to": other.pk}
        )
        assert response.status_code == 302


class TestComplete:
    def test_with_an_outcome_and_the_disputes_resolved(self, officer_client, officer, action):
        dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
        settled = ItemStatusFactory(label="Settled", kind=StatusKind.DISPUTE_RESOLVED)
        action.items.update(status=dispute)
        response = officer_client.post(
            url("action-done", action),
            {"complete-note": "Credit note agreed", "complete-resolution": settled.pk},
            headers=PANEL,
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="action-panel"')
        assert "is done. 2 items marked “Settled”." in html
        assert "Credit note agreed" in html
        assert set(OpenItem.objects.values_list("status", flat=True)) == {settled.pk}
        assert StatusChange.objects.filter(action=action).count() == 2

    def test_resolving_needs_the_permission_to_change_statuses(self, client, action):
        dispute = ItemStatusFactory(kind=StatusKind.DISPUTE)
        settled = ItemStatusFactory(kind=StatusKind.DISPUTE_RESOLVED)
        action.items.update(status=dispute)
        user = UserFactory()
        user.user_permissions.add(
            *Permission.objects.filter(
                codename__in=["view_action", "change_action", "complete_any_action"]
            )
        )
        client.force_login(user)
        response = client.post(
            url("action-done", action), {"complete-resolution": settled.pk}, headers=PANEL
        )
        # The field is not offered: the action is done, its items untouched.
        assert response.status_code == 200
        assert set(OpenItem.objects.values_list("status", flat=True)) == {dispute.pk}

    def test_a_refused_resolution_keeps_the_action_open(self, officer_client, action):
        settled = ItemStatusFactory(kind=StatusKind.DISPUTE_RESOLVED)
        before = database_state()
        response = officer_client.post(
            url("action-done", action), {"complete-resolution": settled.pk}, headers=PANEL
        )
        assertContains(response, "is in dispute any more", status_code=409)
        assert database_state() == before

    def test_from_the_list_with_a_next_page(self, officer_client, action):
        response = officer_client.post(url("action-done", action), {"next": url("action", action)})
        assert response["Location"] == url("action", action)
        other = ActionFactory(assigned_to=action.assigned_to)
        response = officer_client.post(url("action-done", other), {"next": "https://evil.test/"})
        assert response["Location"] == reverse("collections:my-actions")
