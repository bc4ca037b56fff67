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


def test_the_app_asks_postgresql_for_no_jit_compilation_unless_told_otherwise():
    from settings.database import server_options

    assert server_options(None, None) == "-c jit=off"
    # What the deployment gives is kept: from DATABASE_URL's ?options=, else from
    # PGOPTIONS (which libpq reads only when no options are given).
    assert server_options("-c statement_timeout=5000", None) == (
        "-c statement_timeout=5000 -c jit=off"
    )
    assert server_options(None, "-c statement_timeout=1234") == (
        "-c statement_timeout=1234 -c jit=off"
    )
    assert server_options("-c search_path=app", "-c statement_timeout=1234") == (
        "-c search_path=app -c jit=off"
    )
    # A deployment that sets JIT itself has the last word.
    for given in ("-c jit=on", "-c statement_timeout=5000 -cjit=on", "--jit=on"):
        assert server_options(given, None) == given
    assert server_options(None, "-c jit=on") == "-c jit=on"


def test_the_connection_has_the_options_the_settings_give(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        (jit,) = cursor.fetchone()
    options = settings.DATABASES["default"]["OPTIONS"]["options"]
    # Off, unless the environment running the tests sets JIT itself.
    if options.endswith("-c jit=off"):
        assert jit == "off"
    else:
        assert "jit" in options
