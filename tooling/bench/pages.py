"""Pages through HTTP against gunicorn (production settings, one worker, the
client on loopback), each against the framework floor: ``/bench/floor/``, a
minimal signed-in page through the same middleware, requested alternately with
the page measured.

The query counts come from the same pages requested in this process with
Django's test client (same settings and middleware), not timed.
"""

from __future__ import annotations

from urllib.parse import urlencode

import psycopg
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tooling.bench.core import Bench, Row, paired, within
from tooling.client import Client

FLOOR = "framework floor"
FLOOR_PATH = "/bench/floor/"
PAGE_LIMIT = 4.0
#: The customer list's queries, whatever its rows: session, user, permissions,
#: count, page, the page's totals (the three in one for a search's first pages).
LIST_QUERIES = 6
#: The statement of the larger account against the smaller one's.
STATEMENT_GROWTH_LIMIT = 1.5


def _signed_in(bench: Bench) -> Client:
    client = Client(bench.base_url, timeout=300)
    client.login(bench.username, bench.password)
    return client


def _getter(client: Client, path: str):
    def get() -> None:
        response = client.get(path)
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")

    return get


def _queries(bench: Bench, path: str) -> int:
    from django.contrib.auth import get_user_model

    client = DjangoClient(SERVER_NAME="localhost", headers={"X-Forwarded-Proto": "https"})
    client.force_login(get_user_model().objects.get(username=bench.username))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} in process: {response.status_code}")
    return len(captured)


def search_terms(bench: Bench) -> list[tuple[str, str, int]]:
    """(what, term, matching customers): a whole code, and two parts of names
    (not their beginning), one of a family name and one of a trade."""
    middle = bench.ledger["customers"] // 2
    code = f"{bench.ledger['prefix']}{middle:07d}"
    terms = [("by code", code), ("by part of the name", "upont"), ("by part of the name", "ogist")]
    out = []
    with psycopg.connect(bench.database_url) as db:
        for what, term in terms:
            pattern = f"%{term.upper()}%"
            (count,) = db.execute(
                "SELECT count(*) FROM customers_customer "
                "WHERE upper(code) LIKE %s OR upper(name) LIKE %s",
                [pattern, pattern],
            ).fetchone()
            out.append((what, term, count))
    return out


def measure_customer_list(bench: Bench) -> list[Row]:
    client = _signed_in(bench)
    floor = _getter(client, FLOOR_PATH)
    customers = bench.ledger["customers"]
    rows = []
    counts = {}
    for what, term, matches in search_terms(bench):
        path = f"{reverse('customers:list')}?{urlencode({'q': term})}"
        ours, framework, ours_runs, _ = paired(
            _getter(client, path), floor, runs=bench.scale.runs, warmup=bench.scale.warmup
        )
        counts[term] = (matches, _queries(bench, path))
        rows.append(
            Row(
                figure=f"Customer list, search {what} “{term}” "
                f"({matches:,} of {customers:,} customers)",
                ours=ours,
                floor=framework,
                floor_name=FLOOR,
                limit=PAGE_LIMIT,
                target=within(PAGE_LIMIT, FLOOR),
                extra={"matches": matches, "queries": counts[term][1], "runs": len(ours_runs)},
            )
        )
    # Sorted by the overdue amount, every customer's totals are needed: measured
    # for the record, no target set.
    path = f"{reverse('customers:list')}?sort=-overdue"
    ours, framework, ours_runs, _ = paired(_getter(client, path), floor, runs=3, warmup=1)
    rows.append(
        Row(
            figure=f"Customer list sorted by overdue amount ({customers:,} customers)",
            ours=ours,
            floor=framework,
            floor_name=FLOOR,
            target="(none set)",
            extra={"runs": len(ours_runs)},
        )
    )
    client.close()
    queries = {term: n for term, (_matches, n) in counts.items()}
    rows.append(
        Row(
            figure="Customer list, queries for "
            + " / ".join(f"{min(m, 50)} row{'s' if m != 1 else ''}" for m, _ in counts.values()),
            ours=" / ".join(str(n) for n in queries.values()),
            # A search counts its matches and reads its page with its totals in
            # one query: never a query per row.
            target=f"none per row (at most {LIST_QUERIES})",
            met=max(queries.values()) <= LIST_QUERIES,
            extra={"queries": queries},
        )
    )
    return rows


def measure_statement(bench: Bench) -> list[Row]:
    client = _signed_in(bench)
    floor = _getter(client, FLOOR_PATH)
    rows = []
    medians = {}
    queries = {}
    for size in bench.scale.statement_sizes:
        account = bench.big_account(size)
        path = reverse("collections:reminders", args=[account["pk"]])
        runs = bench.scale.slow_runs if size >= 10_000 else bench.scale.runs
        ours, framework, ours_runs, _ = paired(
            _getter(client, path), floor, runs=runs, warmup=bench.scale.warmup
        )
        medians[size] = ours
        queries[size] = _queries(bench, path)
        rows.append(
            Row(
                figure=f"Statement, {size:,} outstanding items: first response",
                ours=ours,
                floor=framework,
                floor_name=FLOOR,
                limit=PAGE_LIMIT,
                target=within(PAGE_LIMIT, FLOOR),
                extra={"items": size, "queries": queries[size], "runs": len(ours_runs)},
            )
        )
    small, large = bench.scale.statement_sizes
    # The customer file's other tabs on the largest account: for the record, no
    # target set (the overview reads the items' totals, the history every status
    # change of the account's items).
    account = bench.big_account(large)
    for tab, name in (("overview", "customers:detail"), ("History tab", "collections:history")):
        ours, framework, ours_runs, _ = paired(
            _getter(client, reverse(name, args=[account["pk"]])),
            floor,
            runs=bench.scale.slow_runs,
            warmup=bench.scale.warmup,
        )
        rows.append(
            Row(
                figure=f"Customer file of {large:,} outstanding items: {tab}",
                ours=ours,
                floor=framework,
                floor_name=FLOOR,
                target="(none set)",
                extra={"items": large, "runs": len(ours_runs)},
            )
        )
    client.close()
    growth = medians[large] / medians[small]
    rows.append(
        Row(
            figure=f"Statement, {large:,} against {small:,} items",
            ours=f"{growth:.2f}×",
            target=f"≤ {STATEMENT_GROWTH_LIMIT:g}×",
            met=growth <= STATEMENT_GROWTH_LIMIT,
            extra={"ratio": round(growth, 2)},
        )
    )
    rows.append(
        Row(
            figure=f"Statement, queries for {small:,} / {large:,} items",
            ours=f"{queries[small]} / {queries[large]}",
            target="the same at both sizes",
            met=queries[small] == queries[large],
            extra={"queries": {str(k): v for k, v in queries.items()}},
        )
    )
    return rows
