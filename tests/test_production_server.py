"""The app as production runs it: gunicorn, DEBUG off, its own PostgreSQL.

It sends the security headers, and answers cleanly while its PostgreSQL server
restarts, recovering by itself afterwards."""

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


def test_production_sends_the_security_headers(running_app):
    _cluster, server = running_app
    client = Client(server.url)
    login_page = client.get("/accounts/login/")
    headers = {name.lower(): value for name, value in login_page.headers.items()}
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["strict-transport-security"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    client.login("olivia", "restart-test-password")
    # Cookies only over HTTPS, and the session cookie out of JavaScript's reach.
    raw = Client(server.url)
    page = raw.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    response = raw.post(
        "/accounts/login/",
        {"username": "olivia", "password": "restart-test-password", "csrfmiddlewaretoken": token},
    )
    session = next(cookie for cookie in response.set_cookies if cookie.startswith("sessionid="))
    assert "Secure" in session
    assert "HttpOnly" in session
    assert "SameSite=Lax" in session


def test_plain_http_is_redirected_to_https(running_app):
    _cluster, server = running_app
    env = dict(server.env, SECURE_SSL_REDIRECT="True")
    with AppServer(env, workers=1) as redirecting:
        client = Client(redirecting.url)
        response = client.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "http"})
        assert response.status == 301
        assert response.headers["Location"].startswith("https://")
