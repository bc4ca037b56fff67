"""Payment promises: what a customer promised to pay, on which items, by when,
and whether the promise was kept.

Written by the services only (``services.promises`` creates and supersedes them,
``services.promise_evaluation`` evaluates them); never edited by hand.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models.actions import Action
from collections_app.models.items import OpenItem
from customers.models import Customer, default_currency


class PromiseSource(models.TextChoices):
    QUICK_PROMISE = "quick_promise", _("Quick Promise")
    STATUS_CHANGE = "status_change", _("Change status")
    MANUAL = "manual", _("By hand")


class PromiseState(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    PARTIALLY_KEPT = "partially_kept", _("Partially kept")
    BROKEN = "broken", _("Broken")
    CANCELLED = "cancelled", _("Cancelled")


#: The states of an evaluated promise: what the keep rate counts.
EVALUATED_STATES = (PromiseState.KEPT, PromiseState.PARTIALLY_KEPT, PromiseState.BROKEN)
#: Every state but open: the promise has its final state and its evaluation time.
FINAL_STATES = (*EVALUATED_STATES, PromiseState.CANCELLED)


class PromiseQuerySet(models.QuerySet):
    def open(self) -> PromiseQuerySet:
        return self.filter(state=PromiseState.OPEN)

    def evaluated(self) -> PromiseQuerySet:
        return self.filter(state__in=EVALUATED_STATES)


class PaymentPromise(models.Model):
    """A customer's promise to pay some items by a date, in one currency (a
    selection in several currencies makes one promise per currency)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="payment_promises",
    )
    items = models.ManyToManyField(
        OpenItem,
        verbose_name=_("items"),
        through="PromiseItem",
        related_name="payment_promises",
    )
    promised_date = models.DateField(_("promised date"))
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    amount = models.DecimalField(
        _("amount promised"),
        max_digits=16,
        decimal_places=2,
        help_text=_("The open amounts of its items when it was made (of those still promised)."),
    )
    paid_amount = models.DecimalField(
        _("amount received"),
        max_digits=16,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Received on its items between its making and the end of its grace period."),
    )
    source = models.CharField(_("source"), max_length=16, choices=PromiseSource)
    state = models.CharField(
        _("state"), max_length=16, choices=PromiseState, default=PromiseState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    evaluated_at = models.DateTimeField(
        _("evaluated"), null=True, blank=True, help_text=_("When it got its final state.")
    )
    follow_up = models.ForeignKey(
        Action,
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    callback = models.ForeignKey(
        Action,
        verbose_name=_("callback"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The call created when it was broken."),
    )

    objects = PromiseQuerySet.as_manager()

    #: For the customer list's keep rate, which reaches this model through the
    #: ``payment_promises`` relation (the customers app imports nothing from here).
    EVALUATED_STATES = EVALUATED_STATES
    KEPT = PromiseState.KEPT

    class Meta:
        verbose_name = _("payment promise")
        verbose_name_plural = _("payment promises")
        ordering = ["-promised_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="promise_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, paid_amount__lte=F("amount")),
                name="promise_paid_within_amount",
            ),
            # Open, or evaluated at a known time: never both, never neither.
            models.CheckConstraint(
                condition=Q(state=PromiseState.OPEN, evaluated_at__isnull=True)
                | (~Q(state=PromiseState.OPEN) & Q(evaluated_at__isnull=False)),
                name="promise_evaluated_unless_open",
            ),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="promise_currency_iso_4217"
            ),
        ]
        indexes = [
            # The daily evaluation and the dashboards: open promises by date.
            models.Index(
                fields=["promised_date"],
                name="promise_open_by_date",
                condition=Q(state=PromiseState.OPEN),
            ),
            # A customer's promises and keep rate.
            models.Index(fields=["customer", "promised_date"], name="promise_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.promised_date} {self.amount} {self.currency}"

    @property
    def is_open(self) -> bool:
        return self.state == PromiseState.OPEN

    @property
    def is_broken(self) -> bool:
        return self.state == PromiseState.BROKEN

    def deadline(self, *, grace_days: int) -> datetime.date:
        """The last day on which a payment still counts for it."""
        return self.promised_date + datetime.timedelta(days=grace_days)


class ReleaseReason(models.TextChoices):
    SUPERSEDED = "superseded", _("Promised again")
    WITHDRAWN = "withdrawn", _("Status changed")


class PromiseItem(models.Model):
    """One item of a promise: the amount promised for it (its open amount then),
    what was received on it in time, and the how-manieth promise of the item it is."""

    promise = models.ForeignKey(
        PaymentPromise, verbose_name=_("promise"), on_delete=models.PROTECT, related_name="lines"
    )
    item = models.ForeignKey(
        OpenItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="promise_lines"
    )
    amount = models.DecimalField(_("amount promised"), max_digits=14, decimal_places=2)
    paid_amount = models.DecimalField(
        _("amount received"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    level = models.PositiveSmallIntegerField(
        _("level"), default=1, help_text=_("1 for the item's first promise, 2 for the next…")
    )
    released_at = models.DateTimeField(
        _("released"),
        null=True,
        blank=True,
        help_text=_("When the item stopped counting for the promise, while it was open."),
    )
    release_reason = models.CharField(
        _("why released"), max_length=12, choices=ReleaseReason, blank=True, default=""
    )

    class Meta:
        verbose_name = _("promised item")
        verbose_name_plural = _("promised items")
        ordering = ["promise", "item"]
        constraints = [
            models.UniqueConstraint(fields=["promise", "item"], name="promiseitem_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="promiseitem_amount_positive"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, paid_amount__lte=F("amount")),
                name="promiseitem_paid_within_amount",
            ),
            models.CheckConstraint(condition=Q(level__gte=1), name="promiseitem_level_from_1"),
        ]
        indexes = [
            # The item's promises still counting: what a new promise supersedes and
            # what an import's payments are credited to.
            models.Index(
                fields=["item"], name="promiseitem_active", condition=Q(released_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.amount})"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class DemoClock(models.Model):
    """The day of the demo sample that the demo ledger shows as today (its
    cut-off), and the real day it was lined up with: what ``load_demo
    --advance`` moves on from. One row at most."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    cutoff = models.DateField(_("sample cut-off"))
    aligned_on = models.DateField(_("shown as"), help_text=_("The real day the cut-off was."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("demo clock")
        verbose_name_plural = _("demo clock")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="democlock_singleton")]

    def __str__(self) -> str:
        return f"{self.cutoff} = {self.aligned_on}"
