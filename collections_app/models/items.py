"""Open items: the lines of a customer's account."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models.statuses import ItemStatus
from customers.models import Customer, default_currency


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    DEBIT_NOTE = "debit_note", _("Debit note")
    CREDIT_NOTE = "credit_note", _("Credit note")
    PAYMENT = "payment", _("Payment")
    OTHER = "other", _("Other")


#: Document types that reduce what the customer owes: never promised.
CREDIT_DOCUMENT_TYPES = frozenset({DocumentType.CREDIT_NOTE, DocumentType.PAYMENT})
#: Document types whose amount has a fixed sign.
_SIGNED_TYPES = [
    DocumentType.INVOICE,
    DocumentType.DEBIT_NOTE,
    DocumentType.CREDIT_NOTE,
    DocumentType.PAYMENT,
]


def is_debit_item(*, open_amount, document_type: str) -> bool:
    """An amount still due (not a credit note, a payment or a closed item)."""
    return open_amount > 0 and document_type not in CREDIT_DOCUMENT_TYPES


def days_overdue(*, due_date: datetime.date, is_debit: bool, today: datetime.date) -> int:
    """Days past the due date of an amount still due (credits are never overdue)."""
    return max(0, (today - due_date).days) if is_debit else 0


def promise_broken(
    *, promise_date: datetime.date | None, open_amount, today: datetime.date
) -> bool:
    """Promised for a day already past, and still not paid."""
    return promise_date is not None and promise_date < today and open_amount > 0


class OpenItemQuerySet(models.QuerySet):
    def outstanding(self) -> OpenItemQuerySet:
        return self.exclude(open_amount=0)


class OpenItem(models.Model):
    """One line of a customer's account: an invoice, a credit note, a payment…

    An item is outstanding while its open amount is not zero. Its status and
    promise date change only through the services, which write the history.
    """

    # No index of its own on the foreign keys: the unique (customer, number) index
    # serves the lookups by customer, and partial indexes (Meta) those by status,
    # author or resolver, which most items do not have. A million items imported
    # keep four indexes fewer up to date, and every plan weighs fewer of them.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="open_items",
        db_index=False,
    )
    number = models.CharField(_("number"), max_length=50)
    document_type = models.CharField(
        _("type"), max_length=16, choices=DocumentType, default=DocumentType.INVOICE
    )
    document_date = models.DateField(_("document date"), default=timezone.localdate)
    due_date = models.DateField(_("due date"), default=timezone.localdate)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    open_amount = models.DecimalField(_("open amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    status = models.ForeignKey(
        ItemStatus,
        verbose_name=_("status"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        db_index=False,
    )
    promise_date = models.DateField(_("promise date"), null=True, blank=True)
    # What the officer said with the status (Change status): its date (the
    # promise date for a promise), a comment, who set it and when, and for a
    # dispute the person who resolves it. Database defaults, so that every way
    # of inserting items (the import's SQL, COPY) keeps working.
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_comment = models.TextField(_("status comment"), blank=True, default="", db_default="")
    status_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("status set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    status_set_at = models.DateTimeField(_("status set"), null=True, blank=True)
    resolver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items_to_resolve",
        help_text=_("Who settles the dispute."),
        db_index=False,
    )
    closed_at = models.DateTimeField(
        _("closed"), null=True, blank=True, help_text=_("When an import found it paid or gone.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OpenItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        ordering = ["due_date", "number"]
        permissions = [
            ("apply_quick_promise", _("Can apply a quick promise to pay")),
            ("change_item_status", _("Can change the status of items")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "number"], name="openitem_unique_number"),
            models.CheckConstraint(condition=~Q(number=""), name="openitem_number_not_empty"),
            # The open amount has the sign of the amount and never exceeds it.
            models.CheckConstraint(
                condition=Q(open_amount=0)
                | Q(amount__gt=0, open_amount__gt=0, open_amount__lte=models.F("amount"))
                | Q(amount__lt=0, open_amount__lt=0, open_amount__gte=models.F("amount")),
                name="openitem_open_amount_within_amount",
                violation_error_message=_(
                    "The open amount must have the sign of the amount and not exceed it."
                ),
            ),
            # What the import checks, kept for every other way of writing items (the
            # Django admin): credits are negative, amounts due positive.
            models.CheckConstraint(
                condition=Q(
                    document_type__in=[DocumentType.CREDIT_NOTE, DocumentType.PAYMENT],
                    amount__lt=0,
                )
                | Q(document_type__in=[DocumentType.INVOICE, DocumentType.DEBIT_NOTE], amount__gt=0)
                | (~Q(document_type__in=_SIGNED_TYPES) & ~Q(amount=0)),
                name="openitem_amount_sign_of_its_type",
                violation_error_message=_(
                    "A credit note or a payment has a negative amount, an invoice or a debit "
                    "note a positive one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="openitem_currency_iso_4217",
                violation_error_message=_("The currency must be a three-letter ISO code."),
            ),
        ]
        indexes = [
            # The account statement: one customer's outstanding items by due date;
            # its totals read from the index alone (the included columns).
            models.Index(
                fields=["customer", "due_date", "number"],
                name="openitem_outstanding",
                condition=~Q(open_amount=0),
                include=["open_amount", "currency", "document_type", "status"],
            ),
            *(
                models.Index(
                    fields=[name],
                    name=f"openitem_{name}",
                    condition=Q(**{f"{name}__isnull": False}),
                )
                for name in ("status", "status_set_by", "resolver")
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_outstanding(self) -> bool:
        return self.open_amount != 0

    @property
    def is_debit(self) -> bool:
        return is_debit_item(open_amount=self.open_amount, document_type=self.document_type)

    def days_overdue(self, today: datetime.date) -> int:
        return days_overdue(due_date=self.due_date, is_debit=self.is_debit, today=today)

    def promise_broken(self, today: datetime.date) -> bool:
        return promise_broken(
            promise_date=self.promise_date, open_amount=self.open_amount, today=today
        )
