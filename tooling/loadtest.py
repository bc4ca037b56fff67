"""Load test with a fault: officers reading statements and applying quick promises
against gunicorn on PostgreSQL, while the database restarts once; then a check
that the history, the follow-ups and the items agree.

    python -m tooling.loadtest [--duration 60] [--users 8] [--servers 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

from tooling.appserver import AppServer, manage, prepare, production_environment
from tooling.client import Client
from tooling.postgres import ThrowawayCluster

PASSWORD = "load-test-password-2026"
SET_PASSWORDS = f"""
from django.contrib.auth.models import User
for user in User.objects.filter(username__in=["officer", "officer2", "admin"]):
    user.set_password("{PASSWORD}")
    user.save()
"""
_BOX = re.compile(r'<input type="checkbox" name="items" value="(\d+)"[^>]*?(disabled)?[^>]*>', re.S)
_PROMISED = re.compile(r"(\d+) items? promised for")


@dataclass
class Sample:
    kind: str
    outcome: str  # the HTTP status, or the error's class
    seconds: float
    at: float


@dataclass
class Report:
    duration: float = 0.0
    users: int = 0
    servers: int = 0
    workers: int = 0
    requests: int = 0
    by_kind: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    statement_p95_ms: float = 0.0
    quick_promise_p95_ms: float = 0.0
    restart_at: float | None = None
    restart_seconds: float | None = None
    items_promised_by_responses: int = 0
    consistency: dict = field(default_factory=dict)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class VirtualOfficer(threading.Thread):
    def __init__(self, index, base_urls, customers, stop_at, samples, lock, promised):
        super().__init__(name=f"officer-{index}", daemon=True)
        self.random = random.Random(index)
        self.base_urls = base_urls
        self.customers = customers
        self.stop_at = stop_at
        self.samples = samples
        self.lock = lock
        self.promised = promised
        self.username = ("officer", "officer2", "admin")[index % 3]

    def record(self, kind, outcome, seconds):
        with self.lock:
            self.samples.append(Sample(kind, outcome, seconds, time.monotonic()))

    def run(self):
        client = Client(self.random.choice(self.base_urls))
        signed_in = False
        while time.monotonic() < self.stop_at:
            started = time.perf_counter()
            try:
                if not signed_in:
                    client.login(self.username, PASSWORD)
                    signed_in = True
                customer = self.random.choice(self.customers)
                page = client.get(f"/customers/{customer}/reminders/")
                self.record("statement", str(page.status), page.seconds)
                if page.status != 200:
                    time.sleep(0.2)
                    continue
                boxes = [value for value, disabled in _BOX.findall(page.body) if not disabled]
                if boxes and self.random.random() < 0.5:
                    chosen = self.random.sample(boxes, min(len(boxes), self.random.randint(1, 3)))
                    response = client.post(
                        f"/customers/{customer}/reminders/quick-promise/",
                        {"items": chosen},
                        headers={"HX-Request": "true"},
                    )
                    self.record("quick_promise", str(response.status), response.seconds)
                    match = _PROMISED.search(response.body)
                    if response.status == 200 and match:
                        with self.lock:
                            self.promised[0] += int(match.group(1))
            except Exception as error:
                self.record("error", type(error).__name__, time.perf_counter() - started)
                signed_in = signed_in and not isinstance(error, RuntimeError)
                time.sleep(0.2)


def check_consistency(database_url: str) -> dict:
    """The history, the follow-ups and the items agree: no orphan, no duplicate,
    no lost promise."""
    findings: dict[str, int] = {}
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:

        def count(name, sql):
            cursor.execute(sql)
            findings[name] = cursor.fetchone()[0]

        # An action with no item, or a quick-promise action with no history row.
        count(
            "actions_without_items",
            "SELECT count(*) FROM collections_app_action a WHERE NOT EXISTS "
            "(SELECT 1 FROM collections_app_action_items l WHERE l.action_id = a.id)",
        )
        count(
            "follow_ups_without_history",
            "SELECT count(*) FROM collections_app_action a WHERE a.template_id IS NOT NULL AND "
            "NOT EXISTS (SELECT 1 FROM collections_app_statuschange s WHERE s.action_id = a.id)",
        )
        # Two follow-ups for the same items and day: a promise applied twice.
        count(
            "duplicate_follow_ups",
            "SELECT count(*) FROM (SELECT 1 FROM (SELECT a.customer_id, a.due_date, "
            "array_agg(l.openitem_id ORDER BY l.openitem_id) AS items "
            "FROM collections_app_action a JOIN collections_app_action_items l "
            "ON l.action_id = a.id GROUP BY a.id) AS t "
            "GROUP BY customer_id, due_date, items HAVING count(*) > 1) AS duplicates",
        )
        # A history row that changes nothing, or that does not start where the
        # previous one ended (a lost update).
        count(
            "broken_history_links",
            "SELECT count(*) FROM (SELECT status_before_id, promise_date_before, "
            "lag(status_after_id) OVER w AS prev_status, lag(promise_date_after) OVER w AS "
            "prev_date, row_number() OVER w AS n FROM collections_app_statuschange "
            "WINDOW w AS (PARTITION BY item_id ORDER BY changed_at, id)) AS h "
            "WHERE n > 1 AND (status_before_id IS DISTINCT FROM prev_status "
            "OR promise_date_before IS DISTINCT FROM prev_date)",
        )
        count(
            "items_not_in_their_last_history_state",
            "SELECT count(*) FROM collections_app_openitem i JOIN LATERAL (SELECT * FROM "
            "collections_app_statuschange s WHERE s.item_id = i.id ORDER BY changed_at DESC, "
            "id DESC LIMIT 1) last ON true WHERE i.status_id IS DISTINCT FROM "
            "last.status_after_id OR i.promise_date IS DISTINCT FROM last.promise_date_after",
        )
        count(
            "quick_promise_history_rows",
            "SELECT count(*) FROM collections_app_statuschange WHERE cause = 'quick_promise'",
        )
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--restart-at", type=float, default=25, help="seconds; negative: never")
    parser.add_argument("--json", type=Path, default=Path("artifacts/loadtest.json"))
    args = parser.parse_args(argv)

    with ThrowawayCluster() as cluster:
        env = production_environment(cluster.url)
        print(f"loadtest: PostgreSQL on {cluster.url}; migrating and loading the demo ledger")
        prepare(env)
        manage(env, "load_demo")
        manage(env, "shell", "-c", SET_PASSWORDS)
        with psycopg.connect(cluster.url) as connection:
            customers = [
                row[0]
                for row in connection.execute(
                    "SELECT DISTINCT customer_id FROM collections_app_openitem "
                    "WHERE open_amount > 0 ORDER BY 1"
                )
            ]
        servers = [AppServer(env, workers=args.workers).start() for _ in range(args.servers)]
        try:
            samples: list[Sample] = []
            lock = threading.Lock()
            promised = [0]
            began = time.monotonic()
            stop_at = began + args.duration
            officers = [
                VirtualOfficer(
                    i, [s.url for s in servers], customers, stop_at, samples, lock, promised
                )
                for i in range(args.users)
            ]
            for officer in officers:
                officer.start()
            report = Report(users=args.users, servers=args.servers, workers=args.workers)
            if args.restart_at >= 0:
                time.sleep(max(0.0, began + args.restart_at - time.monotonic()))
                print("loadtest: restarting PostgreSQL")
                report.restart_at = round(time.monotonic() - began, 1)
                restart_began = time.monotonic()
                cluster.restart(down_for=2)
                report.restart_seconds = round(time.monotonic() - restart_began, 1)
            for officer in officers:
                officer.join(args.duration + 60)
            report.duration = round(time.monotonic() - began, 1)
        finally:
            for server in servers:
                server.stop()

        latencies = [s.seconds for s in samples if s.kind != "error"]
        report.requests = len(latencies)
        report.by_kind = dict(Counter(s.kind for s in samples if s.kind != "error"))
        report.outcomes = dict(Counter(f"{s.kind} {s.outcome}" for s in samples))
        report.errors = dict(
            Counter(
                f"{s.kind} {s.outcome}"
                for s in samples
                if s.kind == "error" or not s.outcome.startswith("2")
            )
        )
        report.p50_ms = round(statistics.median(latencies) * 1000, 1) if latencies else 0.0
        report.p95_ms = round(_percentile(latencies, 0.95) * 1000, 1)
        for kind in ("statement", "quick_promise"):
            values = [s.seconds for s in samples if s.kind == kind]
            setattr(report, f"{kind}_p95_ms", round(_percentile(values, 0.95) * 1000, 1))
        report.items_promised_by_responses = promised[0]
        report.consistency = check_consistency(cluster.url)

    consistent = (
        all(
            value == 0
            for name, value in report.consistency.items()
            if name != "quick_promise_history_rows"
        )
        and report.consistency["quick_promise_history_rows"] == report.items_promised_by_responses
    )
    print_report(report, consistent)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**asdict(report), "consistent": consistent}, indent=2))
    print(f"loadtest: figures written to {args.json}")
    return 0 if consistent and report.requests else 1


def print_report(report: Report, consistent: bool) -> None:
    print()
    print(f"duration {report.duration}s, {report.users} users, {report.servers} server(s) "
          f"x {report.workers} workers, PostgreSQL restarted at {report.restart_at}s "
          f"(down and up in {report.restart_seconds}s)")  # fmt: skip
    print(f"requests done: {report.requests}  ({report.by_kind})")
    print(f"latency p50 {report.p50_ms} ms, p95 {report.p95_ms} ms "
          f"(statement p95 {report.statement_p95_ms} ms, quick promise p95 "
          f"{report.quick_promise_p95_ms} ms)")  # fmt: skip
    print("outcomes:")
    for name, value in sorted(report.outcomes.items()):
        print(f"  {name:<28} {value}")
    print("errors by kind:" + ("" if report.errors else " none"))
    for name, value in sorted(report.errors.items()):
        print(f"  {name:<28} {value}")
    print("consistency:")
    for name, value in report.consistency.items():
        print(f"  {name:<40} {value}")
    print(f"  items promised according to the answers   {report.items_promised_by_responses}")
    print("CONSISTENT" if consistent else "INCONSISTENT")


if __name__ == "__main__":
    sys.exit(main())
