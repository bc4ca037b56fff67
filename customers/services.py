"""The business rules about customers themselves: the account's comment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from customers.models import Customer, CustomerComment

MAX_COMMENT = 4000


class CustomerCommentError(ValidationError):
    """A comment refused; nothing was changed."""

    @property
    def text(self) -> str:
        return " ".join(self.messages)


def current_comment(*, customer: Customer) -> CustomerComment | None:
    return (
        CustomerComment.objects.filter(customer=customer)
        .select_related("written_by")
        .order_by("-written_at", "-pk")
        .first()
    )


def save_customer_comment(
    *, customer: Customer, text: str, user, based_on: int | None
) -> CustomerComment:
    """Write a new version of the customer's comment (the earlier ones are kept).

    ``based_on`` is the version the officer edited (None: there was none). When
    somebody saved another version since, the comment is refused, so that
    nobody overwrites a colleague's words without having read them.
    """
    text = text.strip()
    if len(text) > MAX_COMMENT:
        raise CustomerCommentError(
            _("The comment is limited to %(max)d characters.") % {"max": MAX_COMMENT},
            code="too_long",
        )
    with transaction.atomic():
        # One writer at a time per customer: the check below and the new version
        # cannot be overtaken by a colleague saving at the same moment.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        current = current_comment(customer=customer)
        if current is None and based_on is not None:
            raise CustomerCommentError(
                _("This version of the comment is not the current one: reload the page."),
                code="stale",
            )
        if current is not None and current.pk != based_on:
            raise CustomerCommentError(
                _(
                    "%(name)s changed the comment on %(date)s while you were editing it: "
                    "read their version (reload the page), then edit it again."
                )
                % {
                    "name": _user_name(current.written_by),
                    "date": formats.date_format(
                        timezone.localtime(current.written_at), "SHORT_DATETIME_FORMAT"
                    ),
                },
                code="stale",
            )
        if text == (current.text if current else ""):
            raise CustomerCommentError(
                _("The comment is unchanged: nothing was saved."), code="unchanged"
            )
        return CustomerComment.objects.create(customer=customer, text=text, written_by=user)


def _user_name(user) -> str:
    if user is None:
        return _("Somebody")
    return user.get_full_name() or user.get_username()
