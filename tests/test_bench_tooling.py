"""The bench's own arithmetic: medians of alternating runs, targets, the table."""

from __future__ import annotations

import itertools

from tooling.bench.core import Row, format_table, markdown_table, paired


def test_paired_alternates_and_drops_the_warm_up(monkeypatch):
    calls = []
    clock = itertools.count()
    monkeypatch.setattr("tooling.bench.core.time.perf_counter", lambda: float(next(clock)))

    ours_median, floor_median, ours, floor = paired(
        lambda: calls.append("ours"), lambda: calls.append("floor"), runs=3, warmup=2
    )

    # Which goes first alternates from one round to the next.
    assert calls == ["ours", "floor", "floor", "ours"] * 2 + ["ours", "floor"]
    assert len(ours) == len(floor) == 3  # the two warm-up rounds are not counted
    assert ours_median == floor_median == 1.0


def test_a_timed_row_meets_its_target_when_the_ratio_is_within_the_limit():
    assert Row("a", ours=0.3, floor=0.1, limit=4.0).met is True
    assert Row("b", ours=0.5, floor=0.1, limit=4.0).met is False
    assert Row("c", ours=0.5, floor=0.1).met is None  # no target
    assert Row("d", ours="8 / 8", met=True).ratio is None


def test_the_table_shows_every_row_with_its_verdict():
    rows = [
        Row("Quick", ours=0.012, floor=0.010, floor_name="SQL floor", limit=2.0, target="≤ 2×"),
        Row("Import", ours=61.5, floor=12.0, floor_name="COPY", limit=3.0, target="≤ 3×"),
        Row("Queries", ours="8 / 8", target="the same", met=True),
    ]
    table = format_table(rows).splitlines()
    assert table[0].split(" | ")[0].strip() == "figure"
    quick, imported = (line.split(" | ") for line in table[2:4])
    assert [cell.strip() for cell in quick[1:]] == [
        "12.0 ms", "10.0 ms (SQL floor)", "1.20×", "≤ 2×", "yes",
    ]  # fmt: skip
    assert [cell.strip() for cell in imported[1:]] == [
        "61.5 s",
        "12.0 s (COPY)",
        "5.12×",
        "≤ 3×",
        "NO",
    ]
    markdown = markdown_table(rows).splitlines()
    assert markdown[1] == "| --- | --- | --- | --- | --- | --- |"
    assert markdown[4] == "| Queries | 8 / 8 | — | — | the same | yes |"
