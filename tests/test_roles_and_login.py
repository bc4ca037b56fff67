from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains

from collections_app.roles import ADMINISTRATOR_PERMISSIONS, OFFICER_PERMISSIONS
from tests.factories import PASSWORD, OfficerFactory

pytestmark = pytest.mark.django_db


def _permissions(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrate_creates_the_two_groups_with_their_permissions():
    officers = Group.objects.get(name="Collection officers")
    administrators = Group.objects.get(name="Administrators")
    assert _permissions(officers) == set(OFFICER_PERMISSIONS)
    assert _permissions(administrators) == set(ADMINISTRATOR_PERMISSIONS)
    assert "collections_app.apply_quick_promise" in _permissions(officers)
    assert "collections_app.change_quickpromisepreference" not in _permissions(officers)
    assert "collections_app.change_quickpromisepreference" in _permissions(administrators)


def test_migrating_again_keeps_permissions_added_by_hand():
    officers = Group.objects.get(name="Collection officers")
    officers.permissions.add(
        *Group.objects.get(name="Administrators").permissions.filter(codename="add_itemstatus")
    )
    call_command("migrate", verbosity=0)
    assert "collections_app.add_itemstatus" in _permissions(officers)
    assert Group.objects.filter(name="Collection officers").count() == 1


def test_the_login_page_is_open_and_everything_else_is_not(client):
    assert client.get(reverse("login")).status_code == 200
    for url in [
        reverse("home"),
        reverse("customers:list"),
        reverse("collections:my-actions"),
        reverse("collections:statuses"),
        reverse("collections:preferences"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")


def test_sign_in_and_out(client):
    OfficerFactory(username="olivia")
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("customers:list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("customers:list")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client):
    OfficerFactory(username="olivia")
    response = client.post(reverse("login"), {"username": "olivia", "password": "nope"})
    assertContains(response, "Please enter a correct username and password", status_code=401)


def test_repeated_wrong_passwords_lock_the_account_for_a_while(client, settings):
    OfficerFactory(username="olivia")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "olivia", "password": "guess"})
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 429
    assertContains(response, "Too many failed sign-ins", status_code=429)
    assert client.get(reverse("customers:list")).status_code == 302


def test_the_navigation_follows_the_role(client, officer, administrator):
    client.force_login(officer)
    page = client.get(reverse("customers:list"))
    assertContains(page, "My actions")
    assert reverse("collections:statuses") not in page.content.decode()
    client.force_login(administrator)
    page = client.get(reverse("customers:list"))
    assertContains(page, reverse("collections:statuses"))
    assertContains(page, reverse("admin:index"))


def test_no_migration_is_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_the_login_page_speaks_of_an_expired_session_only_when_one_expired(client):
    first_visit = client.get(reverse("login"), {"next": "/"})
    assertContains(first_visit, "Please sign in to continue.")
    assert "expired" not in first_visit.content.decode()
    expired = client.get(reverse("login"), {"next": "/customers/", "expired": "1"})
    assertContains(expired, "Your session has expired, so nothing was changed.")
