"""Follow-up actions: working them."""

from __future__ import annotations

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from collections_app.models import Action
from collections_app.services.errors import ServiceError


class ActionError(ServiceError):
    """A change of an action refused; nothing was changed."""


def complete_action(*, action: Action, user) -> Action:
    """Mark an open action done, once: a second click finds it done and says by whom."""
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        if locked.done_at is not None:
            raise ActionError(
                _("“%(title)s” was already marked done on %(date)s.")
                % {
                    "title": locked.title,
                    "date": formats.date_format(
                        timezone.localtime(locked.done_at), "SHORT_DATETIME_FORMAT"
                    ),
                },
                code="already_done",
            )
        locked.done_at = timezone.now()
        locked.done_by = user
        locked.save(update_fields=["done_at", "done_by"])
    return locked
