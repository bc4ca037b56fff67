"""The status history of items."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models.actions import Action
from collections_app.models.items import OpenItem
from collections_app.models.statuses import ItemStatus


class ChangeCause(models.TextChoices):
    QUICK_PROMISE = "quick_promise", _("Quick Promise")
    STATUS_CHANGE = "status_change", _("Status change")
    IMPORT = "import", _("Import")
    ADMIN = "admin", _("Data fix")
    DEMO = "demo", _("Demo data")
    RESOLVER = "resolver", _("Resolver change")
    RESOLUTION = "resolution", _("Dispute resolved with its action")
    PROMISE_BROKEN = "promise_broken", _("Promise broken")


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
