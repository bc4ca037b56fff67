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
