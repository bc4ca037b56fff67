from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, default_currency


class ActionType(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    TASK = "task", _("Task")
    VISIT = "visit", _("Visit")


class ActionTemplate(models.Model):
    """A model of follow-up action, scheduled by the statuses that carry it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    action_type = models.CharField(
        _("action type"), max_length=16, choices=ActionType, default=ActionType.CALL
    )
    title = models.CharField(
        _("action title"),
        max_length=200,
        blank=True,
        help_text=_("Title of the actions it creates; the template's name when empty."),
    )
    text = models.TextField(
        _("action text"), blank=True, help_text=_("Instructions copied into each action.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("action template")
        verbose_name_plural = _("action templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def action_title(self) -> str:
        return self.title or self.name


class StatusKind(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    PROMISE = "promise", _("Promise to pay")
    DISPUTE = "dispute", _("Dispute")
    DISPUTE_RESOLVED = "dispute_resolved", _("Dispute resolved")
    LITIGATION = "litigation", _("Litigation")


#: The follow-up days of a new status: the due date an action created with it gets.
DEFAULT_FOLLOW_UP_DAYS = 7
MAX_FOLLOW_UP_DAYS = 366


class ItemStatus(models.Model):
    """A qualification of an open item: promised, disputed, in litigation…"""

    label = models.CharField(_("label"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=StatusKind, default=StatusKind.ONGOING
    )
    action_template = models.ForeignKey(
        ActionTemplate,
        verbose_name=_("action template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statuses",
        help_text=_("When set, applying the status schedules a follow-up action from it."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Inactive statuses stay on the items that have them but can no longer be applied."
        ),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow-up days"),
        default=DEFAULT_FOLLOW_UP_DAYS,
        db_default=DEFAULT_FOLLOW_UP_DAYS,
        validators=[MaxValueValidator(MAX_FOLLOW_UP_DAYS)],
        help_text=_(
            "Days from today that pre-fill the due date of an action created with this status."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("item status")
        verbose_name_plural = _("item statuses")
        ordering = ["label"]
        constraints = [
            models.CheckConstraint(condition=~Q(label=""), name="itemstatus_label_not_empty"),
            models.CheckConstraint(
                condition=Q(follow_up_days__lte=MAX_FOLLOW_UP_DAYS),
                name="itemstatus_follow_up_days_at_most_a_year",
                violation_error_message=_("Follow-up days must be between 0 and 366."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_promise(self) -> bool:
        return self.kind == StatusKind.PROMISE

    @property
    def is_dispute(self) -> bool:
        """A dispute asks for a resolver, the person who settles it."""
        return self.kind == StatusKind.DISPUTE


class DocumentType(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    DEBIT_NOTE = "debit_note", _("Debit note")
    CREDIT_NOTE = "credit_note", _("Credit note")
    PAYMENT = "payment", _("Payment")
    OTHER = "other", _("Other")


#: Document types that reduce what the customer owes: never promised.
CREDIT_DOCUMENT_TYPES = frozenset({DocumentType.CREDIT_NOTE, DocumentType.PAYMENT})


class OpenItemQuerySet(models.QuerySet):
    def outstanding(self) -> OpenItemQuerySet:
        return self.exclude(open_amount=0)


class OpenItem(models.Model):
    """One line of a customer's account: an invoice, a credit note, a payment…

    An item is outstanding while its open amount is not zero. Its status and
    promise date change only through the services, which write the history.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="open_items"
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
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"),
                name="openitem_currency_iso_4217",
                violation_error_message=_("The currency must be a three-letter ISO code."),
            ),
        ]
        indexes = [
            # The account statement: one customer's outstanding items by due date.
            models.Index(
                fields=["customer", "due_date", "number"],
                name="openitem_outstanding",
                condition=~Q(open_amount=0),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_outstanding(self) -> bool:
        return self.open_amount != 0

    @property
    def is_debit(self) -> bool:
        return self.open_amount > 0 and self.document_type not in CREDIT_DOCUMENT_TYPES

    def days_overdue(self, today: datetime.date) -> int:
        """Days past the due date of an amount still due (credits are never overdue)."""
        return max(0, (today - self.due_date).days) if self.is_debit else 0

    def promise_broken(self, today: datetime.date) -> bool:
        """Promised for a day already past, and still not paid."""
        return self.promise_date is not None and self.promise_date < today and self.open_amount > 0


class ActionQuerySet(models.QuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(done_at__isnull=True)


class Action(models.Model):
    """A follow-up to do on a customer's items: call back, check a payment…"""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="actions"
    )
    items = models.ManyToManyField(
        OpenItem, verbose_name=_("items"), related_name="actions", blank=True
    )
    template = models.ForeignKey(
        ActionTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    action_type = models.CharField(
        _("type"), max_length=16, choices=ActionType, default=ActionType.CALL
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    due_date = models.DateField(_("due date"), default=timezone.localdate)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_actions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_actions",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="done_actions",
    )
    outcome = models.TextField(
        _("outcome"), blank=True, default="", db_default="", help_text=_("What came of it.")
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "pk"]
        permissions = [("complete_any_action", _("Can complete anybody's actions"))]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="action_title_not_empty"),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_at__gte=models.F("created_at")),
                name="action_done_after_created",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assigned_to", "due_date"],
                name="action_open_by_assignee",
                condition=Q(done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_date < today


class ChangeCause(models.TextChoices):
    QUICK_PROMISE = "quick_promise", _("Quick Promise")
    STATUS_CHANGE = "status_change", _("Status change")
    IMPORT = "import", _("Import")
    ADMIN = "admin", _("Data fix")
    DEMO = "demo", _("Demo data")
    RESOLVER = "resolver", _("Resolver change")
    RESOLUTION = "resolution", _("Dispute resolved with its action")


class StatusChange(models.Model):
    """One change of one item's status or promise date, by whatever path.

    Written by the services only, never edited: the audit trail of an item.
    """

    item = models.ForeignKey(
        OpenItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="status_changes"
    )
    status_before = models.ForeignKey(
        ItemStatus,
        verbose_name=_("status before"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_after = models.ForeignKey(
        ItemStatus,
        verbose_name=_("status after"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    promise_date_before = models.DateField(_("promise date before"), null=True, blank=True)
    promise_date_after = models.DateField(_("promise date after"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, db_index=True)
    cause = models.CharField(_("cause"), max_length=20, choices=ChangeCause)
    action = models.ForeignKey(
        Action,
        verbose_name=_("follow-up"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changes",
    )
    # The details the item got with the change (Change status); database
    # defaults, so that the writers that list their columns keep working.
    status_date_after = models.DateField(_("status date after"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="", db_default="")
    resolver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-pk"]
        get_latest_by = "changed_at"

    def __str__(self) -> str:
        return f"{self.item} {self.status_before or '-'} → {self.status_after or '-'}"


class ActionEventKind(models.TextChoices):
    RESCHEDULED = "rescheduled", _("Rescheduled")
    REASSIGNED = "reassigned", _("Reassigned")
    DONE = "done", _("Done")


class ActionEvent(models.Model):
    """What happened to an action after it was created (the action row itself
    says when and by whom it was created): rescheduled, reassigned, done.

    Written by the action services only, never edited: the action's trail, read
    by the customer's history.
    """

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.PROTECT, related_name="events"
    )
    # The action's customer, so that a customer's history reads one index.
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=12, choices=ActionEventKind)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date_before = models.DateField(_("due date before"), null=True, blank=True)
    due_date_after = models.DateField(_("due date after"), null=True, blank=True)
    assigned_before = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned before"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_after = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned after"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("action event")
        verbose_name_plural = _("action events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "at"], name="actionevent_customer")]

    def __str__(self) -> str:
        return f"{self.action} {self.get_kind_display()}"


class QuickPromisePreference(models.Model):
    """The Quick Promise settings: which status, and how many days ahead.

    A singleton: the database allows only the row whose primary key is 1.
    """

    SINGLETON_PK = 1
    MAX_DELAY_DAYS = 5

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    status = models.ForeignKey(
        ItemStatus,
        verbose_name=_("quick payment promise status"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delay_days = models.PositiveSmallIntegerField(
        _("promised payment date (days from today)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Quick Promise preference")
        verbose_name_plural = _("Quick Promise preferences")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="quickpromisepreference_singleton"),
            models.CheckConstraint(
                condition=Q(delay_days__isnull=True) | Q(delay_days__gte=0, delay_days__lte=5),
                name="quickpromisepreference_delay_0_to_5",
                violation_error_message=_("The promised payment date must be D+0 to D+5."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Quick Promise preference"))

    def get_absolute_url(self) -> str:
        return reverse("collections:preferences")

    @classmethod
    def load(cls) -> QuickPromisePreference:
        """The preference; an unsaved, unconfigured one until it is first saved
        (reading it never writes)."""
        preference = (
            cls.objects.select_related("status__action_template")
            .filter(pk=cls.SINGLETON_PK)
            .first()
        )
        return preference or cls(pk=cls.SINGLETON_PK)

    @property
    def is_configured(self) -> bool:
        return self.status_id is not None and self.delay_days is not None

    @property
    def is_usable(self) -> bool:
        return self.is_configured and self.status.is_active

    def promise_date(self, today: datetime.date) -> datetime.date:
        return today + datetime.timedelta(days=self.delay_days)


class ImportRun(models.Model):
    """One load of an open-items file: what it read and what it did."""

    file_name = models.CharField(_("file"), max_length=255)
    snapshot = models.BooleanField(_("full export"), default=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    applied = models.BooleanField(_("applied"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class ImportChangeKind(models.TextChoices):
    NEW = "new", _("New item")
    AMOUNT = "amount", _("Amount changed")
    PAID = "paid", _("Paid")
    REOPENED = "reopened", _("Reopened")
    DETAILS = "details", _("Details changed")


class ImportChange(models.Model):
    """What an import did to one item: the trace of payments and new invoices in
    the customer's history (and what promise evaluation reads)."""

    run = models.ForeignKey(
        ImportRun, verbose_name=_("import"), on_delete=models.PROTECT, related_name="changes"
    )
    item = models.ForeignKey(
        OpenItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="import_changes"
    )
    kind = models.CharField(_("change"), max_length=10, choices=ImportChangeKind)
    open_amount_before = models.DecimalField(
        _("open amount before"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    open_amount_after = models.DecimalField(_("open amount after"), max_digits=14, decimal_places=2)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["item", "changed_at"], name="importchange_item")]

    def __str__(self) -> str:
        return f"{self.item} {self.get_kind_display()}"
