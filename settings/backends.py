"""Authentication backends of the product."""

from __future__ import annotations

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackend(backends.ModelBackend):
    """Django's model backend, reading a user's permissions (their own and their
    groups') in one query instead of two.

    Every page checks a permission, so every page pays for loading them: one
    query saves about a millisecond a page. The answers are Django's, cached on
    the user object for the request as Django does.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.order_by().values_list(
                    "content_type__app_label", "codename"
                )
            }
        return user_obj._perm_cache
