"""Change status: any active status, its date, a comment, a dispute's resolver and
the next step, in one transaction; every refusal leaves the database unchanged."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collections_app.models import (
    Action,
    ChangeCause,
    OpenItem,
    StatusChange,
    StatusKind,
)
from collections_app.services.actions import ActionDraft
from collections_app.services.errors import ServiceError
from collections_app.services.item_status import (
    ItemStatusError,
    change_item_status,
    change_resolver,
)
from tests.factories import (
    ActionTemplateFactory,
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    PromiseStatusFactory,
    UserFactory,
)
from tests.utils import database_state

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def customer():
    return CustomerFactory(name="Dupont Industries")


@pytest.fixture
def items(customer):
    return OpenItemFactory.create_batch(3, customer=customer)


@pytest.fixture
def dispute():
    return ItemStatusFactory(label="Price dispute", kind=StatusKind.DISPUTE)


@pytest.fixture
def resolver():
    return OfficerFactory(username="roger", first_name="Roger", last_name="Resolver")


def draft(assignee, **changes) -> ActionDraft:
    values = {
        "action_type": "task",
        "title": "Review the price",
        "due_date": TODAY + datetime.timedelta(days=7),
        "assigned_to": assignee,
        "text": "Compare with the order.",
    }
    return ActionDraft(**{**values, **changes})


def test_a_dispute_with_a_resolver_a_comment_and_its_history(
    customer, items, dispute, resolver, officer
):
    result = change_item_status(
        customer=customer,
        item_ids=[items[0].pk, str(items[2].pk)],
        status=dispute,
        status_date=TODAY + datetime.timedelta(days=1),
        comment="  Unit price disputed.  ",
        resolver=resolver,
        user=officer,
    )

    assert len(result.changed) == 2
    assert result.action is None  # the status has no follow-up template
    for item in (items[0], items[2]):
        item.refresh_from_db()
        assert item.status == dispute
        assert item.status_date == datetime.date(2026, 12, 4)
        assert item.promise_date is None
        assert item.status_comment == "Unit price disputed."
        assert item.status_set_by == officer
        assert item.status_set_at == NOW
        assert item.resolver == resolver
    items[1].refresh_from_db()
    assert items[1].status is None
    history = list(StatusChange.objects.order_by("item_id"))
    assert [change.item_id for change in history] == [items[0].pk, items[2].pk]
    for change in history:
        assert change.status_before is None
        assert change.status_after == dispute
        assert change.status_date_after == datetime.date(2026, 12, 4)
        assert change.promise_date_after is None
        assert change.comment == "Unit price disputed."
        assert change.resolver == resolver
        assert change.changed_by == officer
        assert change.cause == ChangeCause.STATUS_CHANGE
        assert change.changed_at == NOW
    assert result.summary() == (
        "2 items set to “Price dispute” (04/12/2026), resolver Roger Resolver."
    )


def test_a_promise_gets_its_date_as_promise_date_beyond_five_days(customer, items, officer):
    promise = ItemStatusFactory(label="Promised", kind=StatusKind.PROMISE)
    far = TODAY + datetime.timedelta(days=30)
    change_item_status(
        customer=customer, item_ids=[items[0].pk], status=promise, status_date=far, user=officer
    )
    items[0].refresh_from_db()
    assert items[0].promise_date == far
    assert items[0].status_date == far
    assert StatusChange.objects.get().promise_date_after == far


def test_leaving_a_promise_clears_its_promise_date(customer, items, officer):
    promise = ItemStatusFactory(label="Promised", kind=StatusKind.PROMISE)
    ongoing = ItemStatusFactory(label="Reminder sent")
    OpenItem.objects.filter(pk=items[0].pk).update(status=promise, promise_date=TODAY)
    change_item_status(
        customer=customer, item_ids=[items[0].pk], status=ongoing, status_date=TODAY, user=officer
    )
    items[0].refresh_from_db()
    assert items[0].promise_date is None
    change = StatusChange.objects.get()
    assert (change.status_before, change.promise_date_before) == (promise, TODAY)
    assert (change.status_after, change.promise_date_after) == (ongoing, None)


def test_a_specific_action_on_the_items(customer, items, dispute, resolver, officer):
    template = ActionTemplateFactory(name="Dispute review")
    result = change_item_status(
        customer=customer,
        item_ids=[items[0].pk, items[1].pk],
        status=dispute,
        status_date=TODAY,
        resolver=resolver,
        action=draft(resolver, template=template),
        user=officer,
    )
    action = Action.objects.get()
    assert result.action == action
    assert action.customer == customer
    assert action.template == template
    assert (action.action_type, action.title, action.text) == (
        "task",
        "Review the price",
        "Compare with the order.",
    )
    assert action.due_date == datetime.date(2026, 12, 10)
    assert action.assigned_to == resolver
    assert action.created_by == officer
    assert set(action.items.values_list("pk", flat=True)) == {items[0].pk, items[1].pk}
    assert set(StatusChange.objects.values_list("action", flat=True)) == {action.pk}
    assert "action “Review the price” for Roger Resolver due 10/12/2026" in result.summary()


def test_following_its_course_schedules_the_statuss_own_follow_up(customer, items, officer):
    collector = OfficerFactory()
    customer.collector = collector
    customer.save()
    status = ItemStatusFactory(
        label="Reminder sent",
        action_template=ActionTemplateFactory(title="Call back"),
        follow_up_days=10,
    )
    result = change_item_status(
        customer=customer, item_ids=[items[0].pk], status=status, status_date=TODAY, user=officer
    )
    assert result.action.title == "Call back"
    assert result.action.due_date == datetime.date(2026, 12, 13)
    assert result.action.assigned_to == collector


def test_a_promises_follow_up_is_due_on_the_promise_date(customer, items, officer):
    status = PromiseStatusFactory()
    promised = TODAY + datetime.timedelta(days=12)
    result = change_item_status(
        customer=customer, item_ids=[items[0].pk], status=status, status_date=promised, user=officer
    )
    assert result.action.due_date == promised
    assert result.action.assigned_to == officer


def test_the_same_change_twice_changes_nothing_the_second_time(
    customer, items, dispute, resolver, officer
):
    arguments = {
        "customer": customer,
        "item_ids": [items[0].pk],
        "status": dispute,
        "status_date": TODAY,
        "comment": "Disputed",
        "resolver": resolver,
        "action": draft(resolver),
        "user": officer,
    }
    change_item_status(**arguments)
    before = database_state()
    result = change_item_status(**arguments)
    assert result.changed == []
    assert result.action is None
    assert "nothing changed" in result.summary()
    assert database_state() == before


def test_a_new_comment_alone_is_a_change(customer, items, dispute, resolver, officer):
    for comment in ("First call", "Second call"):
        change_item_status(
            customer=customer,
            item_ids=[items[0].pk],
            status=dispute,
            status_date=TODAY,
            comment=comment,
            resolver=resolver,
            user=officer,
        )
    assert list(StatusChange.objects.order_by("pk").values_list("comment", flat=True)) == [
        "First call",
        "Second call",
    ]


def test_credit_notes_can_be_disputed_but_not_promised(customer, officer, dispute, resolver):
    credit = CreditNoteFactory(customer=customer)
    change_item_status(
        customer=customer,
        item_ids=[credit.pk],
        status=dispute,
        status_date=TODAY,
        resolver=resolver,
        user=officer,
    )
    credit.refresh_from_db()
    assert credit.status == dispute
    promise = PromiseStatusFactory()
    before = database_state()
    with pytest.raises(ServiceError, match="only amounts due can be promised"):
        change_item_status(
            customer=customer, item_ids=[credit.pk], status=promise, status_date=TODAY, user=officer
        )
    assert database_state() == before


def test_queries_do_not_grow_with_the_items(customer, dispute, resolver, officer):
    def run(count: int) -> int:
        batch = OpenItemFactory.create_batch(count, customer=customer)
        with CaptureQueriesContext(connection) as queries:
            change_item_status(
                customer=customer,
                item_ids=[item.pk for item in batch],
                status=dispute,
                status_date=TODAY,
                resolver=resolver,
                action=draft(resolver),
                user=officer,
            )
        return len(queries)

    assert run(2) == run(60)


class TestRefusals:
    """Each refusal says why, and nothing is written."""

    @pytest.fixture
    def refused(self):
        def check(match: str, **arguments):
            before = database_state()
            with pytest.raises(ServiceError, match=match) as raised:
                change_item_status(**arguments)
            assert database_state() == before
            return raised.value

        return check

    @pytest.fixture
    def arguments(self, customer, items, dispute, resolver, officer):
        return {
            "customer": customer,
            "item_ids": [items[0].pk, items[1].pk],
            "status": dispute,
            "status_date": TODAY,
            "comment": "",
            "resolver": resolver,
            "user": officer,
        }

    def test_no_item(self, refused, arguments):
        refused("Select at least one item", **{**arguments, "item_ids": []})

    def test_a_past_date(self, refused, arguments):
        refused("today or later", **{**arguments, "status_date": TODAY - datetime.timedelta(1)})

    def test_a_date_more_than_two_years_ahead(self, refused, arguments):
        error = refused(
            "within two years, by 03/12/2028",
            **{**arguments, "status_date": datetime.date(2028, 12, 4)},
        )
        assert error.code == "far_date"

    def test_two_years_ahead_is_accepted(self, arguments):
        change_item_status(**{**arguments, "status_date": datetime.date(2028, 12, 3)})
        assert OpenItem.objects.filter(status_date=datetime.date(2028, 12, 3)).count() == 2

    def test_no_date(self, refused, arguments):
        refused("Give the date", **{**arguments, "status_date": None})

    def test_a_dispute_without_resolver(self, refused, arguments):
        refused("A dispute needs a resolver", **{**arguments, "resolver": None})

    def test_a_resolver_on_another_kind_of_status(self, refused, arguments):
        other = ItemStatusFactory(label="Reminder sent")
        refused("Only a dispute has a resolver", **{**arguments, "status": other})

    def test_an_inactive_resolver(self, refused, arguments, resolver):
        resolver.is_active = False
        resolver.save()
        refused("cannot be the resolver", **arguments)

    def test_a_resolver_outside_the_product(self, refused, arguments):
        refused("cannot be the resolver", **{**arguments, "resolver": UserFactory()})

    def test_an_inactive_status(self, refused, arguments, dispute):
        dispute.is_active = False
        dispute.save()
        refused("inactive or was deleted", **arguments)

    def test_a_comment_too_long(self, refused, arguments):
        refused("limited to 2000", **{**arguments, "comment": "x" * 2001})

    def test_an_item_of_another_customer(self, refused, arguments):
        foreign = OpenItemFactory()
        refused(
            "does not belong to Dupont Industries",
            **{**arguments, "item_ids": [*arguments["item_ids"], foreign.pk]},
        )

    def test_a_closed_item(self, refused, arguments, items):
        OpenItem.objects.filter(pk=items[1].pk).update(open_amount=Decimal("0"))
        refused("already paid or closed", **arguments)

    def test_an_unknown_item(self, refused, arguments):
        refused("no longer exist", **{**arguments, "item_ids": [987654321]})

    def test_a_malformed_selection(self, refused, arguments):
        refused("not valid", **{**arguments, "item_ids": ["1; DROP TABLE x"]})
        refused("lists an item twice", **{**arguments, "item_ids": ["5", "5"]})

    def test_an_action_due_in_the_past(self, refused, arguments, resolver):
        action = draft(resolver, due_date=TODAY - datetime.timedelta(days=1))
        refused("due today or later", **{**arguments, "action": action})

    def test_an_action_without_title(self, refused, arguments, resolver):
        refused("Give the action a title", **{**arguments, "action": draft(resolver, title=" ")})

    def test_an_action_for_an_inactive_user(self, refused, arguments):
        gone = OfficerFactory(is_active=False)
        refused("cannot be the assignee", **{**arguments, "action": draft(gone)})

    def test_an_action_from_a_deleted_template(self, refused, arguments, resolver):
        template = ActionTemplateFactory()
        action = draft(resolver, template=template)
        template.delete()
        refused("was deleted", **{**arguments, "action": action})

    def test_the_error_is_a_service_error(self, arguments):
        with pytest.raises(ItemStatusError):
            change_item_status(**{**arguments, "resolver": None})


class TestResolver:
    @pytest.fixture
    def disputed(self, customer, items, dispute, resolver, officer):
        change_item_status(
            customer=customer,
            item_ids=[item.pk for item in items],
            status=dispute,
            status_date=TODAY,
            comment="Disputed",
            resolver=resolver,
            user=officer,
        )
        StatusChange.objects.all().delete()
        return items

    def test_on_one_item(self, customer, disputed, officer):
        other = OfficerFactory(first_name="Paula", last_name="Other")
        result = change_resolver(
            customer=customer, resolver=other, user=officer, item_id=disputed[0].pk
        )
        assert [item.pk for item in result.changed] == [disputed[0].pk]
        assert result.summary() == "Paula Other now resolves 1 item."
        resolvers = dict(OpenItem.objects.values_list("pk", "resolver__first_name"))
        assert resolvers[disputed[0].pk] == "Paula"
        assert resolvers[disputed[1].pk] == "Roger"
        change = StatusChange.objects.get()
        assert change.cause == ChangeCause.RESOLVER
        assert change.resolver == other
        assert change.status_before == change.status_after
        assert change.comment == "Disputed"

    def test_on_every_item_with_the_status(self, customer, disputed, dispute, officer):
        OpenItemFactory(customer=customer, status=dispute, open_amount=Decimal("0"))  # paid
        other = OfficerFactory()
        result = change_resolver(customer=customer, resolver=other, user=officer, status=dispute)
        assert len(result.changed) == 3
        assert StatusChange.objects.count() == 3
        assert OpenItem.objects.filter(resolver=other).count() == 3

    def test_the_same_resolver_changes_nothing(self, customer, disputed, resolver, officer):
        before = database_state()
        result = change_resolver(
            customer=customer, resolver=resolver, user=officer, item_id=disputed[0].pk
        )
        assert result.changed == []
        assert database_state() == before

    @pytest.mark.parametrize(
        "case", ["not-a-dispute-item", "not-a-dispute-status", "inactive", "no-item", "no-scope"]
    )
    def test_refusals_change_nothing(self, customer, disputed, dispute, officer, case):
        other = OfficerFactory()
        arguments = {"customer": customer, "resolver": other, "user": officer}
        if case == "not-a-dispute-item":
            arguments["item_id"] = OpenItemFactory(customer=customer).pk
            message = "not in dispute"
        elif case == "not-a-dispute-status":
            arguments["status"] = ItemStatusFactory()
            message = "not a dispute status"
        elif case == "inactive":
            other.is_active = False
            other.save()
            arguments["item_id"] = disputed[0].pk
            message = "cannot be the resolver"
        elif case == "no-item":
            arguments["status"] = ItemStatusFactory(kind=StatusKind.DISPUTE)
            message = "No outstanding item"
        else:
            message = "Choose the item"
        before = database_state()
        with pytest.raises(ItemStatusError if case != "inactive" else ServiceError, match=message):
            change_resolver(**arguments)
        assert database_state() == before
