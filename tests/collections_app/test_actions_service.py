"""Actions: created on selected items, rescheduled, reassigned, completed with an
outcome (resolving its disputes in the same transaction); each change leaves one
event in the action's trail, each refusal changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from collections_app.models import (
    ActionEvent,
    ActionEventKind,
    ChangeCause,
    OpenItem,
    StatusChange,
    StatusKind,
)
from collections_app.services.actions import (
    ActionDraft,
    ActionError,
    complete_action,
    create_action,
    reassign_action,
    reschedule_action,
)
from collections_app.services.errors import ServiceError
from tests.factories import (
    ActionFactory,
    ActionTemplateFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
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
    return OpenItemFactory.create_batch(2, customer=customer)


@pytest.fixture
def action(customer, items, officer):
    action = ActionFactory(
        customer=customer,
        assigned_to=officer,
        title="Call back",
        due_date=TODAY,
        created_at=NOW - datetime.timedelta(days=2),
    )
    action.items.set(items)
    return action


def refused(match: str, function, **arguments) -> None:
    before = database_state()
    with pytest.raises(ServiceError, match=match):
        function(**arguments)
    assert database_state() == before


class TestCreate:
    def test_an_action_from_a_template_on_the_selected_items(self, customer, items, officer):
        template = ActionTemplateFactory(name="Letter")
        other = OfficerFactory()
        action = create_action(
            customer=customer,
            item_ids=[str(item.pk) for item in items],
            draft=ActionDraft(
                action_type="letter",
                title=" Send the statement ",
                due_date=TODAY,
                assigned_to=other,
                text="With the invoices.",
                template=template,
            ),
            user=officer,
        )
        assert action.title == "Send the statement"
        assert action.template == template
        assert action.assigned_to == other
        assert action.created_by == officer
        assert action.created_at == NOW
        assert set(action.items.values_list("pk", flat=True)) == {item.pk for item in items}
        # Creating is in the action row itself: no event, no status change.
        assert not ActionEvent.objects.exists()
        assert not StatusChange.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "match"),
        [
            ({"action_type": "fax"}, "Choose the type"),
            ({"title": ""}, "Give the action a title"),
            ({"title": "x" * 201}, "limited to 200"),
            ({"text": "x" * 4001}, "limited to 4000"),
            ({"due_date": TODAY - datetime.timedelta(days=1)}, "due today or later"),
            ({"due_date": None}, "due today or later"),
            ({"due_date": datetime.date(2028, 12, 4)}, "within two years, by 03/12/2028"),
            ({"assigned_to": None}, "Choose who does the action"),
        ],
    )
    def test_a_bad_draft(self, customer, items, officer, changes, match):
        values = {
            "action_type": "call",
            "title": "Call",
            "due_date": TODAY,
            "assigned_to": officer,
            **changes,
        }
        refused(
            match,
            create_action,
            customer=customer,
            item_ids=[items[0].pk],
            draft=ActionDraft(**values),
            user=officer,
        )

    def test_no_item_or_a_foreign_or_closed_one(self, customer, items, officer):
        draft = ActionDraft(action_type="call", title="Call", due_date=TODAY, assigned_to=officer)
        arguments = {"customer": customer, "draft": draft, "user": officer}
        refused("Select at least one item", create_action, item_ids=[], **arguments)
        foreign = OpenItemFactory()
        refused("does not belong", create_action, item_ids=[foreign.pk], **arguments)
        OpenItem.objects.filter(pk=items[0].pk).update(open_amount=Decimal("0"))
        refused("already paid or closed", create_action, item_ids=[items[0].pk], **arguments)


class TestReschedule:
    def test_moves_the_due_date_and_leaves_an_event(self, action, officer):
        reschedule_action(action=action, due_date=datetime.date(2026, 12, 10), user=officer)
        action.refresh_from_db()
        assert action.due_date == datetime.date(2026, 12, 10)
        event = ActionEvent.objects.get()
        assert event.kind == ActionEventKind.RESCHEDULED
        assert (event.due_date_before, event.due_date_after) == (TODAY, datetime.date(2026, 12, 10))
        assert (event.by, event.at, event.customer) == (officer, NOW, action.customer)

    def test_refusals(self, action, officer):
        refused(
            "today or later",
            reschedule_action,
            action=action,
            due_date=TODAY - datetime.timedelta(days=1),
            user=officer,
        )
        refused(
            "within two years",
            reschedule_action,
            action=action,
            due_date=datetime.date(2062, 12, 10),
            user=officer,
        )
        refused(
            "already due on 03/12/2026",
            reschedule_action,
            action=action,
            due_date=TODAY,
            user=officer,
        )
        complete_action(action=action, user=officer)
        refused(
            "already marked done",
            reschedule_action,
            action=action,
            due_date=datetime.date(2026, 12, 10),
            user=officer,
        )


class TestReassign:
    def test_gives_the_action_to_another_user(self, action, officer):
        other = OfficerFactory()
        reassign_action(action=action, assignee=other, user=officer)
        action.refresh_from_db()
        assert action.assigned_to == other
        event = ActionEvent.objects.get()
        assert event.kind == ActionEventKind.REASSIGNED
        assert (event.assigned_before, event.assigned_after) == (officer, other)

    def test_refusals(self, action, officer):
        refused("already assigned", reassign_action, action=action, assignee=officer, user=officer)
        gone = OfficerFactory(is_active=False)
        refused(
            "cannot be the assignee", reassign_action, action=action, assignee=gone, user=officer
        )
        complete_action(action=action, user=officer)
        refused(
            "already marked done",
            reassign_action,
            action=action,
            assignee=OfficerFactory(),
            user=officer,
        )


class TestComplete:
    @pytest.fixture
    def dispute(self):
        return ItemStatusFactory(label="Price dispute", kind=StatusKind.DISPUTE)

    @pytest.fixture
    def resolved(self):
        return ItemStatusFactory(label="Dispute resolved", kind=StatusKind.DISPUTE_RESOLVED)

    def test_with_an_outcome_note(self, action, officer):
        result = complete_action(action=action, user=officer, note="  Paid by transfer. ")
        action.refresh_from_db()
        assert (action.done_at, action.done_by, action.outcome) == (
            NOW,
            officer,
            "Paid by transfer.",
        )
        event = ActionEvent.objects.get()
        assert (event.kind, event.note) == (ActionEventKind.DONE, "Paid by transfer.")
        assert result.resolved == []
        assert result.summary() == "“Call back” for Dupont Industries is done."

    def test_resolves_the_items_still_in_dispute(
        self, action, items, customer, dispute, resolved, officer
    ):
        paid = OpenItemFactory(customer=customer, status=dispute, open_amount=Decimal("0"))
        elsewhere = OpenItemFactory(customer=customer, status=dispute)
        action.items.add(paid)
        OpenItem.objects.filter(pk__in=[item.pk for item in items]).update(
            status=dispute, resolver=officer
        )
        result = complete_action(
            action=action, user=officer, note="Credit note agreed.", resolution=resolved
        )
        assert {item.pk for item in result.resolved} == {item.pk for item in items}
        assert result.summary().endswith("2 items marked “Dispute resolved”.")
        for item in items:
            item.refresh_from_db()
            assert item.status == resolved
            assert item.status_comment == "Credit note agreed."
            assert item.status_date == TODAY
            assert item.resolver is None
        # Paid, or not on this action: left alone.
        for item in (paid, elsewhere):
            item.refresh_from_db()
            assert item.status == dispute
        history = StatusChange.objects.all()
        assert len(history) == 2
        for change in history:
            assert change.cause == ChangeCause.RESOLUTION
            assert change.action == action
            assert (change.status_before, change.status_after) == (dispute, resolved)
            assert change.changed_at == NOW

    @pytest.mark.parametrize("case", ["not-resolved-kind", "inactive", "nothing-in-dispute"])
    def test_a_refused_resolution_leaves_the_action_open(
        self, action, items, dispute, resolved, officer, case
    ):
        OpenItem.objects.filter(pk__in=[item.pk for item in items]).update(status=dispute)
        resolution = resolved
        if case == "not-resolved-kind":
            resolution = dispute
            message = "not an active “dispute resolved” status"
        elif case == "inactive":
            resolved.is_active = False
            resolved.save()
            message = "not an active “dispute resolved” status"
        else:
            OpenItem.objects.filter(pk__in=[item.pk for item in items]).update(status=None)
            message = "No item of “Call back” is in dispute any more"
        refused(
            message, complete_action, action=action, user=officer, note="x", resolution=resolution
        )
        action.refresh_from_db()
        assert action.done_at is None

    def test_twice_says_when(self, action, officer):
        complete_action(action=action, user=officer)
        refused(r"already marked done \(03/12/2026", complete_action, action=action, user=officer)

    def test_a_note_too_long(self, action, officer):
        with pytest.raises(ActionError, match="limited to 4000"):
            complete_action(action=action, user=officer, note="x" * 4001)
