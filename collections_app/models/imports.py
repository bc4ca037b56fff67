"""Imports of the open-items file and what each did to each item."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collections_app.models.items import OpenItem


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
    # Looked up by the (item, changed_at) index: no index of its own.
    item = models.ForeignKey(
        OpenItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="import_changes",
        db_index=False,
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
