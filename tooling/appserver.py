"""The product under gunicorn with production settings, for tests and load tests."""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tooling.postgres import free_port

BASE_DIR = Path(__file__).resolve().parent.parent


def production_environment(database_url: str, **extra: str) -> dict[str, str]:
    """DEBUG off, a real secret key, HTTPS assumed behind a proxy on loopback."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "settings.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "collections-static"),
        "AXES_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and collect the static files once."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")


class AppServer:
    """gunicorn serving the product on a port of its own."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, port: int | None = None):
        self.env = env
        self.workers = workers
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> AppServer:
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "settings.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                "--timeout", "60", "--graceful-timeout", "5",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()}")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                probe.request("GET", "/accounts/login/")
                probe.getresponse().read()
                probe.close()
                return self
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
