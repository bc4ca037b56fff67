"""The two roles of the product, as Django groups kept in step by ``migrate``."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_noop

OFFICERS = gettext_noop("Collection officers")
ADMINISTRATORS = gettext_noop("Administrators")

#: See customers and their history, apply Quick Promise, change the status of
#: items, create actions and work their own, edit the customer's comment.
OFFICER_PERMISSIONS = (
    "customers.view_customer",
    "collections_app.view_openitem",
    "collections_app.apply_quick_promise",
    "collections_app.view_action",
    "collections_app.change_action",
    "collections_app.view_itemstatus",
    "collections_app.view_actiontemplate",
    "collections_app.view_statuschange",
    "collections_app.change_item_status",
    "collections_app.add_action",
    "collections_app.view_actionevent",
    "collections_app.view_paymentpromise",
    "customers.view_customercomment",
    "customers.add_customercomment",
)

#: Everything officers do, plus the Admin tab, Preferences and data fixes in the
#: Django admin (for the staff accounts among them).
ADMINISTRATOR_PERMISSIONS = (
    *OFFICER_PERMISSIONS,
    "collections_app.view_quickpromisepreference",
    "collections_app.change_quickpromisepreference",
    "collections_app.add_itemstatus",
    "collections_app.change_itemstatus",
    "collections_app.delete_itemstatus",
    "collections_app.add_actiontemplate",
    "collections_app.change_actiontemplate",
    "collections_app.delete_actiontemplate",
    "collections_app.complete_any_action",
    "collections_app.change_openitem",
    "collections_app.view_importrun",
    "collections_app.view_importchange",
    "collections_app.view_democlock",
    "collections_app.view_itembalance",
    "customers.add_customer",
    "customers.change_customer",
)

ROLES = {OFFICERS: OFFICER_PERMISSIONS, ADMINISTRATORS: ADMINISTRATOR_PERMISSIONS}

#: The product's own people, who can be given work (a dispute to resolve, an
#: action): active users with one of the roles, and superusers.
INTERNAL_USERS = Q(is_active=True) & (Q(groups__name__in=list(ROLES)) | Q(is_superuser=True))


def sync_roles(**kwargs) -> None:
    """Create the groups and give them their permissions (never taking any away,
    so that permissions an administrator added by hand stay)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = kwargs.get("apps", global_apps)
    using = kwargs.get("using", "default")
    # Permissions are created after each app migrates; make sure ours exist now.
    for label in ("customers", "collections_app"):
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = group_model.objects.using(using).get_or_create(name=name)
        wanted = set()
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted.add((app_label, codename))
        permissions = [
            permission
            for permission in permission_model.objects.using(using).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise RuntimeError(f"Unknown permissions for group {name}: {sorted(missing)}")
        group.permissions.add(*permissions)
