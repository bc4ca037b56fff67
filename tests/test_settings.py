"""The settings as production sees them, checked in a separate process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

BASE_ENV = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "settings.settings"}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    for key in (None, "short", "django-insecure-" + "x" * 60, "a" * 60):
        env = {"DEBUG": "False"}
        if key:
            env["SECRET_KEY"] = key
        result = run_manage("check", **env)
        assert result.returncode != 0
        assert "SECRET_KEY is missing or weak" in result.stderr


def test_deploy_checks_are_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="collections.example.com",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_a_bad_setting_value_fails_loudly():
    result = run_manage("check", DEBUG="perhaps-not")
    assert result.returncode != 0
