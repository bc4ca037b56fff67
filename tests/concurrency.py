"""Run code at the same moment on several real database connections."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections


@dataclass
class Outcome:
    result: Any = None
    error: BaseException | None = None


def run_together(*functions: Callable[[], Any], timeout: float = 60) -> list[Outcome]:
    """Start each function in its own thread (so on its own database connection)
    at the same moment; wait for all; return what each returned or raised."""
    barrier = threading.Barrier(len(functions))
    outcomes = [Outcome() for _ in functions]

    def run(index: int, function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index].result = function()
        except BaseException as error:
            outcomes[index].error = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, function), name=f"worker-{index}")
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a worker is stuck (deadlock?)"
    return outcomes


def start(function: Callable[[], Any], name: str) -> tuple[threading.Thread, Outcome]:
    """Run a function in a thread of its own now; join the thread to wait for it."""
    outcome = Outcome()

    def run() -> None:
        try:
            outcome.result = function()
        except BaseException as error:
            outcome.error = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, outcome


def wait_for_lock_waiters(count: int = 1, timeout: float = 20) -> None:
    """Wait until ``count`` other sessions are blocked waiting for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
        time.sleep(0.02)
    raise AssertionError(f"no {count} session(s) waiting for a lock after {timeout}s")
