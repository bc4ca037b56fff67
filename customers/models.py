from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class Customer(models.Model):
    """An account that owes money: one line of the customer list, one customer file."""

    code = models.CharField(_("account number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collector"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="collected_customers",
        help_text=_("The collection officer in charge of this account."),
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"),
                name="customer_currency_iso_4217",
                violation_error_message=_("The currency must be a three-letter ISO code."),
            ),
            models.CheckConstraint(condition=~models.Q(code=""), name="customer_code_not_empty"),
        ]
        indexes = [
            # The customer list's default order: its first page without a sort, and
            # a broad search's page, walked in this order. The id is in the index
            # (PostgreSQL) so that the walk tests the names and codes from the index
            # alone, and reads the table for the page's rows only.
            models.Index(fields=["name", "code"], include=["id"], name="customer_name_code_id"),
        ]
        # Searching any part of the code or the name (``icontains``) uses the
        # trigram indexes that migration 0002 creates on PostgreSQL only (SQLite
        # has no such index); they are not declared here for that reason.

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])


class CustomerComment(models.Model):
    """One version of the comment on a customer's account, which any officer can
    edit: each save adds a version, so earlier ones are kept. The newest is the
    comment in force; an empty text clears it."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="comments"
    )
    text = models.TextField(_("comment"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("customer comment")
        verbose_name_plural = _("customer comments")
        ordering = ["-written_at", "-pk"]
        get_latest_by = ["written_at", "pk"]
        indexes = [models.Index(fields=["customer", "written_at"], name="customercomment_customer")]

    def __str__(self) -> str:
        return f"{self.customer.code}: {self.text[:50]}"
