"""`python manage.py load_demo`: the IBM Accounts Receivable sample moved to today."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from collections_app.demo import DemoError, load_demo
from collections_app.models import (
    ChangeCause,
    ItemStatus,
    OpenItem,
    QuickPromisePreference,
    StatusChange,
    StatusKind,
)
from customers.models import Customer
from tests.utils import database_state

pytestmark = pytest.mark.django_db

SAMPLE = settings.BASE_DIR / "data" / "ibm-accounts-receivable" / "accounts_receivable.csv"
TODAY = datetime.date(2026, 3, 2)
# 00:30 in Paris is still the day before in UTC: "today" is the business day.
MOMENT = datetime.datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))
DEFAULT_CUTOFF = datetime.date(2013, 4, 21)


def _date(text: str) -> datetime.date:
    return datetime.datetime.strptime(text, "%m/%d/%Y").date()


def sample_at(cutoff: datetime.date) -> dict[str, dict]:
    """The sample's invoices issued by the cut-off, by number, read independently
    of the demo code."""
    with SAMPLE.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return {
        row["invoiceNumber"]: {
            "customer": row["customerID"],
            "issued": _date(row["InvoiceDate"]),
            "due": _date(row["DueDate"]),
            "amount": Decimal(row["InvoiceAmount"]),
            "disputed": row["Disputed"] == "Yes",
            "outstanding": _date(row["SettledDate"]) > cutoff,
        }
        for row in rows
        if _date(row["InvoiceDate"]) <= cutoff
    }


def load(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(MOMENT, tick=False):
        call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  (admin|officer2?) +(\S+)$", output, flags=re.MULTILINE))


@pytest.mark.parametrize("cutoff", [DEFAULT_CUTOFF, datetime.date(2012, 3, 16)])
def test_loads_the_sample_with_the_cutoff_moved_to_today(cutoff):
    output = load() if cutoff == DEFAULT_CUTOFF else load("--cutoff", cutoff.isoformat())
    expected = sample_at(cutoff)
    shift = TODAY - cutoff
    assert f"cut-off {cutoff} shown as today ({TODAY})" in output
    items = {item.number: item for item in OpenItem.objects.select_related("customer")}
    assert set(items) == set(expected)
    for number, invoice in expected.items():
        item = items[number]
        assert item.customer.code == invoice["customer"]
        assert item.document_type == "invoice"
        assert item.document_date == invoice["issued"] + shift
        assert item.due_date == invoice["due"] + shift
        assert item.amount == invoice["amount"]
        assert item.open_amount == (invoice["amount"] if invoice["outstanding"] else 0)
        assert item.currency == settings.DEFAULT_CURRENCY
    assert max(item.document_date for item in items.values()) <= TODAY
    assert Customer.objects.count() == len({i["customer"] for i in expected.values()}) <= 100
    assert f"Items: {len(expected)} created, 0 updated, 0 unchanged" in output


def test_ledger_has_outstanding_overdue_and_paid_items():
    load()
    expected = sample_at(DEFAULT_CUTOFF)
    outstanding = OpenItem.objects.outstanding()
    assert outstanding.count() == sum(i["outstanding"] for i in expected.values()) > 0
    overdue = outstanding.filter(due_date__lt=TODAY).count()
    shift = TODAY - DEFAULT_CUTOFF
    assert overdue == sum(
        1 for i in expected.values() if i["outstanding"] and i["due"] + shift < TODAY
    )
    assert overdue > 0
    assert OpenItem.objects.filter(open_amount=0).exclude(closed_at=None).count() > 0
    assert not OpenItem.objects.outstanding().exclude(closed_at=None).exists()


def test_invoice_numbers_keep_their_leading_zeros():
    load()
    item = OpenItem.objects.get(number="0000611365")
    assert item.customer.code == "0379-NEVHP"
    assert item.amount == Decimal("55.94")
    assert OpenItem.objects.filter(number__startswith="0").count() > 100
    assert set(OpenItem.objects.values_list("number", flat=True).distinct()) == set(
        sample_at(DEFAULT_CUTOFF)
    )


def test_sets_up_statuses_quick_promise_and_disputes():
    output = load()
    promise = ItemStatus.objects.get(label="Promise to pay")
    dispute = ItemStatus.objects.get(label="In dispute")
    assert (promise.kind, dispute.kind) == (StatusKind.PROMISE, StatusKind.DISPUTE)
    assert promise.action_template.name == "Check promised payment"
    preference = QuickPromisePreference.load()
    assert preference.is_configured
    assert (preference.status, preference.delay_days) == (promise, 3)
    disputed = {
        number
        for number, invoice in sample_at(DEFAULT_CUTOFF).items()
        if invoice["disputed"] and invoice["outstanding"]
    }
    assert disputed
    assert set(OpenItem.objects.filter(status=dispute).values_list("number", flat=True)) == disputed
    # As the product asks for a dispute: with a resolver.
    assert set(
        OpenItem.objects.filter(status=dispute).values_list("resolver__username", flat=True)
    ) == {"admin"}
    assert f"{len(disputed)} put in dispute" in output
    changes = StatusChange.objects.filter(cause=ChangeCause.DEMO)
    assert changes.count() == len(disputed)
    assert {change.changed_by.username for change in changes} == {"admin"}


def test_creates_the_demo_users_and_prints_their_passwords_once():
    first = load()
    shown = passwords(first)
    assert set(shown) == {"admin", "officer", "officer2"}
    assert "passwords shown only this once" in first
    users = {user.username: user for user in get_user_model().objects.all()}
    groups = {name: set(user.groups.values_list("name", flat=True)) for name, user in users.items()}
    assert groups == {
        "admin": {"Administrators"},
        "officer": {"Collection officers"},
        "officer2": {"Collection officers"},
    }
    assert users["admin"].is_staff
    assert not users["officer"].is_staff
    for username, password in shown.items():
        assert users[username].check_password(password)
    second = load()
    assert passwords(second) == {}
    assert all(password not in second for password in shown.values())
    assert "Existing demo users kept their passwords (admin, officer, officer2)" in second


def test_shares_the_customers_between_the_two_officers():
    load()
    collectors = Customer.objects.values_list("collector__username", flat=True)
    assert set(collectors) == {"officer", "officer2"}
    assert (
        abs(
            Customer.objects.filter(collector__username="officer").count()
            - Customer.objects.filter(collector__username="officer2").count()
        )
        <= 1
    )


def test_loading_twice_changes_no_item():
    load()
    before = database_state()
    output = load()
    after = database_state()
    # Only the import log gains a row.
    assert (
        after.pop("collections_app_importrun")[0] == before.pop("collections_app_importrun")[0] + 1
    )
    assert after == before
    count = len(sample_at(DEFAULT_CUTOFF))
    assert f"Items: 0 created, 0 updated, {count} unchanged; 0 put in dispute." in output


@pytest.mark.parametrize("cutoff", ["2011-12-31", "2014-01-01"])
def test_refuses_a_cutoff_outside_the_sample(cutoff):
    before = database_state()
    with pytest.raises(CommandError, match="The cut-off must be within the sample"):
        load("--cutoff", cutoff)
    assert database_state() == before
    assert not get_user_model().objects.exists()


def test_refuses_a_cutoff_that_is_not_a_date():
    with pytest.raises(CommandError, match="--cutoff"):
        load("--cutoff", "21/04/2013")
    assert not OpenItem.objects.exists()


def test_a_sample_the_import_rejects_loads_nothing_and_says_why(tmp_path):
    sample = tmp_path / "sample.csv"
    sample.write_text(
        "countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,"
        "InvoiceAmount,Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate\r\n"
        "391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0\r\n"
        '391,0379-NEVHP,4/6/2013,0000611366,1/3/2013,2/2/2013,"55,94",No,5/1/2013,Paper,13,0\r\n',
        encoding="utf-8",
    )
    before = database_state()
    with pytest.raises(DemoError) as raised:
        load_demo(cutoff=DEFAULT_CUTOFF, today=TODAY, sample=sample)
    message = str(raised.value)
    assert "1 rejected row(s), nothing was loaded" in message
    assert "line 3: amount “55,94” is not an amount" in message
    assert database_state() == before
    assert not get_user_model().objects.exists()
