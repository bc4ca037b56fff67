"""Build the bench's database, run the figure groups, print and save the table."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from tooling.appserver import AppServer, manage, prepare, production_environment
from tooling.bench.core import FULL, QUICK, Bench, Row, Scale, format_table, markdown_table
from tooling.postgres import ThrowawayCluster

PREFIX = "B"
SEED = 2026
USERNAME = "bench-officer"
#: A server sized for a million items, and no checkpoint in the middle of a figure.
SERVER_OPTIONS = "-c shared_buffers=512MB -c max_wal_size=4GB"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tooling.bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="A small ledger and few runs: a minute or two."
    )
    parser.add_argument("--only", default="", help="Comma-separated figure groups to run.")
    parser.add_argument(
        "--strict", action="store_true", help="Exit with an error when a target is not met."
    )
    parser.add_argument("--runs", type=int, default=0, help="Measured runs (default: by scale).")
    parser.add_argument("--json", type=Path, default=Path("artifacts/bench.json"))
    parser.add_argument("--markdown", action="store_true", help="Also print the table in Markdown.")
    return parser.parse_args(argv)


def machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def generate(env: dict[str, str], scale: Scale) -> dict:
    sizes = [*scale.statement_sizes, scale.quick_promise_account]
    output = manage(
        env,
        "generate_ledger",
        "--customers", str(scale.customers),
        "--items", str(scale.items),
        "--big-account-items", *map(str, sizes),
        "--seed", str(SEED),
        "--prefix", PREFIX,
        "--json",
    )  # fmt: skip
    ledger = json.loads(output.strip().splitlines()[-1])
    ledger["prefix"] = PREFIX
    # Figures count the generated regular customers, not the big accounts.
    ledger["customers"] = scale.customers
    return ledger


def set_up_django(env: dict[str, str], password: str) -> None:
    """Django in this process, on the bench's database, with the app servers'
    settings; an officer to sign in and Quick Promise configured."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from collections_app.models import ItemStatus, QuickPromisePreference
    from collections_app.roles import OFFICERS

    user = get_user_model().objects.create_user(USERNAME, password=password)
    user.groups.add(Group.objects.get(name=OFFICERS))
    preference = QuickPromisePreference.load()
    preference.status = ItemStatus.objects.get(label="Promise to pay")
    preference.delay_days = 1
    preference.save()


def settle(url: str) -> None:
    """What a night of autovacuum would have done: visibility map, statistics,
    and a checkpoint, so that no figure pays for the load; and before each group
    of figures, so that none pays for the writes of the group before it (its
    dead rows, its statistics, its dirty pages): each is measured as if run
    first."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")
        db.execute("CHECKPOINT")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale = QUICK if args.quick else FULL
    if args.runs:
        scale = Scale(**{**scale.__dict__, "runs": args.runs, "slow_runs": args.runs})
    started = time.monotonic()
    password = secrets.token_urlsafe(16)
    rows: list[Row] = []
    with ThrowawayCluster(options=SERVER_OPTIONS) as cluster:
        env = production_environment(
            cluster.url, CONN_MAX_AGE="60", BENCH_FLOOR_VIEW="True", LOG_LEVEL="ERROR"
        )
        say(f"PostgreSQL on {cluster.url}; migrating")
        prepare(env)
        say(
            f"generating {scale.customers:,} customers and {scale.items:,} items, big accounts "
            f"of {', '.join(f'{n:,}' for n in scale.statement_sizes)} and "
            f"{scale.quick_promise_account:,} items"
        )
        generated = time.monotonic()
        ledger = generate(env, scale)
        say(f"ledger generated in {time.monotonic() - generated:.0f} s; settling")
        settle(cluster.url)
        set_up_django(env, password)

        from tooling.bench.figures import FIGURES

        wanted = [name for name in args.only.split(",") if name] or list(FIGURES)
        unknown = set(wanted) - set(FIGURES)
        if unknown:
            say(f"unknown figure groups: {', '.join(sorted(unknown))}; known: {', '.join(FIGURES)}")
            return 2
        with AppServer(env, workers=1) as server, tempfile.TemporaryDirectory() as workdir:
            bench = Bench(
                scale=scale,
                database_url=cluster.url,
                env=env,
                ledger=ledger,
                base_url=server.url,
                username=USERNAME,
                password=password,
                workdir=workdir,
            )
            for index, name in enumerate(wanted):
                if index:
                    settle(cluster.url)
                say(f"measuring {name}")
                group_started = time.monotonic()
                try:
                    rows += FIGURES[name](bench)
                except Exception as error:  # one broken figure does not hide the others
                    say(f"{name} FAILED: {error!r}")
                    rows.append(
                        Row(figure=f"{name}: failed", ours=f"error: {error}"[:80], met=False)
                    )
                say(f"{name} done in {time.monotonic() - group_started:.0f} s")

    print()
    print(format_table(rows))
    if args.markdown:
        print()
        print(markdown_table(rows))
    elapsed = time.monotonic() - started
    report = {
        "scale": scale.__dict__,
        "machine": machine(),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "seconds": round(elapsed),
        "ledger": ledger,
        "rows": [row.as_dict() for row in rows],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    missed = [row.figure for row in rows if row.met is False]
    print(f"\nbench: {scale.name} run in {elapsed / 60:.1f} min; table written to {args.json}")
    if missed:
        print(f"bench: {len(missed)} target(s) not met: " + "; ".join(missed))
    return 1 if missed and args.strict else 0
