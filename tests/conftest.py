from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.factories import AdministratorFactory, OfficerFactory


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is deliberately slow; the tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own, so that several runs can share one
    PostgreSQL server (two developers, or CI jobs) without dropping each other's."""
    from django.conf import settings

    for alias in settings.DATABASES:
        database = settings.DATABASES[alias]
        if "postgresql" not in database["ENGINE"]:
            continue  # refused below, with a message that says what to do
        test = database.setdefault("TEST", {})
        base = test.get("NAME") or f"test_{database['NAME']}"
        test["NAME"] = f"{base}_{os.getpid()}"


@pytest.fixture(autouse=True, scope="session")
def _require_postgresql(django_db_setup, django_db_blocker):
    """The product runs on PostgreSQL: so do its tests, always."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit(
                "The tests need PostgreSQL: run them with `make test` (which starts a "
                "throwaway cluster) or set DATABASE_URL=postgres://…",
                returncode=2,
            )


@pytest.fixture
def officer(db):
    return OfficerFactory(username="olivia", first_name="Olivia", last_name="Officer")


@pytest.fixture
def other_officer(db):
    return OfficerFactory(username="oscar", first_name="Oscar", last_name="Other")


@pytest.fixture
def administrator(db):
    return AdministratorFactory(username="ada", first_name="Ada", last_name="Admin")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def admin_client_(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def htmx_headers():
    return {"HX-Request": "true", "HX-Current-URL": "http://testserver/customers/"}
