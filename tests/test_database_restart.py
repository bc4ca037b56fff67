"""The app under gunicorn with production settings answers cleanly while its
PostgreSQL server restarts, and recovers by itself afterwards."""

from __future__ import annotations

import re

import pytest

from tooling.appserver import AppServer, manage, prepare, production_environment
from tooling.client import Client
from tooling.postgres import ThrowawayCluster

CREATE_OFFICER = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("olivia", password="restart-test-password")
user.groups.add(Group.objects.get(name="Collection officers"))
"""


@pytest.fixture(scope="module")
def running_app():
    with ThrowawayCluster() as cluster:
        env = production_environment(cluster.url)
        prepare(env)
        manage(env, "shell", "-c", CREATE_OFFICER)
        with AppServer(env, workers=2) as server:
            yield cluster, server


def test_answers_503_while_the_database_is_down_and_recovers_by_itself(running_app):
    cluster, server = running_app
    client = Client(server.url)
    client.login("olivia", "restart-test-password")
    assert client.get("/customers/").status == 200

    cluster.stop()
    try:
        down = client.get("/customers/")
        assert down.status == 503
        assert "The database cannot be reached at the moment" in down.body
        assert down.headers.get("Retry-After") == "30"
        assert "Traceback" not in down.body
        htmx = client.get("/customers/", headers={"HX-Request": "true"})
        assert htmx.status == 503
        assert htmx.headers.get("HX-Retarget") == "#messages"
        assert re.search(r'role="alert"', htmx.body)
    finally:
        cluster.start()

    # No restart of the app: the next request gets a new connection.
    back = client.get("/customers/")
    assert back.status == 200
    assert "Customers" in back.body
