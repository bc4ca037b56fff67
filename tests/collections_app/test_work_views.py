"""The statement's Change status, New action and resolver: who may, the wrong
method, and the htmx (dialog) and plain (page of its own) answers."""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from pytest_django.asserts import assertContains

from collections_app.models import Action, OpenItem, StatusChange, StatusKind
from tests.factories import (
    ActionTemplateFactory,
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    UserFactory,
)
from tests.utils import database_state, element, elements

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer():
    return CustomerFactory(name="Dupont Industries")


@pytest.fixture
def items(customer):
    return [
        OpenItemFactory(customer=customer, number="INV-001", due_date=datetime.date(2026, 11, 1)),
        OpenItemFactory(customer=customer, number="INV-002", due_date=datetime.date(2026, 12, 20)),
    ]


@pytest.fixture
def dispute():
    return ItemStatusFactory(label="Price dispute", kind=StatusKind.DISPUTE)


@pytest.fixture
def resolver():
    return OfficerFactory(username="roger", first_name="Roger", last_name="Resolver")


def change_url(customer) -> str:
    return reverse("collections:change-status", args=[customer.pk])


def action_url(customer) -> str:
    return reverse("collections:new-action", args=[customer.pk])


def statement_url(customer) -> str:
    return reverse("collections:reminders", args=[customer.pk])


def dispute_data(items, dispute, resolver, **extra) -> dict:
    return {
        "items": [item.pk for item in items],
        "status-status": dispute.pk,
        "status-status_date": "2026-12-04",
        "status-comment": "Unit price disputed",
        "status-resolver": resolver.pk,
        "status-next_step": "follow",
        **extra,
    }


class TestTheStatement:
    def test_offers_the_dialogs_with_the_selection_buttons(
        self, officer_client, customer, items, dispute
    ):
        response = officer_client.get(statement_url(customer))
        html = response.content.decode()
        button = element(html, "button", data_open_dialog="change-status-dialog")
        assert button["formaction"] == change_url(customer)
        assert button["type"] == "submit"  # without JavaScript: the form's own page
        assert "data-needs-selection" in button
        assert element(html, "button", data_open_dialog="new-action-dialog")
        assert element(html, "dialog", id="change-status-dialog")
        assert "novalidate" in element(html, "form", id="statement-form")
        # The dialogs' fields are not in the page: loaded when a dialog opens,
        # its button disabled until then.
        assert not elements(html, "select", name="status-status")
        body = element(html, "div", id="change-status-fields")
        assert body["data-fields-url"] == change_url(customer)
        assert element(html, "div", id="new-action-fields")["data-fields-url"] == action_url(
            customer
        )
        for button in elements(html, "button", data_dialog_submit=None):
            assert "disabled" in button

    def test_the_dialogs_fields_arrive_on_opening(
        self, officer_client, customer, items, dispute, htmx_headers
    ):
        response = officer_client.get(change_url(customer), headers=htmx_headers)
        assert response.status_code == 200
        html = response.content.decode()
        # Sent with the statement's form, and a dispute option tells the script
        # to ask for a resolver.
        status = element(html, "select", name="status-status")
        assert status["form"] == "statement-form"
        option = element(html, "option", value=str(dispute.pk), data_kind=None)
        assert option["data-kind"] == "dispute"
        assert element(html, "input", name="next-due_date")["value"] == "2026-12-10"
        # The date pickers offer today to two years ahead, as the services accept.
        date = element(html, "input", name="status-status_date")
        assert (date["min"], date["max"]) == ("2026-12-03", "2028-12-03")
        assert not elements(html, "dialog")  # the fields only
        html = officer_client.get(action_url(customer), headers=htmx_headers).content.decode()
        assert element(html, "input", name="action-due_date")["form"] == "statement-form"

    def test_the_dialogs_fields_without_htmx_are_the_statement(self, officer_client, customer):
        response = officer_client.get(change_url(customer) + "?overdue=on")
        assert response.status_code == 302
        assert response["Location"] == statement_url(customer) + "?overdue=on"
        assert officer_client.get(action_url(customer))["Location"] == statement_url(customer)

    def test_the_dialogs_fields_need_the_permission(self, client, customer, items, htmx_headers):
        user = UserFactory()
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_customer", "view_openitem"])
        )
        client.force_login(user)
        assert client.get(change_url(customer), headers=htmx_headers).status_code == 403
        assert client.get(action_url(customer), headers=htmx_headers).status_code == 403

    def test_not_offered_without_the_permissions(self, client, customer, items):
        user = UserFactory()
        user.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_customer", "view_openitem"])
        )
        client.force_login(user)
        html = client.get(statement_url(customer)).content.decode()
        assert not elements(html, "button", data_open_dialog=None)
        assert not elements(html, "dialog")

    def test_shows_the_status_details(self, officer_client, customer, items, dispute, resolver):
        OpenItem.objects.filter(pk=items[0].pk).update(
            status=dispute,
            status_date=datetime.date(2026, 12, 3),
            status_comment="Price of line 3",
            status_set_by=resolver,
            resolver=resolver,
        )
        response = officer_client.get(statement_url(customer))
        assertContains(response, "Price of line 3")
        assertContains(response, "Resolver: Roger Resolver")
        assertContains(response, "03/12/2026 · Roger Resolver")
        assertContains(
            response, reverse("collections:item-resolver", args=[customer.pk, items[0].pk])
        )


class TestChangeStatus:
    def test_htmx_swaps_in_the_statement_and_closes_the_dialog(
        self, officer_client, officer, customer, items, dispute, resolver, htmx_headers
    ):
        response = officer_client.post(
            change_url(customer), dispute_data(items, dispute, resolver), headers=htmx_headers
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section id="statement"')
        assert "items-changed" in json.loads(response["HX-Trigger"])
        assert "2 items set to “Price dispute” (04/12/2026), resolver Roger Resolver." in html
        assert "Unit price disputed" in html
        for item in items:
            item.refresh_from_db()
            assert (item.status, item.resolver, item.status_set_by) == (dispute, resolver, officer)
        assert StatusChange.objects.count() == 2

    def test_plain_post_redirects_to_the_statement_with_its_filters(
        self, officer_client, customer, items, dispute, resolver
    ):
        response = officer_client.post(
            change_url(customer) + "?sort=-due_date", dispute_data(items, dispute, resolver)
        )
        assert response.status_code == 302
        assert response["Location"] == statement_url(customer) + "?sort=-due_date"
        assertContains(officer_client.get(response["Location"]), "2 items set to")

    def test_with_a_specific_action_from_a_template(
        self, officer_client, customer, items, dispute, resolver, htmx_headers
    ):
        template = ActionTemplateFactory(name="Dispute review", title="Review the price")
        data = dispute_data(
            items,
            dispute,
            resolver,
            **{
                "status-next_step": "action",
                "next-template": template.pk,
                "next-action_type": "task",
                "next-title": "",
                "next-due_date": "2026-12-10",
                "next-assigned_to": resolver.pk,
                "next-text": "",
            },
        )
        response = officer_client.post(change_url(customer), data, headers=htmx_headers)
        assert response.status_code == 200
        action = Action.objects.get()
        assert (action.title, action.text, action.template) == (
            "Review the price",
            template.text,
            template,
        )
        assert action.assigned_to == resolver
        assert action.items.count() == 2

    def test_a_specific_action_asked_for_on_items_already_in_that_state_is_created(
        self, officer_client, customer, items, dispute, resolver, htmx_headers
    ):
        officer_client.post(
            change_url(customer), dispute_data(items, dispute, resolver), headers=htmx_headers
        )
        key = "0b8f3b56-8d0e-4b8e-9c39-4a1d7c5e2f10"
        data = dispute_data(
            items,
            dispute,
            resolver,
            **{
                "status-next_step": "action",
                "next-action_type": "call",
                "next-title": "Call the buyer about the price",
                "next-due_date": "2026-12-10",
                "next-assigned_to": resolver.pk,
                "next-form_key": key,
            },
        )
        response = officer_client.post(change_url(customer), data, headers=htmx_headers)
        assertContains(response, "already had the status")
        assertContains(response, "Call the buyer about the price")
        action = Action.objects.get(title="Call the buyer about the price")
        assert action.items.count() == 2
        # Sent again: the form's key finds the action, no second one, and the
        # answer says the first sending did it (not a refusal in the dialog).
        again = officer_client.post(change_url(customer), data, headers=htmx_headers)
        assert again.status_code == 200
        assertContains(again, "was already created from this form")
        assert Action.objects.filter(title="Call the buyer about the price").count() == 1

    def test_the_action_is_ignored_when_following_the_course(
        self, officer_client, customer, items, dispute, resolver, htmx_headers
    ):
        data = dispute_data(items, dispute, resolver, **{"next-title": "", "next-due_date": "x"})
        response = officer_client.post(change_url(customer), data, headers=htmx_headers)
        assert response.status_code == 200
        assert not Action.objects.exists()

    def test_a_refusal_comes_back_into_the_dialog(
        self, officer_client, customer, items, dispute, htmx_headers
    ):
        before = database_state()
        data = {
            "items": [items[0].pk],
            "status-status": dispute.pk,
            "status-status_date": "2026-12-01",
            "status-next_step": "action",
            "next-action_type": "call",
            "next-title": "",
            "next-due_date": "2026-12-10",
        }
        response = officer_client.post(change_url(customer), data, headers=htmx_headers)
        assert response.status_code == 422
        assert response["HX-Retarget"] == "#change-status-fields"
        assert response["HX-Reswap"] == "innerHTML"
        html = response.content.decode()
        assert "<section" not in html
        assert 'role="alert"' in html
        assert "The date must be today or later." in html
        assert "A dispute needs a resolver" in html
        assert "Give the action a title, or choose a template." in html
        # Still the dialog's fields, sent with the statement's form.
        assert element(html, "select", name="status-status")["form"] == "statement-form"
        data["status-status_date"] = "2062-12-01"
        html = officer_client.post(
            change_url(customer), data, headers=htmx_headers
        ).content.decode()
        assert "The date must be within two years, by 03/12/2028 at the latest" in html
        assert database_state() == before

    def test_a_service_refusal_says_why_in_the_dialog(
        self, officer_client, customer, items, dispute, resolver, htmx_headers
    ):
        OpenItem.objects.filter(pk=items[1].pk).update(open_amount=Decimal("0"))
        before = database_state()
        response = officer_client.post(
            change_url(customer), dispute_data(items, dispute, resolver), headers=htmx_headers
        )
        assertContains(response, "INV-002 is already paid or closed", status_code=422)
        assert database_state() == before

    def test_a_refusal_without_javascript_shows_the_page_again(
        self, officer_client, customer, items, dispute
    ):
        before = database_state()
        response = officer_client.post(
            change_url(customer),
            {"items": [items[0].pk], "status-status": dispute.pk, "status-next_step": "follow"},
        )
        assertContains(response, "<html", status_code=422)
        assertContains(response, "A dispute needs a resolver", status_code=422)
        html = response.content.decode()
        # The selection is kept in the page's own form, whose fields are its own.
        assert element(html, "input", type="hidden", name="items")["value"] == str(items[0].pk)
        assert "form" not in element(html, "select", name="status-status")
        assert database_state() == before

    def test_without_javascript_the_button_opens_the_forms_page(
        self, officer_client, customer, items
    ):
        response = officer_client.post(
            change_url(customer),
            {"items": [items[1].pk, items[0].pk], "open": "change-status"},
        )
        assert response.status_code == 200
        assertContains(response, "2 items selected: INV-001, INV-002")
        html = response.content.decode()
        form = element(html, "form", action=change_url(customer))
        assert form["method"] == "post"
        ids = {box["value"] for box in elements(html, "input", type="hidden", name="items")}
        assert ids == {str(items[0].pk), str(items[1].pk)}
        assert not StatusChange.objects.exists()

    def test_all_matching_items_with_the_statements_filters(
        self, officer_client, customer, items, dispute, resolver, htmx_headers
    ):
        CreditNoteFactory(customer=customer, number="CN-1")  # not selectable
        data = dispute_data([], dispute, resolver, all_matching="1")
        response = officer_client.post(
            change_url(customer) + "?overdue=on", data, headers=htmx_headers
        )
        assert response.status_code == 200
        assert set(OpenItem.objects.filter(status=dispute).values_list("number", flat=True)) == {
            "INV-001"
        }

    def test_administrators_may_too(self, admin_client_, customer, items, dispute, resolver):
        response = admin_client_.post(change_url(customer), dispute_data(items, dispute, resolver))
        assert response.status_code == 302
        assert StatusChange.objects.count() == 2

    def test_who_may_not_and_the_wrong_method(
        self, client, customer, items, dispute, resolver, htmx_headers
    ):
        data = dispute_data(items, dispute, resolver)
        before = database_state()
        assert client.post(change_url(customer), data).status_code == 401
        client.force_login(UserFactory())
        assert client.post(change_url(customer), data).status_code == 403
        response = client.post(change_url(customer), data, headers=htmx_headers)
        assert response.status_code == 403
        assert response["HX-Retarget"] == "#messages"
        client.force_login(OfficerFactory())
        assert client.put(change_url(customer)).status_code == 405
        assert (
            client.post(reverse("collections:change-status", args=[98765]), data).status_code == 404
        )
        assert database_state() == before


class TestNewAction:
    def data(self, items, officer, **extra) -> dict:
        return {
            "items": [item.pk for item in items],
            "action-action_type": "letter",
            "action-title": "Send the statement",
            "action-due_date": "2026-12-05",
            "action-assigned_to": officer.pk,
            "action-text": "",
            **extra,
        }

    def test_htmx_creates_it_and_swaps_in_the_statement(
        self, officer_client, officer, customer, items, htmx_headers
    ):
        response = officer_client.post(
            action_url(customer), self.data(items, officer), headers=htmx_headers
        )
        assert response.status_code == 200
        assert "items-changed" in json.loads(response["HX-Trigger"])
        assertContains(
            response, "Action “Send the statement” created for Olivia Officer, due 05/12/2026."
        )
        action = Action.objects.get()
        assert action.items.count() == 2
        assert not StatusChange.objects.exists()

    def test_plain_post_redirects(self, officer_client, officer, customer, items):
        response = officer_client.post(action_url(customer), self.data(items, officer))
        assert response.status_code == 302
        assert response["Location"] == statement_url(customer)

    def test_refusals(self, officer_client, officer, customer, items, htmx_headers):
        foreign = OpenItemFactory()
        before = database_state()
        response = officer_client.post(
            action_url(customer),
            self.data(items, officer, **{"action-due_date": "2026-12-01"}),
            headers=htmx_headers,
        )
        assertContains(response, "The action must be due today or later.", status_code=422)
        assert response["HX-Retarget"] == "#new-action-fields"
        response = officer_client.post(
            action_url(customer),
            self.data(items, officer, **{"action-due_date": "9999-12-31"}),
            headers=htmx_headers,
        )
        assertContains(response, "within two years, by 03/12/2028", status_code=422)
        response = officer_client.post(
            action_url(customer), self.data([foreign], officer), headers=htmx_headers
        )
        assertContains(response, "does not belong to Dupont Industries", status_code=422)
        response = officer_client.post(action_url(customer), self.data([], officer))
        assertContains(response, "Select at least one item", status_code=422)
        assertContains(response, "No item selected", status_code=422)
        assert database_state() == before

    def test_the_same_form_sent_twice_creates_one_action(
        self, officer_client, officer, customer, items
    ):
        # Without JavaScript: the form's own page gives the form its key.
        page = officer_client.post(
            action_url(customer), {"items": [items[0].pk], "open": "new-action"}
        ).content.decode()
        key = element(page, "input", name="action-form_key")["value"]
        again = officer_client.post(
            action_url(customer), {"items": [items[0].pk], "open": "new-action"}
        ).content.decode()
        assert element(again, "input", name="action-form_key")["value"] != key
        data = self.data(items, officer, **{"action-form_key": key})
        first = officer_client.post(action_url(customer), data)
        second = officer_client.post(action_url(customer), data)
        assert (first.status_code, second.status_code) == (302, 302)
        assert Action.objects.count() == 1
        assertContains(
            officer_client.get(second["Location"]),
            "was already created from this form: nothing more was done.",
        )
        # Sent again changed (the officer thought the first had failed): still one
        # action, and the answer says what was kept and that the change was not.
        changed = officer_client.post(
            action_url(customer), {**data, "action-title": "Call again about it"}
        )
        assert changed.status_code == 302
        assertContains(
            officer_client.get(changed["Location"]),
            "This form had already created “Send the statement”, due 05/12/2026; what was "
            "sent again was not saved.",
        )
        assert Action.objects.count() == 1
        # Another form (another key) is another action.
        officer_client.post(
            action_url(customer),
            self.data(items, officer, **{"action-form_key": str(uuid.uuid4())}),
        )
        assert Action.objects.count() == 2

    def test_a_damaged_form_key_is_refused_with_a_message(
        self, officer_client, officer, customer, items
    ):
        response = officer_client.post(
            action_url(customer), self.data(items, officer, **{"action-form_key": "x"})
        )
        assertContains(
            response, "This form is damaged: close it and open it again.", status_code=422
        )
        assert not Action.objects.exists()

    def test_the_forms_own_page(self, officer_client, customer, items):
        response = officer_client.post(
            action_url(customer), {"items": [items[0].pk], "open": "new-action"}
        )
        assertContains(response, "1 item selected: INV-001")
        assertContains(response, "Create the action")

    def test_who_may_not_and_the_wrong_method(self, client, officer, customer, items):
        data = self.data(items, officer)
        assert client.post(action_url(customer), data).status_code == 401
        client.force_login(UserFactory())
        assert client.post(action_url(customer), data).status_code == 403
        client.force_login(officer)
        assert client.put(action_url(customer)).status_code == 405
        assert not Action.objects.exists()


class TestResolver:
    @pytest.fixture
    def disputed(self, items, dispute, resolver):
        OpenItem.objects.filter(pk__in=[item.pk for item in items]).update(
            status=dispute, resolver=resolver
        )
        return items

    def url(self, customer, item) -> str:
        return reverse("collections:item-resolver", args=[customer.pk, item.pk])

    def test_the_page(self, officer_client, customer, disputed):
        response = officer_client.get(self.url(customer, disputed[0]))
        assertContains(response, "Change the resolver of INV-001")
        assertContains(response, "2 outstanding items of this customer have the status")

    def test_on_one_item(self, officer_client, customer, disputed, resolver):
        other = OfficerFactory(first_name="Paula", last_name="Other")
        response = officer_client.post(
            self.url(customer, disputed[0]), {"resolver": other.pk, "scope": "item"}
        )
        assert response.status_code == 302
        assert response["Location"] == statement_url(customer)
        assert list(OpenItem.objects.order_by("number").values_list("resolver", flat=True)) == [
            other.pk,
            resolver.pk,
        ]

    def test_on_every_item_with_htmx(self, officer_client, customer, disputed, htmx_headers):
        other = OfficerFactory()
        response = officer_client.post(
            self.url(customer, disputed[0]),
            {"resolver": other.pk, "scope": "status"},
            headers=htmx_headers,
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == statement_url(customer)
        assert OpenItem.objects.filter(resolver=other).count() == 2

    def test_refusals(self, officer_client, customer, disputed, items, resolver, htmx_headers):
        gone = OfficerFactory(is_active=False)
        before = database_state()
        response = officer_client.post(
            self.url(customer, disputed[0]), {"resolver": gone.pk, "scope": "item"}
        )
        assertContains(response, "Select a valid choice", status_code=422)
        OpenItem.objects.filter(pk=items[0].pk).update(status=None)
        before = database_state()
        response = officer_client.post(
            self.url(customer, items[0]),
            {"resolver": resolver.pk, "scope": "item"},
            headers=htmx_headers,
        )
        assertContains(response, "not in dispute any more", status_code=422)
        assert '<form id="resolver-form"' in response.content.decode()
        assert database_state() == before
        page = officer_client.get(self.url(customer, items[0]))
        assertContains(page, "This item is not in dispute")

    def test_who_may_not_and_the_wrong_method(self, client, officer, customer, disputed):
        url = self.url(customer, disputed[0])
        assert client.get(url).status_code == 302
        client.force_login(UserFactory())
        assert client.get(url).status_code == 403
        client.force_login(officer)
        assert client.put(url).status_code == 405
        foreign = OpenItemFactory()
        assert client.get(self.url(customer, foreign)).status_code == 404
