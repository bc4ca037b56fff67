"""Item statuses, the action templates they carry, and the Quick Promise preference."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.rows import columns, instance_from_row


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


#: Days after its date during which a promise may still be kept.
DEFAULT_GRACE_DAYS = 1
MAX_GRACE_DAYS = 30


#: Every status and the preference's row beside each (``load_with_statuses``).
_STATUSES_AND_PREFERENCE = """
SELECT {status_columns}, {columns}
FROM {statuses} s LEFT JOIN {preference} p ON p.id = %s
ORDER BY s.label
"""


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
    # Promise tracking (Preferences too): how long after its date a promise may
    # still be kept, and the status its items get when it is broken. Database
    # defaults, so that the singleton row of earlier versions gets them.
    grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"),
        default=DEFAULT_GRACE_DAYS,
        db_default=DEFAULT_GRACE_DAYS,
        help_text=_(
            "A promise is kept when its items are paid by the end of its date plus this many "
            "calendar days."
        ),
    )
    broken_status = models.ForeignKey(
        ItemStatus,
        verbose_name=_("broken promise status"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The status the items of a broken promise get; none leaves them as they are."),
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
            models.CheckConstraint(
                condition=Q(grace_days__lte=MAX_GRACE_DAYS),
                name="quickpromisepreference_grace_at_most_30",
                violation_error_message=_("The grace period must be between 0 and 30 days."),
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
            cls.objects.select_related("status__action_template", "broken_status")
            .filter(pk=cls.SINGLETON_PK)
            .first()
        )
        return preference or cls(pk=cls.SINGLETON_PK)

    @classmethod
    def load_with_statuses(cls) -> tuple[list[ItemStatus], QuickPromisePreference]:
        """Every status, by label, and the preference with its statuses among
        them: one query, for the statement, which shows both each time."""
        fields = cls._meta.concrete_fields
        names = [field.attname for field in fields]
        preference_values = None
        statuses = []
        for status in ItemStatus.objects.raw(
            _STATUSES_AND_PREFERENCE.format(
                statuses=ItemStatus._meta.db_table,
                preference=cls._meta.db_table,
                status_columns=columns(ItemStatus, "s"),
                columns=", ".join(
                    f'p."{field.column}" AS "preference_{field.attname}"' for field in fields
                ),
            ),
            [cls.SINGLETON_PK],
        ):
            statuses.append(status)
            preference_values = [getattr(status, f"preference_{name}") for name in names]
        if not statuses:
            return statuses, cls.load()
        if preference_values[0] is None:
            return statuses, cls(pk=cls.SINGLETON_PK)
        # Beside a raw query's model, its extra columns come as the driver gives
        # them: converted as the ORM would.
        preference = instance_from_row(cls, preference_values, using=statuses[0]._state.db)
        by_id = {status.pk: status for status in statuses}
        for name in ("status", "broken_status"):
            status_id = getattr(preference, f"{name}_id")
            if status_id in by_id:
                setattr(preference, name, by_id[status_id])
        return statuses, preference

    @property
    def is_configured(self) -> bool:
        return self.status_id is not None and self.delay_days is not None

    @property
    def is_usable(self) -> bool:
        return self.is_configured and self.status.is_active

    def promise_date(self, today: datetime.date) -> datetime.date:
        return today + datetime.timedelta(days=self.delay_days)
