"""Authentication backends of the product."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


@cache
def _permissions_sql() -> tuple[str, str]:
    """The SQL of a user's permissions (their own and their groups'), and of
    every permission (a superuser's), written out once from the models' tables."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    own = user_model.user_permissions.through._meta
    member = user_model.groups.through._meta
    granted = Group.permissions.through._meta

    def column(meta, model) -> str:
        field = next(f for f in meta.fields if f.related_model is model)
        return quote(field.column)

    content_type = quote(Permission._meta.get_field("content_type").column)
    everything = (
        f"SELECT ct.{quote('app_label')}, p.{quote('codename')} "
        f"FROM {quote(Permission._meta.db_table)} p "
        f"JOIN {quote(ContentType._meta.db_table)} ct ON ct.{quote('id')} = p.{content_type}"
    )
    users = (
        f"{everything} WHERE p.{quote('id')} IN ("
        f"SELECT {column(own, Permission)} FROM {quote(own.db_table)} "
        f"WHERE {column(own, user_model)} = %s "
        f"UNION SELECT g.{column(granted, Permission)} FROM {quote(granted.db_table)} g "
        f"JOIN {quote(member.db_table)} m "
        f"ON m.{column(member, Group)} = g.{column(granted, Group)} "
        f"WHERE m.{column(member, user_model)} = %s)"
    )
    return users, everything


class ModelBackend(backends.ModelBackend):
    """Django's model backend, reading a user's permissions (their own and their
    groups') in one query instead of two, written as two indexed lookups.

    Every page checks a permission, so every page pays for loading them: Django's
    two queries, or one built with the ORM (an OR over two joins), cost about a
    millisecond a page. The answers are Django's, cached on the user object for
    the request as Django does.
    """

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            users, everything = _permissions_sql()
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(everything)
                else:
                    cursor.execute(users, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {
                    f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()
                }
        return user_obj._perm_cache
