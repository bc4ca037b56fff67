"""The benchmark's framework floor: a minimal signed-in page, served only when
the settings ask for it (``BENCH_FLOOR_VIEW=True``, the bench's own server)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db
FLOOR = "/bench/floor/"


def test_not_served_by_default(officer_client):
    assert settings.ROOT_URLCONF == "settings.urls"
    assert officer_client.get(FLOOR).status_code == 404


@override_settings(ROOT_URLCONF="settings.bench_urls")
def test_served_to_a_signed_in_user_through_the_same_middleware(officer_client):
    response = officer_client.get(FLOOR)
    assert response.status_code == 200
    assert b"Signed in as olivia." in response.content
    assert "Content-Security-Policy" in response.headers
    # The product's pages are still there, beside it.
    assert officer_client.get("/customers/").status_code == 200


@override_settings(ROOT_URLCONF="settings.bench_urls")
def test_asks_anonymous_users_to_sign_in(client):
    response = client.get(FLOOR)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@override_settings(ROOT_URLCONF="settings.bench_urls")
def test_only_answers_get(officer_client):
    assert officer_client.post(FLOOR).status_code == 405


@pytest.mark.parametrize(("value", "urlconf"), [("True", "settings.bench_urls"), ("", "")])
def test_the_setting_switches_it_on(value, urlconf):
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "settings.settings"}
    if value:
        env["BENCH_FLOOR_VIEW"] = value
    result = subprocess.run(
        [
            sys.executable, "manage.py", "shell", "-c",
            "from django.conf import settings; print(settings.ROOT_URLCONF)",
        ],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == (urlconf or "settings.urls")
