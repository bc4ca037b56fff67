"""The import of a large open-items file against PostgreSQL ``COPY`` of the same
file into a staging table, and the import's peak memory.

Each run imports a file of its own (new customers, new items: the same work
every time) with ``manage.py import_open_items`` in a child process, whose peak
resident memory the kernel reports when it ends; the floor copies the same file
into a staging table of text columns on a psycopg connection, in one
transaction, rolled back.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from tooling.appserver import BASE_DIR, manage
from tooling.bench.core import Bench, Row

#: The import must reach a third of COPY's rows per second: at most 3× its time.
LIMIT = 3.0
MEMORY_LIMIT_MB = 300
FLOOR = "COPY"
RUNS = 3
COLUMNS = (
    "customer_code", "customer_name", "document_type", "number", "document_date", "due_date",
    "amount", "open_amount", "currency",
)  # fmt: skip


def _write_file(bench: Bench, path: Path, *, rows: int, prefix: str) -> None:
    manage(
        bench.env, "generate_ledger", "--csv", str(path), "--items", str(rows),
        "--customers", str(max(1, rows // 10)), "--prefix", prefix, "--seed", "7",
    )  # fmt: skip


def _import(bench: Bench, path: Path) -> tuple[float, float]:
    """(seconds, peak resident memory in MB) of one import in a child process."""
    log = path.with_suffix(".log")
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "manage.py", "import_open_items", str(path)],
            cwd=BASE_DIR,
            env=bench.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        last = log.read_text(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"import_open_items failed: {' / '.join(last)}")
    return elapsed, usage.ru_maxrss / 1024  # kilobytes on Linux


def _copy(bench: Bench, path: Path) -> float:
    with psycopg.connect(bench.database_url) as db:
        db.execute(
            "CREATE TEMP TABLE bench_staging ("
            + ", ".join(f"{name} text" for name in COLUMNS)
            + ") ON COMMIT DROP"
        )
        started = time.perf_counter()
        with (
            db.cursor() as cursor,
            cursor.copy(
                f"COPY bench_staging ({', '.join(COLUMNS)}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy,
            path.open("rb") as stream,
        ):
            while chunk := stream.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        db.rollback()
    return elapsed


def measure(bench: Bench) -> list[Row]:
    rows = bench.scale.import_rows
    directory = Path(bench.workdir)
    warmup = directory / "warm-up.csv"
    _write_file(bench, warmup, rows=min(rows, 10_000), prefix="W")
    _import(bench, warmup)
    _copy(bench, warmup)
    ours, floor, memory = [], [], []
    for run in range(RUNS):
        path = directory / f"import-{run}.csv"
        _write_file(bench, path, rows=rows, prefix=f"M{run}")
        floor.append(_copy(bench, path))
        seconds, peak = _import(bench, path)
        ours.append(seconds)
        memory.append(peak)
        path.unlink()
    ours_s, floor_s = statistics.median(ours), statistics.median(floor)
    return [
        Row(
            figure=f"Import of a {rows:,}-row open-items file (new items)",
            ours=ours_s,
            floor=floor_s,
            floor_name=FLOOR,
            limit=LIMIT,
            target=f"≥ ⅓ of {FLOOR}'s rows/s (≤ {LIMIT:g}× its time)",
            note=f"{rows / ours_s:,.0f} rows/s against {rows / floor_s:,.0f}",
            extra={"rows": rows, "runs": RUNS, "import_s": ours, "copy_s": floor},
        ),
        Row(
            figure=f"Import of a {rows:,}-row file: peak memory of the process",
            ours=f"{max(memory):,.0f} MB",
            target=f"< {MEMORY_LIMIT_MB} MB",
            met=max(memory) < MEMORY_LIMIT_MB,
            extra={"peak_mb": [round(m) for m in memory]},
        ),
    ]
