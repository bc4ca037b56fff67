"""The Admin tab: item statuses, action templates and the Quick Promise preference."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from collections_app.models import (
    MAX_GRACE_DAYS,
    ActionTemplate,
    ItemStatus,
    QuickPromisePreference,
    StatusKind,
)
from collections_app.services.errors import ServiceError


class SettingsError(ServiceError):
    """A change of the Admin tab refused; nothing was changed."""


def _locked_preference() -> QuickPromisePreference:
    """The preference row, locked until the end of the transaction.

    Saving the preference and deactivating a status both take this lock first, so
    that a status cannot be deactivated while it is being chosen for Quick Promise.
    Created when missing: the primary key is fixed, so two first saves at once end
    with one row (the loser of the race finds the winner's row).
    """
    QuickPromisePreference.objects.get_or_create(pk=QuickPromisePreference.SINGLETON_PK)
    return QuickPromisePreference.objects.select_for_update().get(
        pk=QuickPromisePreference.SINGLETON_PK
    )


def save_quick_promise_preference(
    *, status: ItemStatus, delay_days: int, user
) -> QuickPromisePreference:
    if not 0 <= delay_days <= QuickPromisePreference.MAX_DELAY_DAYS:
        raise SettingsError(
            _("The promised payment date must be between D+0 and D+%(max)d.")
            % {"max": QuickPromisePreference.MAX_DELAY_DAYS},
            code="delay",
        )
    with transaction.atomic():
        preference = _locked_preference()
        current = ItemStatus.objects.filter(pk=status.pk).first()
        if current is None or not current.is_active:
            raise SettingsError(
                _("The status “%(status)s” is inactive or was deleted: choose an active status.")
                % {"status": status.label},
                code="inactive_status",
            )
        if current.kind != StatusKind.PROMISE:
            # Quick Promise records a promise to pay: a dispute, say, would need a
            # resolver and is not what the button says.
            raise SettingsError(
                _(
                    "“%(status)s” is not a promise-to-pay status: choose a status of the "
                    "kind “Promise to pay”."
                )
                % {"status": current.label},
                code="not_a_promise_status",
            )
        preference.status = current
        preference.delay_days = delay_days
        preference.updated_by = user
        preference.save()
    return preference


def save_promise_tracking(
    *, grace_days: int, broken_status: ItemStatus | None, user
) -> QuickPromisePreference:
    """The grace period of promises and the status of the items of broken ones."""
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise SettingsError(
            _("The grace period must be between 0 and %(max)d days.") % {"max": MAX_GRACE_DAYS},
            code="grace",
        )
    with transaction.atomic():
        preference = _locked_preference()
        if broken_status is not None:
            current = ItemStatus.objects.filter(pk=broken_status.pk, is_active=True).first()
            if current is None:
                raise SettingsError(
                    _(
                        "The status “%(status)s” is inactive or was deleted: choose an active "
                        "status."
                    )
                    % {"status": broken_status.label},
                    code="inactive_status",
                )
            broken_status = current
        preference.grace_days = grace_days
        preference.broken_status = broken_status
        preference.updated_by = user
        preference.save()
    return preference


def save_item_status(*, status: ItemStatus) -> ItemStatus:
    """Create or update a status; the Quick Promise status stays an active
    promise-to-pay status."""
    with transaction.atomic():
        if status.pk is not None and (not status.is_active or status.kind != StatusKind.PROMISE):
            preference = _locked_preference()
            if preference.status_id == status.pk:
                raise SettingsError(
                    _(
                        "“%(status)s” is the Quick Promise status: it stays an active "
                        "promise-to-pay status. Choose another status in Preferences before "
                        "deactivating it or changing its kind."
                    )
                    % {"status": status.label},
                    code="quick_promise_status",
                )
        try:
            with transaction.atomic():
                status.save()
        except IntegrityError as error:
            raise SettingsError(
                _("A status named “%(label)s” already exists.") % {"label": status.label},
                code="duplicate",
            ) from error
    return status


def delete_item_status(*, status: ItemStatus) -> None:
    try:
        with transaction.atomic():
            status.delete()
    except ProtectedError as error:
        raise SettingsError(
            _(
                "“%(status)s” is still in use (by items, their history or the Quick Promise "
                "preference) and cannot be deleted: deactivate it instead."
            )
            % {"status": status.label},
            code="in_use",
        ) from error


def save_action_template(*, template: ActionTemplate) -> ActionTemplate:
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:
        raise SettingsError(
            _("A template named “%(name)s” already exists.") % {"name": template.name},
            code="duplicate",
        ) from error
    return template


def delete_action_template(*, template: ActionTemplate) -> None:
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError as error:
        raise SettingsError(
            _(
                "“%(name)s” is still used by statuses or actions and cannot be deleted: "
                "remove it from those statuses first; actions made from it keep it."
            )
            % {"name": template.name},
            code="in_use",
        ) from error
