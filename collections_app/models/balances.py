"""Running totals of the outstanding items, for statements that stay quick on
the largest accounts.

The totals of an account statement (outstanding, overdue, what can be promised)
would otherwise read every outstanding item of the account: 25,000 of them on a
large retail account. ``ItemBalance`` keeps the same sums per customer, currency,
due date, document type and sign, so a statement reads a few hundred rows
whatever the size of the account, and "overdue" (a due date before today) is
still worked out at read time.

The rows are written by PostgreSQL itself: statement-level triggers on the items
table (migration 0008) append, for each INSERT, UPDATE, DELETE or COPY, one row
per group the statement changed, with the change in count and amount. Every way
of writing items (the services, the import's SQL, the Django admin, COPY, a fix
by hand in psql) is covered, in the same transaction as the change, and no
existing row is ever updated, so writers never wait for one another here.
``compact_item_balances`` (services/balances.py) folds a group's rows into one
from time to time; the sums do not depend on it.

On SQLite (the local demo) there are no triggers and the statement sums the
items themselves.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from customers.models import Customer


class ItemBalance(models.Model):
    """The change in count and open amount of one group of outstanding items
    (customer, currency, due date, document type, sign) made by one statement,
    or the sum of such changes once compacted."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        # Kept by the triggers, which know nothing of Django's deletion rules; a
        # customer is never deleted while it has items (OpenItem.customer is
        # PROTECT), and a group that sums to nothing is dropped by compaction.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        # The index below leads with the customer.
        db_index=False,
        related_name="+",
    )
    currency = models.CharField(_("currency"), max_length=3)
    due_date = models.DateField(_("due date"))
    document_type = models.CharField(_("type"), max_length=16)
    is_debit = models.BooleanField(_("debit"), help_text=_("Items with a positive open amount."))
    item_count = models.BigIntegerField(_("items"))
    open_total = models.DecimalField(_("open amount"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("item balance")
        verbose_name_plural = _("item balances")
        # Nobody edits these: no add, change or delete permission to give.
        default_permissions = ("view",)
        indexes = [
            # A statement's totals read a customer's rows from the index alone
            # (an index-only scan): the rows, appended by many statements over
            # time, lie one a page in the table (700 pages for a 25,000-item
            # account, 2.8 ms; 13 index pages, 0.8 ms). Compaction groups by the
            # same key.
            models.Index(
                fields=["customer", "currency", "due_date", "document_type", "is_debit"],
                include=["item_count", "open_total"],
                name="itembalance_by_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.currency} {self.due_date} {self.document_type}"
