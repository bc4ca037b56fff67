from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
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
        indexes = [models.Index(Upper("name"), name="customer_upper_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])
