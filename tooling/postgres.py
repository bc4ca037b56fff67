"""A throwaway PostgreSQL cluster in a temporary directory, on a port of its own.

PostgreSQL refuses to run as root: as root, the server runs as the "postgres"
system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_binaries() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    for candidate in reversed(candidates):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    raise RuntimeError("No PostgreSQL server binaries found (apt-get install postgresql).")


class ThrowawayCluster:
    def __init__(self, *, port: int | None = None, options: str = ""):
        self.bin = server_binaries()
        self.port = port or free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="collections-pg-"))
        self.data = self.workdir / "data"
        self.log = self.workdir / "server.log"
        self.options = options
        os.chmod(self.workdir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def start(self) -> ThrowawayCluster:
        if not self.data.exists():
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8",
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            f"-c max_connections=200 {self.options}"
        )
        result = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start",
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{self.log_text()}")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self, *, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def log_text(self) -> str:
        try:
            return self.log.read_text()
        except OSError:
            return ""

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ThrowawayCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.remove()
