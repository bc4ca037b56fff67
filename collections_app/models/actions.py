"""Follow-up actions and their trail."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models.items import OpenItem
from collections_app.models.statuses import ActionTemplate, ActionType
from customers.models import Customer


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
    form_key = models.UUIDField(
        _("form key"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The form that created it: the same form sent twice creates one action."),
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
