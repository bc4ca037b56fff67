"""Authentication backends of the product."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from customers.rows import columns, instance_from_row


def _permissions_sql(user: str, *, names: str) -> tuple[str, str]:
    """The SQL of a user's permissions (their own and their groups'), and of
    every permission (a superuser's), from the models' tables. ``user``: what
    the user's id is in the query; ``names``: the permissions' columns."""
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
        f"SELECT {names} "
        f"FROM {quote(Permission._meta.db_table)} p "
        f"JOIN {quote(ContentType._meta.db_table)} ct ON ct.{quote('id')} = p.{content_type}"
    )
    users = (
        f"{everything} WHERE p.{quote('id')} IN ("
        f"SELECT {column(own, Permission)} FROM {quote(own.db_table)} "
        f"WHERE {column(own, user_model)} = {user} "
        f"UNION SELECT g.{column(granted, Permission)} FROM {quote(granted.db_table)} g "
        f"JOIN {quote(member.db_table)} m "
        f"ON m.{column(member, Group)} = g.{column(granted, Group)} "
        f"WHERE m.{column(member, user_model)} = {user})"
    )
    return users, everything


@cache
def _permission_queries() -> tuple[str, str]:
    """A user's permissions and every permission, as (app label, codename) rows."""
    quote = connection.ops.quote_name
    return _permissions_sql("%s", names=f"ct.{quote('app_label')}, p.{quote('codename')}")


@cache
def _user_with_permissions_query() -> str:
    """A user's columns and, last, the array of their permissions (PostgreSQL)."""
    quote = connection.ops.quote_name
    user_model = get_user_model()
    users, everything = _permissions_sql(
        f"u.{quote(user_model._meta.pk.column)}",
        names=f"ct.{quote('app_label')} || '.' || p.{quote('codename')}",
    )
    superuser = quote(user_model._meta.get_field("is_superuser").column)
    return (
        f"SELECT {columns(user_model, 'u')}, "
        f"CASE WHEN u.{superuser} THEN ARRAY({everything}) ELSE ARRAY({users}) END "
        f"FROM {quote(user_model._meta.db_table)} u "
        f"WHERE u.{quote(user_model._meta.pk.column)} = %s"
    )


class ModelBackend(backends.ModelBackend):
    """Django's model backend, reading a user's permissions (their own and their
    groups') in one query instead of two, written as two indexed lookups, and on
    PostgreSQL in the same query as the signed-in user.

    Every page checks a permission, so every page pays for loading them: Django's
    two queries, or one built with the ORM (an OR over two joins), cost about a
    millisecond a page. The answers are Django's, cached on the user object for
    the request as Django does.
    """

    def get_user(self, user_id):
        """The signed-in user of a request, read with their permissions in the
        same query on PostgreSQL: every page checks a permission, and this saves
        each of them a round trip (the answers are the same, read at the start of
        the request instead of at the first check)."""
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        user_model = get_user_model()
        with connection.cursor() as cursor:
            cursor.execute(_user_with_permissions_query(), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = instance_from_row(user_model, row[:-1], using=connection.alias)
        user._perm_cache = set(row[-1])
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            users, everything = _permission_queries()
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(everything)
                else:
                    cursor.execute(users, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {
                    f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()
                }
        return user_obj._perm_cache
