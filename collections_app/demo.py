"""The demo ledger: the public IBM "Accounts Receivable" sample, moved to today.

Source: IBM Watson Analytics sample data "WA_Fn-UseC_-Accounts-Receivable" (also
on Kaggle as "Finance Factoring – IBM Late Payment Histories"), shipped in
``data/ibm-accounts-receivable/``. See the README there.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from collections_app.demo_shift import shift_ledger
from collections_app.models import (
    ActionTemplate,
    ActionType,
    ChangeCause,
    DemoClock,
    ItemStatus,
    OpenItem,
    QuickPromisePreference,
    StatusKind,
)
from collections_app.roles import ADMINISTRATORS, OFFICERS
from collections_app.services.imports import (
    COLUMNS,
    ImportFileError,
    ImportReport,
    import_open_items,
)
from collections_app.services.item_state import ItemState, write_item_state
from customers.models import Customer

SAMPLE = settings.BASE_DIR / "data" / "ibm-accounts-receivable" / "accounts_receivable.csv"
DEFAULT_CUTOFF = datetime.date(2013, 4, 21)

_SECTORS = (
    "Trading",
    "Industries",
    "Logistics",
    "Foods",
    "Retail",
    "Services",
    "Engineering",
    "Distribution",
    "Textiles",
    "Pharma",
    "Packaging",
    "Electrics",
)

TEMPLATES = (
    {
        "name": "Check promised payment",
        "action_type": ActionType.CALL,
        "title": "Check that the promised payment arrived",
        "text": "If the payment is not there, call the customer back and ask for a new date.",
    },
    {
        "name": "Resolve dispute",
        "action_type": ActionType.TASK,
        "title": "Resolve the customer's dispute",
        "text": "Get the reason of the dispute, involve the resolver and agree on a solution.",
    },
)

STATUSES = (
    {"label": "Promise to pay", "kind": StatusKind.PROMISE, "template": "Check promised payment"},
    {"label": "In dispute", "kind": StatusKind.DISPUTE, "template": "Resolve dispute"},
    {"label": "Dispute resolved", "kind": StatusKind.DISPUTE_RESOLVED, "template": None},
    {"label": "Reminder sent", "kind": StatusKind.ONGOING, "template": None},
    {"label": "Litigation", "kind": StatusKind.LITIGATION, "template": None},
    {"label": "Broken promise", "kind": StatusKind.ONGOING, "template": None},
)

USERS = (
    {"username": "admin", "first_name": "Alice", "last_name": "Martin", "role": ADMINISTRATORS},
    {"username": "officer", "first_name": "Olivier", "last_name": "Dubois", "role": OFFICERS},
    {"username": "officer2", "first_name": "Sophie", "last_name": "Leroy", "role": OFFICERS},
)


class DemoError(Exception):
    """The sample could not be loaded; nothing was changed."""


@dataclass
class DemoReport:
    cutoff: datetime.date
    today: datetime.date
    import_report: ImportReport
    passwords: dict[str, str] = field(default_factory=dict)
    existing_users: list[str] = field(default_factory=list)
    disputed: int = 0


def _sample_date(text: str) -> datetime.date:
    month, day, year = (int(part) for part in text.split("/"))
    return datetime.date(year, month, day)


def customer_name(customer_id: str) -> str:
    """A made-up company name for a sample customer ID (the sample has none)."""
    letters = customer_id.split("-")[-1]
    sector = _SECTORS[int(hashlib.sha256(customer_id.encode()).hexdigest(), 16) % len(_SECTORS)]
    return f"{letters.capitalize()} {sector}"


@dataclass(frozen=True)
class SampleInvoice:
    customer_id: str
    number: str
    invoice_date: datetime.date
    due_date: datetime.date
    amount: str
    disputed: bool
    settled: datetime.date


def read_sample(path: Path = SAMPLE) -> list[SampleInvoice]:
    with path.open(newline="", encoding="utf-8") as stream:
        return [
            SampleInvoice(
                customer_id=row["customerID"],
                number=row["invoiceNumber"],
                invoice_date=_sample_date(row["InvoiceDate"]),
                due_date=_sample_date(row["DueDate"]),
                amount=row["InvoiceAmount"],
                disputed=row["Disputed"] == "Yes",
                settled=_sample_date(row["SettledDate"]),
            )
            for row in csv.DictReader(stream)
        ]


def open_items_file(
    invoices: list[SampleInvoice], *, cutoff: datetime.date, today: datetime.date
) -> bytes:
    """The standard open-items file of the ledger as it stood at the cut-off,
    every date moved so that the cut-off is today."""
    shift = today - cutoff
    currency = settings.DEFAULT_CURRENCY
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for invoice in invoices:
        if invoice.invoice_date > cutoff:
            continue
        open_amount = invoice.amount if invoice.settled > cutoff else "0"
        writer.writerow(
            [
                invoice.customer_id,
                customer_name(invoice.customer_id),
                "invoice",
                invoice.number,
                (invoice.invoice_date + shift).isoformat(),
                (invoice.due_date + shift).isoformat(),
                invoice.amount,
                open_amount,
                currency,
            ]
        )
    return out.getvalue().encode("utf-8")


def _starter_settings(admin_user) -> ItemStatus:
    templates = {}
    for spec in TEMPLATES:
        templates[spec["name"]], _created = ActionTemplate.objects.get_or_create(
            name=spec["name"],
            defaults={key: spec[key] for key in ("action_type", "title", "text")},
        )
    statuses = {}
    for spec in STATUSES:
        statuses[spec["label"]], _created = ItemStatus.objects.get_or_create(
            label=spec["label"],
            defaults={
                "kind": spec["kind"],
                "action_template": templates.get(spec["template"]),
            },
        )
    preference = QuickPromisePreference.load()
    if not preference.is_configured:
        preference.status = statuses["Promise to pay"]
        preference.delay_days = 3
        preference.broken_status = statuses["Broken promise"]
        preference.updated_by = admin_user
        preference.save()
    return statuses["In dispute"]


def _users(report: DemoReport) -> dict[str, object]:
    user_model = get_user_model()
    users = {}
    for spec in USERS:
        user = user_model.objects.filter(username=spec["username"]).first()
        if user is None:
            password = secrets.token_urlsafe(9)
            user = user_model.objects.create_user(
                username=spec["username"],
                password=password,
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                is_staff=spec["role"] == ADMINISTRATORS,
            )
            report.passwords[spec["username"]] = password
        else:
            report.existing_users.append(spec["username"])
        user.groups.add(Group.objects.get(name=spec["role"]))
        users[spec["username"]] = user
    return users


def import_sample(
    invoices: list[SampleInvoice],
    *,
    cutoff: datetime.date,
    today: datetime.date,
    sample: Path,
    at: datetime.datetime | None = None,
) -> ImportReport:
    """The sample's open items at ``cutoff`` through the normal import, dated so
    that the cut-off is ``today`` (and the import itself at ``at``, when it is a
    day of the past replayed); refused whole when a row is rejected."""
    try:
        imported = import_open_items(
            stream=io.BytesIO(open_items_file(invoices, cutoff=cutoff, today=today)),
            file_name=f"IBM sample at {cutoff.isoformat()}",
            at=at,
        )
    except ImportFileError as error:
        raise DemoError(f"The sample {sample.name} cannot be loaded: {error}") from error
    if imported.rejected or not imported.applied:
        # Without this the demo would carry on with an empty or partial
        # ledger and say nothing; raising also undoes the users and settings.
        raise DemoError(
            f"The open-items file made from {sample.name} has "
            f"{len(imported.rejected)} rejected row(s), nothing was loaded: "
            + "; ".join(f"line {r.line}: {r.reason}" for r in imported.rejected[:5])
        )
    return imported


def share_and_dispute(
    invoices: list[SampleInvoice],
    *,
    users: dict,
    dispute: ItemStatus,
    at: datetime.datetime | None = None,
) -> int:
    """New accounts shared between the two officers; new outstanding invoices the
    sample says were disputed put in dispute. Returns how many were."""
    officers = [users["officer"], users["officer2"]]
    customers = list(Customer.objects.filter(collector__isnull=True).order_by("code"))
    for index, customer in enumerate(customers):
        customer.collector = officers[index % len(officers)]
    Customer.objects.bulk_update(customers, ["collector"])
    disputed = {invoice.number for invoice in invoices if invoice.disputed}
    items = list(
        OpenItem.objects.outstanding()
        .filter(number__in=disputed, status__isnull=True)
        .exclude(status_changes__cause=ChangeCause.DEMO)
        .select_for_update()
        .order_by("pk")
    )
    # Disputes, as the product asks for them: with a resolver (the administrator)
    # and the day they were raised.
    at = at or timezone.now()
    state = ItemState(status=dispute, status_date=timezone.localdate(at), resolver=users["admin"])
    return len(
        write_item_state(
            items=items, state=state, user=users["admin"], cause=ChangeCause.DEMO, at=at
        )
    )


def load_demo(
    *, cutoff: datetime.date | None = None, today: datetime.date, sample: Path = SAMPLE
) -> DemoReport:
    """Load (or refresh) the demo ledger, its settings and its users. Idempotent.

    The cut-off is the demo clock's when the demo was loaded before (and moved
    on with the time machine, ``demo_replay``); a ledger lined up with an earlier
    day is first moved so that its cut-off is today.
    """
    invoices = read_sample(sample)
    with transaction.atomic():
        clock = DemoClock.objects.select_for_update().filter(pk=DemoClock.SINGLETON_PK).first()
        if clock is not None:
            if cutoff is not None and cutoff != clock.cutoff:
                raise DemoError(
                    f"The demo ledger is at the sample's {clock.cutoff}, not {cutoff}: move it "
                    "on with --advance or --date, or start from an empty database."
                )
            cutoff = clock.cutoff
            shift_ledger(days=(today - clock.aligned_on).days)
        cutoff = cutoff or DEFAULT_CUTOFF
        report = DemoReport(cutoff=cutoff, today=today, import_report=ImportReport())
        users = _users(report)
        dispute = _starter_settings(users["admin"])
        report.import_report = import_sample(invoices, cutoff=cutoff, today=today, sample=sample)
        report.disputed = share_and_dispute(invoices, users=users, dispute=dispute)
        DemoClock.objects.update_or_create(
            pk=DemoClock.SINGLETON_PK, defaults={"cutoff": cutoff, "aligned_on": today}
        )
    return report
