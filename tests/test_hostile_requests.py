"""Hostile and broken requests to every POST endpoint and to the import command.

Each one gets a 4xx answer (or a rejection report) with a message a person can act
on, and the data is byte for byte what it was before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from collections_app.models import Action
from tests.factories import (
    ActionFactory,
    ActionTemplateFactory,
    CreditNoteFactory,
    CustomerFactory,
    ItemStatusFactory,
    OpenItemFactory,
    UserFactory,
    configure_quick_promise,
)
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@dataclass
class World:
    """The data every case runs against."""

    officer: Any
    other_officer: Any
    administrator: Any
    customer: Any
    other_customer: Any
    items: list
    foreign_item: Any
    closed_item: Any
    credit_note: Any
    payment: Any
    inactive_status: Any
    active_status: Any
    template: Any
    used_status: Any
    quick_promise_status: Any
    my_action: Any
    others_action: Any
    done_action: Any
    ids: dict = field(default_factory=dict)
    dispute_status: Any = None
    resolved_status: Any = None


@pytest.fixture
def world(officer, other_officer, administrator) -> World:
    customer = CustomerFactory(name="Dupont Industries")
    other_customer = CustomerFactory(name="Martin Logistique")
    preference = configure_quick_promise(delay_days=2)
    used_status = ItemStatusFactory(label="Used")
    items = OpenItemFactory.create_batch(3, customer=customer)
    OpenItemFactory(customer=customer, status=used_status)
    return World(
        officer=officer,
        other_officer=other_officer,
        administrator=administrator,
        customer=customer,
        other_customer=other_customer,
        items=items,
        foreign_item=OpenItemFactory(customer=other_customer),
        closed_item=OpenItemFactory(customer=customer, open_amount=Decimal("0")),
        credit_note=CreditNoteFactory(customer=customer),
        payment=CreditNoteFactory(customer=customer, document_type="payment"),
        inactive_status=ItemStatusFactory(label="Retired", is_active=False),
        active_status=ItemStatusFactory(label="Ongoing"),
        template=ActionTemplateFactory(name="Call back"),
        used_status=used_status,
        quick_promise_status=preference.status,
        my_action=ActionFactory(customer=customer, assigned_to=officer),
        others_action=ActionFactory(customer=customer, assigned_to=other_officer),
        done_action=ActionFactory(
            customer=customer,
            assigned_to=officer,
            created_at=timezone.now() - timezone.timedelta(days=1),
            done_at=timezone.now(),
        ),
        dispute_status=ItemStatusFactory(label="Price dispute", kind="dispute"),
        resolved_status=ItemStatusFactory(label="Resolved", kind="dispute_resolved"),
    )


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    url: Any  # (url name, function of the world giving the args) or a function
    data: Any = None  # a dict, or a function of the world giving one
    user: str | None = "officer"  # attribute of the world, or None for anonymous
    status: int = 422
    message: str = ""
    csrf: str = "ok"  # ok, missing, stale
    htmx: bool = False


def qp(world):
    return reverse("collections:quick-promise", args=[world.customer.pk])


def promise(*ids):
    return lambda w: {"items": [i(w) if callable(i) else i for i in ids]}


def item(n):
    return lambda w: w.items[n].pk


def cs(world):
    return reverse("collections:change-status", args=[world.customer.pk])


def change(*ids, **fields):
    """A Change status form: a dispute for today with a resolver, unless told."""

    def data(w):
        values = {
            "items": [i(w) if callable(i) else i for i in ids],
            "status-status": w.dispute_status.pk,
            "status-status_date": timezone.localdate().isoformat(),
            "status-resolver": w.other_officer.pk,
            "status-next_step": "follow",
        }
        for name, value in fields.items():
            values[name.replace("__", "-")] = value(w) if callable(value) else value
        return values

    return data


def na(world):
    return reverse("collections:new-action", args=[world.customer.pk])


def new_action(*ids, **fields):
    def data(w):
        values = {
            "items": [i(w) if callable(i) else i for i in ids],
            "action-action_type": "call",
            "action-title": "Call back",
            "action-due_date": timezone.localdate().isoformat(),
            "action-assigned_to": w.officer.pk,
        }
        for name, value in fields.items():
            values[name.replace("__", "-")] = value(w) if callable(value) else value
        return values

    return data


def my(name):
    return lambda w: reverse(f"collections:{name}", args=[w.my_action.pk])


def comment(w):
    return reverse("collections:customer-comment", args=[w.customer.pk])


PREFS = reverse("collections:preferences")
TRACKING = reverse("collections:promise-preferences")
STATUS_NEW = reverse("collections:status-create")
TEMPLATE_NEW = reverse("collections:template-create")
BAD_SELECTION = "The selection is not valid"

CASES = [
    # Quick Promise: the item ids.
    Case("qp-foreign-item", "post", qp, promise(item(0), lambda w: w.foreign_item.pk),
         message="does not belong to Dupont Industries"),
    Case("qp-unknown-item", "post", qp, promise(item(0), 987654321), message="no longer exist"),
    Case("qp-duplicate-ids", "post", qp, promise(item(0), item(0)), message="lists an item twice"),
    Case("qp-non-numeric-id", "post", qp, promise(item(0), "abc"), message=BAD_SELECTION),
    Case("qp-negative-id", "post", qp, promise(item(0), "-5"), message=BAD_SELECTION),
    Case("qp-zero-id", "post", qp, promise("0"), message=BAD_SELECTION),
    Case("qp-decimal-id", "post", qp, promise("1.5"), message=BAD_SELECTION),
    Case("qp-sql-in-id", "post", qp, promise("1; DROP TABLE x"), message=BAD_SELECTION),
    Case("qp-huge-id", "post", qp, promise("99999999999999999999"), message=BAD_SELECTION),
    Case("qp-empty-id", "post", qp, promise(""), message=BAD_SELECTION),
    Case("qp-arabic-digits", "post", qp, promise("١٢"), message=BAD_SELECTION),
    Case("qp-no-item", "post", qp, {}, message="Select at least one item"),
    Case("qp-100000-ids", "post", qp, {"items": [str(n) for n in range(1, 100_001)]},
         status=400, message="This request is too large"),
    Case("qp-25001-unknown-ids", "post", qp, {"items": [str(n) for n in range(10**9, 10**9 + 25_001)]},
         message="25001 selected items no longer exist"),
    Case("qp-items-of-another-customer-url", "post",
         lambda w: reverse("collections:quick-promise", args=[w.other_customer.pk]),
         promise(item(0)), message="does not belong to Martin Logistique"),
    Case("qp-closed-item", "post", qp, promise(lambda w: w.closed_item.pk),
         message="already paid or closed"),
    Case("qp-credit-note", "post", qp, promise(lambda w: w.credit_note.pk),
         message="credit note or payment"),
    Case("qp-payment", "post", qp, promise(item(1), lambda w: w.payment.pk),
         message="credit note or payment"),
    Case("qp-unknown-customer", "post",
         lambda w: reverse("collections:quick-promise", args=[987654]), promise(item(0)),
         status=404, message="does not exist"),
    Case("qp-missing-csrf", "post", qp, promise(item(0)), csrf="missing", status=403,
         message="This form is out of date"),
    Case("qp-stale-csrf", "post", qp, promise(item(0)), csrf="stale", status=403,
         message="This form is out of date"),
    Case("qp-anonymous", "post", qp, promise(item(0)), user=None, status=401,
         message="nothing was changed"),
    Case("qp-anonymous-htmx", "post", qp, promise(item(0)), user=None, status=401, htmx=True),
    Case("qp-no-role", "post", qp, promise(item(0)), user="nobody", status=403,
         message="not allowed"),
    Case("qp-no-role-htmx", "post", qp, promise(item(0)), user="nobody", status=403,
         message="not allowed", htmx=True),
    Case("qp-get", "get", qp, None, status=405, message="only takes the product"),
    Case("qp-put", "put", qp, None, status=405, message="only takes the product"),
    Case("qp-htmx-closed-item", "post", qp, promise(lambda w: w.closed_item.pk),
         message="already paid or closed", htmx=True),
    # Preferences.
    Case("prefs-d-plus-6", "post", PREFS, lambda w: {"status": w.active_status.pk, "delay_days": "6"},
         user="administrator", message="is not a promised payment date"),
    Case("prefs-d-minus-1", "post", PREFS, lambda w: {"status": w.active_status.pk, "delay_days": "-1"},
         user="administrator", message="is not a promised payment date"),
    Case("prefs-quoted-3", "post", PREFS, lambda w: {"status": w.active_status.pk, "delay_days": '"3"'},
         user="administrator", message="is not a promised payment date"),
    Case("prefs-d-plus-3-text", "post", PREFS,
         lambda w: {"status": w.active_status.pk, "delay_days": "D+3"},
         user="administrator", message="is not a promised payment date"),
    Case("prefs-inactive-status", "post", PREFS,
         lambda w: {"status": w.inactive_status.pk, "delay_days": "3"},
         user="administrator", message="does not exist, is inactive"),
    Case("prefs-deleted-status", "post", PREFS, {"status": "987654", "delay_days": "3"},
         user="administrator", message="does not exist, is inactive"),
    Case("prefs-status-not-a-number", "post", PREFS, {"status": "abc", "delay_days": "3"},
         user="administrator", message="does not exist, is inactive"),
    Case("prefs-nothing", "post", PREFS, {}, user="administrator", message="Choose the status"),
    Case("prefs-officer", "post", PREFS, lambda w: {"status": w.active_status.pk, "delay_days": "1"},
         status=403, message="not allowed"),
    Case("prefs-anonymous", "post", PREFS, {"status": "1", "delay_days": "1"}, user=None,
         status=401, message="nothing was changed"),
    Case("prefs-missing-csrf", "post", PREFS, {"status": "1", "delay_days": "1"},
         user="administrator", csrf="missing", status=403, message="This form is out of date"),
    Case("prefs-delete-method", "delete", PREFS, None, user="administrator", status=405,
         message="only takes the product"),
    Case("tracking-grace-31", "post", TRACKING, {"tracking-grace_days": "31"},
         user="administrator", message="less than or equal to 30"),
    Case("tracking-grace-text", "post", TRACKING, {"tracking-grace_days": "one"},
         user="administrator", message="Enter a whole number"),
    Case("tracking-inactive-status", "post", TRACKING,
         lambda w: {"tracking-grace_days": "1", "tracking-broken_status": w.inactive_status.pk},
         user="administrator", message="does not exist or is inactive"),
    Case("tracking-deleted-status", "post", TRACKING,
         {"tracking-grace_days": "1", "tracking-broken_status": "987654"},
         user="administrator", message="does not exist or is inactive"),
    Case("tracking-officer", "post", TRACKING, {"tracking-grace_days": "1"},
         status=403, message="not allowed"),
    Case("tracking-anonymous", "post", TRACKING, {"tracking-grace_days": "1"}, user=None,
         status=401, message="nothing was changed"),
    Case("tracking-missing-csrf", "post", TRACKING, {"tracking-grace_days": "1"},
         user="administrator", csrf="missing", status=403, message="This form is out of date"),
    Case("tracking-get", "get", TRACKING, None, user="administrator", status=405,
         message="only takes the product"),
    # Statuses and templates.
    Case("status-empty-label", "post", STATUS_NEW, {"label": "", "kind": "promise"},
         user="administrator", message="This field is required"),
    Case("status-bad-kind", "post", STATUS_NEW, {"label": "New", "kind": "bogus"},
         user="administrator", message="Select a valid choice"),
    Case("status-too-long-label", "post", STATUS_NEW, {"label": "x" * 101, "kind": "promise"},
         user="administrator", message="at most 100 characters"),
    Case("status-unknown-template", "post", STATUS_NEW,
         {"label": "New", "kind": "promise", "action_template": "987654"},
         user="administrator", message="Select a valid choice"),
    Case("status-duplicate-label", "post", STATUS_NEW, {"label": "Used", "kind": "ongoing"},
         user="administrator", message="already exists"),
    Case("status-officer-creates", "post", STATUS_NEW, {"label": "New", "kind": "promise"},
         status=403, message="not allowed"),
    Case("status-edit-unknown", "post", reverse("collections:status-edit", args=[987654]),
         {"label": "X", "kind": "promise"}, user="administrator", status=404),
    Case("status-deactivate-quick-promise-status", "post",
         lambda w: reverse("collections:status-edit", args=[w.quick_promise_status.pk]),
         lambda w: {"label": w.quick_promise_status.label, "kind": "promise"},
         user="administrator", message="is the Quick Promise status"),
    Case("status-delete-in-use", "post",
         lambda w: reverse("collections:status-delete", args=[w.used_status.pk]), None,
         user="administrator", status=409, message="still in use"),
    Case("status-delete-by-get", "get",
         lambda w: reverse("collections:status-delete", args=[w.active_status.pk]), None,
         user="administrator", status=405),
    Case("template-duplicate-name", "post", TEMPLATE_NEW, {"name": "Call back", "action_type": "call"},
         user="administrator", message="already exists"),
    Case("template-bad-type", "post", TEMPLATE_NEW, {"name": "Fax", "action_type": "fax"},
         user="administrator", message="Select a valid choice"),
    Case("template-delete-in-use", "post",
         lambda w: reverse("collections:template-delete", args=[w.quick_promise_status.action_template.pk]),
         None, user="administrator", status=409, message="still used"),
    # Actions.
    Case("action-of-somebody-else", "post",
         lambda w: reverse("collections:action-done", args=[w.others_action.pk]), None,
         status=403, message="assigned to somebody else"),
    Case("action-unknown", "post", reverse("collections:action-done", args=[987654]), None,
         status=404),
    Case("action-already-done", "post",
         lambda w: reverse("collections:action-done", args=[w.done_action.pk]), None,
         status=409, message="already marked done"),
    Case("action-done-by-get", "get",
         lambda w: reverse("collections:action-done", args=[w.my_action.pk]), None, status=405),
    Case("action-no-role", "post",
         lambda w: reverse("collections:action-done", args=[w.my_action.pk]), None,
         user="nobody", status=403),
    # Change status.
    Case("cs-foreign-item", "post", cs, change(item(0), lambda w: w.foreign_item.pk),
         message="does not belong to Dupont Industries"),
    Case("cs-closed-item", "post", cs, change(lambda w: w.closed_item.pk),
         message="already paid or closed"),
    Case("cs-bad-id", "post", cs, change("1; DROP TABLE x"), message=BAD_SELECTION),
    Case("cs-no-item", "post", cs, change(), message="Select at least one item"),
    Case("cs-past-date", "post", cs, change(item(0), status__status_date="2000-01-01"),
         message="The date must be today or later"),
    Case("cs-no-resolver", "post", cs, change(item(0), status__resolver=""),
         message="A dispute needs a resolver"),
    Case("cs-resolver-not-a-user-of-the-product", "post", cs,
         change(item(0), status__resolver="987654"), message="Select a valid choice"),
    Case("cs-inactive-status", "post", cs, change(item(0), status__status=lambda w: w.inactive_status.pk),
         message="does not exist or is inactive"),
    Case("cs-promise-on-a-credit-note", "post", cs,
         change(lambda w: w.credit_note.pk, status__status=lambda w: w.quick_promise_status.pk,
                status__resolver=""),
         message="only amounts due can be promised"),
    Case("cs-action-in-the-past", "post", cs,
         change(item(0), status__next_step="action", next__action_type="call", next__title="x",
                next__due_date="2000-01-01", next__assigned_to=lambda w: w.officer.pk),
         message="The action must be due today or later"),
    Case("cs-bad-next-step", "post", cs, change(item(0), status__next_step="later"),
         message="Select a valid choice"),
    Case("cs-htmx-closed-item", "post", cs, change(lambda w: w.closed_item.pk),
         message="already paid or closed", htmx=True),
    # A plain GET is the statement (with htmx: the dialog's fields, changing nothing).
    Case("cs-get", "get", cs, None, status=302),
    Case("cs-put", "put", cs, None, status=405, message="only takes the product"),
    Case("na-put", "put", na, None, status=405, message="only takes the product"),
    Case("cs-anonymous", "post", cs, change(item(0)), user=None, status=401),
    Case("cs-no-role", "post", cs, change(item(0)), user="nobody", status=403),
    Case("cs-missing-csrf", "post", cs, change(item(0)), csrf="missing", status=403,
         message="This form is out of date"),
    # New action.
    Case("na-foreign-item", "post", na, new_action(lambda w: w.foreign_item.pk),
         message="does not belong to Dupont Industries"),
    Case("na-bad-type", "post", na, new_action(item(0), action__action_type="fax"),
         message="Select a valid choice"),
    Case("na-no-title", "post", na, new_action(item(0), action__title=""),
         message="Give the action a title"),
    Case("na-assignee-outside-the-product", "post", na,
         new_action(item(0), action__assigned_to="987654"), message="Select a valid choice"),
    Case("na-no-role", "post", na, new_action(item(0)), user="nobody", status=403),
    # Resolver, actions' page, comment.
    Case("resolver-not-in-dispute", "post",
         lambda w: reverse("collections:item-resolver", args=[w.customer.pk, w.items[0].pk]),
         lambda w: {"resolver": w.other_officer.pk, "scope": "item"},
         message="This item is not in dispute"),
    Case("resolver-foreign-item", "post",
         lambda w: reverse("collections:item-resolver", args=[w.customer.pk, w.foreign_item.pk]),
         lambda w: {"resolver": w.other_officer.pk, "scope": "item"}, status=404),
    Case("reschedule-past", "post", my("action-reschedule"),
         {"reschedule-due_date": "2000-01-01"}, message="today or later"),
    Case("reschedule-somebody-elses", "post",
         lambda w: reverse("collections:action-reschedule", args=[w.others_action.pk]),
         {"reschedule-due_date": "2099-01-01"}, status=403, message="assigned to somebody else"),
    Case("reassign-to-nobody", "post", my("action-reassign"), {"reassign-assigned_to": ""},
         message="This field is required"),
    Case("done-with-a-status-that-does-not-resolve", "post", my("action-done"),
         lambda w: {"complete-resolution": w.dispute_status.pk}, message="Select a valid choice"),
    Case("done-nothing-in-dispute", "post", my("action-done"),
         lambda w: {"complete-resolution": w.resolved_status.pk},
         status=409, message="in dispute any more"),
    Case("comment-too-long", "post", comment, {"text": "x" * 4001}, message="at most 4000"),
    Case("comment-based-on-nonsense", "post", comment, {"text": "x", "based_on": "-1"},
         message="out of date"),
    Case("comment-no-role", "post", comment, {"text": "x"}, user="nobody", status=403),
    # Signing in and out.
    Case("login-wrong-password", "post", reverse("login"), {"username": "olivia", "password": "x"},
         user=None, status=401, message="Please enter a correct username and password"),
    Case("login-missing-csrf", "post", reverse("login"), {"username": "olivia", "password": "x"},
         user=None, csrf="missing", status=403, message="This form is out of date"),
    Case("logout-by-get", "get", reverse("logout"), None, status=405),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request_is_refused_and_changes_nothing(world, case):
    client = Client(enforce_csrf_checks=True)
    if case.user:
        user = (
            UserFactory(username="nobody") if case.user == "nobody" else getattr(world, case.user)
        )
        client.force_login(user)
    url = case.url(world) if callable(case.url) else case.url
    data = case.data(world) if callable(case.data) else case.data
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if case.htmx else {}
    if case.csrf != "missing":
        client.get(reverse("login") if case.user is None else reverse("customers:list"))
        token = client.cookies["csrftoken"].value if case.csrf == "ok" else "x" * 64
        headers["X-CSRFToken"] = token
    before = database_state()
    actions_before = Action.objects.count()

    response = getattr(client, case.method)(url, data, headers=headers)

    assert response.status_code == case.status, response.content[:500]
    if case.message:
        assert case.message in response.content.decode()
    if case.htmx and case.status == 401:
        assert response["HX-Redirect"].startswith("/accounts/login/")
    elif case.htmx:
        assert response.status_code == 422 or response["HX-Retarget"] == "#messages"
    assert database_state() == before
    assert Action.objects.count() == actions_before


# The import command: broken files are refused whole, with a report.

GOOD = "C1,Acme,invoice,INV-1,2026-01-05,2026-02-04,100.00,100.00,EUR"
HEADER = "customer_code,customer_name,document_type,number,document_date,due_date,amount,open_amount,currency"

FILES = [
    ("latin-1", f"{HEADER}\nC1,Société Générale,invoice,INV-1,2026-01-05,2026-02-04,1.00,1.00,EUR\n".encode("latin-1"),
     "not UTF-8"),
    ("utf-8-bom", b"\xef\xbb\xbf" + f"{HEADER}\n{GOOD}\n".encode(), "byte-order mark"),
    ("truncated-quote", f'{HEADER}\n{GOOD}\nC1,"Acme,invoice'.encode(), "truncated"),
    ("truncated-line", f"{HEADER}\n{GOOD}\nC1,Acme,invoice,INV-2,2026-01-05".encode(), "5 fields instead of 9"),
    ("semicolons", f"{HEADER.replace(',', ';')}\n{GOOD.replace(',', ';')}\n".encode(), "semicolons"),
    ("comma-decimal", f'{HEADER}\nC1,Acme,invoice,INV-1,2026-01-05,2026-02-04,"100,50","100,50",EUR\n'.encode(),
     "use a dot for decimals"),
    ("comma-decimal-unquoted", f"{HEADER}\nC1,Acme,invoice,INV-1,2026-01-05,2026-02-04,100,50,100,50,EUR\n".encode(),
     "11 fields instead of 9"),
    ("duplicate-numbers", f"{HEADER}\n{GOOD}\n{GOOD}\n".encode(), "already on line 2"),
    ("date-31-02", f"{HEADER}\n{GOOD.replace('2026-01-05', '31/02/2026')}\n".encode(), "YYYY-MM-DD"),
    ("date-2026-02-31", f"{HEADER}\n{GOOD.replace('2026-01-05', '2026-02-31')}\n".encode(), "not a real date"),
    ("empty", b"", "empty"),
    ("header-only", f"{HEADER}\n".encode(), "no rows"),
    ("wrong-header", f"code,name\n{GOOD}\n".encode(), "not the standard open-items header"),
    ("binary", bytes(range(256)) * 64, "not"),
    ("negative-invoice", f"{HEADER}\n{GOOD.replace('100.00,100.00', '-100.00,-100.00')}\n".encode(),
     "positive amount"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "message"), FILES, ids=[f[0] for f in FILES])
def test_broken_file_is_refused_whole(world, tmp_path, capsys, name, content, message):
    path = tmp_path / f"{name}.csv"
    path.write_bytes(content)
    before = database_state()
    with pytest.raises(CommandError) as refused:
        call_command("import_open_items", str(path))
    output = str(refused.value) + capsys.readouterr().err
    assert message in output
    assert "nothing" in str(refused.value)
    assert database_state() == before


def test_oversized_file_is_refused_whole(world, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    path = tmp_path / "big.csv"
    path.write_bytes(f"{HEADER}\n".encode() + f"{GOOD}\n".encode() * 20)
    before = database_state()
    with pytest.raises(CommandError, match="more than the 1,000 allowed"):
        call_command("import_open_items", str(path))
    assert database_state() == before


def test_there_are_at_least_forty_cases():
    assert len(CASES) + len(FILES) + 1 >= 40
