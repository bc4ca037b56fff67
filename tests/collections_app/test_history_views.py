"""The History tab and the customer's comment: who may, wrong methods, htmx or
not, the older entries loaded as the officer scrolls."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from collections_app.models import StatusChange
from collections_app.timeline import PAGE_SIZE
from customers.models import CustomerComment
from customers.services import save_customer_comment
from tests.factories import (
    ActionFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    UserFactory,
)
from tests.utils import database_state, element

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer():
    return CustomerFactory(name="Dupont Industries")


def history_url(customer) -> str:
    return reverse("collections:history", args=[customer.pk])


def comment_url(customer) -> str:
    return reverse("collections:customer-comment", args=[customer.pk])


def many_entries(customer, count: int) -> None:
    for n in range(count):
        ActionFactory(
            customer=customer,
            title=f"Call number {n:03d}",
            created_at=NOW - datetime.timedelta(hours=n),
        )


class TestTheTab:
    def test_the_customer_file_has_the_tab(self, officer_client, customer):
        response = officer_client.get(reverse("customers:detail", args=[customer.pk]))
        assertContains(response, f'href="{history_url(customer)}"')

    @pytest.mark.parametrize("who", ["officer_client", "admin_client_"])
    def test_shows_the_history_and_the_comment(self, request, who, customer, officer):
        client = request.getfixturevalue(who)
        item = OpenItemFactory(customer=customer, number="INV-001")
        StatusChange.objects.create(
            item=item,
            status_after=ItemStatusFactory(label="Reminder sent"),
            cause="admin",
            changed_by=officer,
            changed_at=NOW,
        )
        save_customer_comment(
            customer=customer, text="Pays on the 10th", user=officer, based_on=None
        )
        response = client.get(history_url(customer))
        assert response.status_code == 200
        for text in ("Pays on the 10th", "Reminder sent", "INV-001", "Olivia Officer", "Data fix"):
            assertContains(response, text)
        assert element(response.content, "a", href=history_url(customer))["aria-current"] == "page"

    def test_empty(self, officer_client, customer):
        assertContains(officer_client.get(history_url(customer)), "Nothing has happened")

    def test_older_entries_load_as_the_officer_scrolls(
        self, officer_client, customer, htmx_headers
    ):
        many_entries(customer, PAGE_SIZE + 5)
        html = officer_client.get(history_url(customer)).content.decode()
        assert "Call number 000" in html
        assert f"Call number {PAGE_SIZE:03d}" not in html
        more = element(html, "li", id="history-more")
        assert more["hx-trigger"] == "intersect once"
        link = element(html, "a", href=more["hx-get"].replace("&amp;", "&"))
        response = officer_client.get(
            link["href"], headers={**htmx_headers, "HX-Target": "history-more"}
        )
        rows = response.content.decode()
        assert "<section" not in rows
        assert f"Call number {PAGE_SIZE:03d}" in rows
        assert f"Call number {PAGE_SIZE + 4:03d}" in rows
        assert "Call number 000" not in rows
        assert 'id="history-more"' not in rows
        # Without JavaScript the same link is a page of its own.
        page = officer_client.get(link["href"])
        assertContains(page, "Back to the newest events")
        assertContains(page, f"Call number {PAGE_SIZE:03d}")

    def test_a_hand_made_cursor_gets_the_newest_entries(self, officer_client, customer):
        many_entries(customer, 2)
        response = officer_client.get(history_url(customer) + "?after=2026-01-01~x~'")
        assertContains(response, "Call number 000")

    def test_htmx_gets_the_fragment_and_a_history_restore_the_page(
        self, officer_client, customer, htmx_headers
    ):
        html = officer_client.get(history_url(customer), headers=htmx_headers).content.decode()
        assert html.lstrip().startswith('<section id="history"')
        restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
        assert (
            "<html" in officer_client.get(history_url(customer), headers=restore).content.decode()
        )

    def test_queries_do_not_grow_with_the_history(
        self, officer_client, customer, django_assert_max_num_queries
    ):
        many_entries(customer, 3)
        with django_assert_max_num_queries(14) as few:
            officer_client.get(history_url(customer))
        many_entries(customer, 200)
        with django_assert_max_num_queries(len(few.captured_queries)):
            officer_client.get(history_url(customer))

    def test_who_may_not(self, client, customer):
        assert client.get(history_url(customer)).status_code == 302
        client.force_login(UserFactory())
        assert client.get(history_url(customer)).status_code == 403
        client.force_login(OfficerFactory())
        assert client.post(history_url(customer)).status_code == 405
        assert client.get(reverse("collections:history", args=[98765])).status_code == 404


class TestTheComment:
    def test_htmx_saves_it_and_swaps_in_the_history(
        self, officer_client, officer, customer, htmx_headers
    ):
        response = officer_client.post(
            comment_url(customer), {"text": "Pays late", "based_on": ""}, headers=htmx_headers
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="history"')
        assert "Comment saved" in html
        assert "Pays late" in html
        comment = CustomerComment.objects.get()
        assert (comment.text, comment.written_by) == ("Pays late", officer)
        assert element(html, "input", name="based_on")["value"] == str(comment.pk)

    def test_plain_post_redirects_to_the_tab(self, officer_client, customer):
        response = officer_client.post(comment_url(customer), {"text": "Pays late"})
        assert response.status_code == 302
        assert response["Location"] == history_url(customer)

    def test_any_officer_edits_it_and_the_versions_stay(self, client, officer, customer):
        first = save_customer_comment(customer=customer, text="v1", user=officer, based_on=None)
        client.force_login(OfficerFactory())
        client.post(comment_url(customer), {"text": "v2", "based_on": first.pk})
        response = client.get(history_url(customer))
        assertContains(response, "Replaced: “v1”")
        assert CustomerComment.objects.count() == 2

    def test_a_colleagues_version_is_not_overwritten_unread(
        self, officer_client, officer, customer, htmx_headers
    ):
        first = save_customer_comment(customer=customer, text="v1", user=officer, based_on=None)
        colleague = OfficerFactory(first_name="Oscar", last_name="Other")
        second = save_customer_comment(
            customer=customer, text="v2 by Oscar", user=colleague, based_on=first.pk
        )
        before = database_state()
        response = officer_client.post(
            comment_url(customer), {"text": "mine", "based_on": first.pk}, headers=htmx_headers
        )
        assertContains(response, "Oscar Other changed the comment", status_code=422)
        html = response.content.decode()
        assert "v2 by Oscar" in html  # their version, shown above the form
        assert element(html, "input", name="based_on")["value"] == str(second.pk)
        assert "mine</textarea>" in html  # the officer's text, kept to save again
        assert database_state() == before
        # Having read it, saving again replaces it.
        response = officer_client.post(
            comment_url(customer), {"text": "mine", "based_on": second.pk}, headers=htmx_headers
        )
        assert response.status_code == 200
        assert CustomerComment.objects.count() == 3

    def test_refusals(self, officer_client, customer):
        before = database_state()
        response = officer_client.post(comment_url(customer), {"text": "x" * 4001})
        assertContains(response, "at most 4000 characters", status_code=422)
        response = officer_client.post(comment_url(customer), {"text": ""})
        assertContains(response, "unchanged", status_code=422)
        response = officer_client.post(comment_url(customer), {"text": "x", "based_on": "abc"})
        assertContains(response, "This form is out of date: reload the page.", status_code=422)
        assert database_state() == before

    def test_who_may_not(self, client, customer, htmx_headers):
        before = database_state()
        assert client.post(comment_url(customer), {"text": "x"}).status_code == 401
        client.force_login(UserFactory())
        response = client.post(comment_url(customer), {"text": "x"}, headers=htmx_headers)
        assert response.status_code == 403
        assert response["HX-Retarget"] == "#messages"
        client.force_login(OfficerFactory())
        assert client.get(comment_url(customer)).status_code == 405
        assert database_state() == before
        assertNotContains(client.get(history_url(customer)), "x</blockquote>")
