"""What every figure shares: the sizes, the context of a run, timing, the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scale:
    """How big the ledger is and how often each figure is repeated."""

    name: str
    customers: int
    items: int
    statement_sizes: tuple[int, int]
    quick_promise_sizes: tuple[int, ...]
    import_rows: int
    runs: int  # measured runs of a cheap figure, after the warm-up
    slow_runs: int  # measured runs of a figure that takes a second or more
    warmup: int

    @property
    def quick_promise_account(self) -> int:
        """Items of the account the quick promises are made on: its debit items
        (95 % of them) cover the largest size."""
        return int(max(self.quick_promise_sizes) * 1.2) + 10


FULL = Scale(
    name="full",
    customers=100_000,
    items=1_000_000,
    statement_sizes=(2_500, 25_000),
    quick_promise_sizes=(1, 100, 1_000, 10_000),
    import_rows=1_000_000,
    runs=31,
    slow_runs=11,
    warmup=5,
)
QUICK = Scale(
    name="quick",
    customers=5_000,
    items=50_000,
    statement_sizes=(250, 2_500),
    quick_promise_sizes=(1, 100, 1_000),
    import_rows=50_000,
    runs=7,
    slow_runs=3,
    warmup=2,
)


@dataclass
class Row:
    """One line of the table. Times are in seconds; ``limit`` is the highest
    ratio that meets the target (None: the figure has no timed target)."""

    figure: str
    ours: float | str | None
    floor: float | str | None = None
    floor_name: str = ""
    limit: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: A ratio worked out by the figure itself (a throughput, say).
    given_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.given_ratio is not None:
            return self.given_ratio
        if isinstance(self.ours, float) and isinstance(self.floor, float) and self.floor:
            return self.ours / self.floor
        return None

    def __post_init__(self) -> None:
        if self.met is None and self.limit is not None and self.ratio is not None:
            self.met = self.ratio <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "ours_ms": _ms(self.ours) if isinstance(self.ours, float) else self.ours,
            "floor_ms": _ms(self.floor) if isinstance(self.floor, float) else self.floor,
            "floor": self.floor_name,
            "ratio": round(self.ratio, 2) if self.ratio is not None else None,
            "target": self.target,
            "met": self.met,
            "note": self.note,
            **self.extra,
        }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def within(limit: float, floor_name: str) -> str:
    return f"≤ {limit:g}× {floor_name}"


@dataclass
class Bench:
    """The context every figure group gets."""

    scale: Scale
    database_url: str
    env: dict[str, str]
    ledger: dict[str, Any]
    base_url: str
    username: str
    password: str
    workdir: str

    def big_account(self, items: int) -> dict[str, Any]:
        return next(a for a in self.ledger["big_accounts"] if a["items"] == items)


def paired(
    ours: Callable[[], object],
    floor: Callable[[], object],
    *,
    runs: int,
    warmup: int,
) -> tuple[float, float, list[float], list[float]]:
    """Medians of ``ours`` and ``floor`` (seconds), alternating them, after
    ``warmup`` rounds that are not counted; which one goes first alternates too,
    so that neither always runs on a cache the other warmed."""
    ours_times: list[float] = []
    floor_times: list[float] = []
    for round_number in range(warmup + runs):
        pair = [(ours, ours_times), (floor, floor_times)]
        if round_number % 2:
            pair.reverse()
        for function, times in pair:
            started = time.perf_counter()
            function()
            elapsed = time.perf_counter() - started
            if round_number >= warmup:
                times.append(elapsed)
    return statistics.median(ours_times), statistics.median(floor_times), ours_times, floor_times


_HEADER = ("figure", "ours", "floor", "ratio", "target", "met")


def _duration(seconds: float) -> str:
    return f"{seconds:,.1f} s" if seconds >= 10 else f"{_ms(seconds):,.1f} ms"


def _cells(row: Row) -> tuple[str, ...]:
    ours = _duration(row.ours) if isinstance(row.ours, float) else str(row.ours or "—")
    floor = _duration(row.floor) if isinstance(row.floor, float) else str(row.floor or "—")
    if row.floor is not None and row.floor_name:
        floor += f" ({row.floor_name})"
    ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
    met = {True: "yes", False: "NO", None: "—"}[row.met]
    return (row.figure, ours, floor, ratio, row.target or "—", met)


def format_table(rows: list[Row]) -> str:
    lines = [_HEADER, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEADER))]
    out = []
    for index, line in enumerate(lines):
        out.append(" | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            out.append("-+-".join("-" * width for width in widths))
    return "\n".join(out)


def markdown_table(rows: list[Row]) -> str:
    """The same table, for the README."""
    lines = [_HEADER, ("---",) * len(_HEADER), *(_cells(row) for row in rows)]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)
