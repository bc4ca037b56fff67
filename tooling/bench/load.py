"""The statement under a bounded load, against the framework floor under the same
load: gunicorn with two workers, a few signed-in clients on loopback each asking
for one page after another, with no pause, for a fixed time.

The statements are those of the generated customers (every size the ledger
has, a few items to a few hundred), taken in turn, as officers going through
their accounts would. Statement and floor phases alternate; each figure is the
median of its phases. The load generator runs on the same machine (its own
process's threads), so both figures include its share of the CPU.
"""

from __future__ import annotations

import statistics
import threading
import time

import psycopg
from django.urls import reverse

from tooling.appserver import AppServer
from tooling.bench.core import Bench, Row
from tooling.bench.pages import FLOOR_PATH
from tooling.client import Client

WORKERS = 2
CLIENTS = 4
#: The statement's throughput must reach this share of the floor's.
SHARE = 0.40
FLOOR = "framework floor"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def _phase(bench: Bench, base_url: str, paths: list[str], seconds: float) -> tuple[float, list]:
    """(requests per second, latencies) of CLIENTS clients for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    clients = []
    for _ in range(CLIENTS):
        client = Client(base_url, timeout=60)
        client.login(bench.username, bench.password)
        clients.append(client)
    start = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]

    def run(index: int, client: Client) -> None:
        start.wait()
        position = index
        while time.monotonic() < stop_at[0]:
            response = client.get(paths[position % len(paths)])
            position += CLIENTS
            with lock:
                if response.status == 200:
                    latencies.append(response.seconds)
                else:
                    errors.append(str(response.status))

    threads = [
        threading.Thread(target=run, args=(index, client), daemon=True)
        for index, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.monotonic() - began
    for client in clients:
        client.close()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests under load: {sorted(set(errors))}")
    return len(latencies) / elapsed, latencies


def _statement_paths(bench: Bench, count: int = 500) -> list[str]:
    with psycopg.connect(bench.database_url) as db:
        rows = db.execute(
            "SELECT c.id FROM customers_customer c WHERE c.code LIKE %s AND EXISTS "
            "(SELECT 1 FROM collections_app_openitem i WHERE i.customer_id = c.id "
            "AND i.open_amount <> 0) ORDER BY c.code LIMIT %s",
            [f"{bench.ledger['prefix']}%", count],
        ).fetchall()
    return [reverse("collections:reminders", args=[pk]) for (pk,) in rows]


def measure(bench: Bench) -> list[Row]:
    seconds = 10.0 if bench.scale.name == "full" else 3.0
    statements = _statement_paths(bench)
    floor_paths = [FLOOR_PATH]
    phases: dict[str, list[float]] = {"statement": [], "floor": []}
    latencies: dict[str, list[float]] = {"statement": [], "floor": []}
    with AppServer(bench.env, workers=WORKERS) as server:
        _phase(bench, server.url, statements, 2.0)  # warm-up of both workers
        _phase(bench, server.url, floor_paths, 1.0)
        for kind in ("statement", "floor", "statement", "floor"):
            rate, times = _phase(
                bench, server.url, statements if kind == "statement" else floor_paths, seconds
            )
            phases[kind].append(rate)
            latencies[kind] += times
    ours, floor = statistics.median(phases["statement"]), statistics.median(phases["floor"])
    share = ours / floor
    p95 = {kind: _percentile(values, 0.95) * 1000 for kind, values in latencies.items()}
    return [
        Row(
            figure=f"Statements under load ({WORKERS} workers, {CLIENTS} clients): "
            "throughput; p95 latency",
            ours=f"{ours:,.0f} req/s; p95 {p95['statement']:,.0f} ms",
            floor=f"{floor:,.0f} req/s; p95 {p95['floor']:,.0f} ms",
            floor_name=FLOOR,
            given_ratio=share,
            target=f"≥ {SHARE:.0%} of the floor's throughput",
            met=share >= SHARE,
            extra={
                "statement_rps": round(ours, 1),
                "floor_rps": round(floor, 1),
                "statement_p95_ms": round(p95["statement"], 1),
                "floor_p95_ms": round(p95["floor"], 1),
                "phase_seconds": seconds,
                "statement_pages": len(statements),
            },
        )
    ]
