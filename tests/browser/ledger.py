"""A realistic account to chase, on the browser tests' business day (04/12/2026)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from collections_app.models import DocumentType, ItemStatus, OpenItem, StatusKind
from customers.models import Customer
from tests.factories import (
    ActionTemplateFactory,
    CustomerFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    configure_quick_promise,
)

D = datetime.date


@dataclass
class Ledger:
    customer: Customer
    items: dict[str, OpenItem]
    promise_status: ItemStatus


def officer(username: str = "olivia"):
    return OfficerFactory(username=username, first_name="Olivia", last_name="Martin")


def ledger(*, collector=None, configured: bool = True) -> Ledger:
    """Atelier Marchand & Fils: two long-overdue invoices, a broken promise, a
    disputed invoice, invoices not yet due, a credit note; some neighbours in the
    customer list."""
    template = ActionTemplateFactory(
        name="Check the promised payment",
        title="Check the promised payment arrived",
        text="If it is not in, call the customer back.",
    )
    promise = ItemStatusFactory(
        label="Promise to pay", kind=StatusKind.PROMISE, action_template=template
    )
    dispute = ItemStatusFactory(label="Price dispute", kind=StatusKind.DISPUTE)
    customer = CustomerFactory(code="C104233", name="Atelier Marchand & Fils", collector=collector)
    CustomerFactory(code="C100871", name="Boulangeries Lemoine", collector=collector)
    CustomerFactory(code="C102550", name="Transports Girard SAS")
    rows = [
        # number, type, document date, due date, amount, open amount, status, promise
        ("INV-2026-0912", DocumentType.INVOICE, D(2026, 9, 12), D(2026, 10, 12), "4850.00"),
        ("INV-2026-0987", DocumentType.INVOICE, D(2026, 10, 1), D(2026, 10, 31), "12400.00"),
        ("INV-2026-1004", DocumentType.INVOICE, D(2026, 10, 15), D(2026, 11, 14), "2315.40"),
        ("INV-2026-1021", DocumentType.INVOICE, D(2026, 10, 28), D(2026, 11, 27), "980.00"),
        ("DN-2026-0015", DocumentType.DEBIT_NOTE, D(2026, 11, 2), D(2026, 11, 30), "125.00"),
        ("INV-2026-1040", DocumentType.INVOICE, D(2026, 11, 6), D(2026, 12, 6), "6120.00"),
        ("INV-2026-1063", DocumentType.INVOICE, D(2026, 11, 20), D(2026, 12, 20), "3460.75"),
        ("CN-2026-0077", DocumentType.CREDIT_NOTE, D(2026, 11, 24), D(2026, 11, 24), "-450.00"),
    ]
    items = {
        number: OpenItemFactory(
            customer=customer,
            number=number,
            document_type=kind,
            document_date=document_date,
            due_date=due_date,
            amount=Decimal(amount),
        )
        for number, kind, document_date, due_date, amount in rows
    }
    # Partly paid.
    OpenItem.objects.filter(pk=items["INV-2026-0987"].pk).update(open_amount=Decimal("7400.00"))
    # Promised for last week, still unpaid: a broken promise.
    OpenItem.objects.filter(pk=items["INV-2026-1004"].pk).update(
        status=promise, promise_date=D(2026, 11, 27)
    )
    OpenItem.objects.filter(pk=items["INV-2026-1021"].pk).update(status=dispute)
    for item in items.values():
        item.refresh_from_db()
    if configured:
        configure_quick_promise(status=promise, delay_days=3)
    return Ledger(customer=customer, items=items, promise_status=promise)
