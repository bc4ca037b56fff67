"""The model backend reads a user's permissions in one query, with Django's answers."""

from __future__ import annotations

import pytest
from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from settings.backends import ModelBackend
from tests.factories import AdministratorFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize(
    "make",
    [
        OfficerFactory,
        AdministratorFactory,
        lambda: UserFactory(is_superuser=True),
        UserFactory,
        lambda: OfficerFactory(is_active=False),
    ],
    ids=["officer", "administrator", "superuser", "nobody", "inactive"],
)
def test_same_permissions_as_djangos_backend(make):
    user = make()
    # A permission of the user's own, beside those of the groups.
    user.user_permissions.add(Permission.objects.get(codename="delete_customer"))
    expected = backends.ModelBackend().get_all_permissions(_fresh(user))
    assert ModelBackend().get_all_permissions(_fresh(user)) == expected


def test_one_query_for_all_of_a_users_permissions():
    officer = _fresh(OfficerFactory())
    with CaptureQueriesContext(connection) as queries:
        assert officer.has_perm("customers.view_customer")
        assert officer.has_perm("collections_app.apply_quick_promise")
        assert not officer.has_perm("collections_app.change_quickpromisepreference")
    assert len(queries) == 1


@pytest.mark.parametrize(
    "make",
    [
        OfficerFactory,
        AdministratorFactory,
        lambda: UserFactory(is_superuser=True),
        UserFactory,
    ],
    ids=["officer", "administrator", "superuser", "nobody"],
)
def test_the_signed_in_user_comes_with_their_permissions(make):
    user = make()
    user.user_permissions.add(Permission.objects.get(codename="delete_customer"))
    expected = backends.ModelBackend().get_all_permissions(_fresh(user))
    with CaptureQueriesContext(connection) as queries:
        read = ModelBackend().get_user(user.pk)
        assert read.get_all_permissions() == expected
        assert read.has_perm("customers.delete_customer")
    assert len(queries) == 1
    assert {f.attname: getattr(read, f.attname) for f in read._meta.fields} == {
        f.attname: getattr(user, f.attname) for f in user._meta.fields
    }
    assert read.date_joined.tzinfo is not None


def test_no_signed_in_user_when_inactive_or_gone():
    inactive = OfficerFactory(is_active=False)
    assert ModelBackend().get_user(inactive.pk) is None
    assert ModelBackend().get_user(987654321) is None


def test_a_page_reads_the_user_and_permissions_once(client):
    """Session, user with permissions: a page that checks permissions (the
    customer list checks several) adds no query of its own for them."""
    client.force_login(OfficerFactory())
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/customers/").status_code == 200
    permission_reads = [q["sql"] for q in queries if "auth_permission" in q["sql"]]
    assert len(permission_reads) == 1
    assert "auth_user" in permission_reads[0]
