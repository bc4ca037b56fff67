"""What PostgreSQL is told for the app's queries and for an import's."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.collections_app.open_items_files import line, run_import

pytestmark = pytest.mark.django_db


def _show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_the_import_compiles_its_statements_and_sorts_in_memory_the_app_neither():
    # The app's connection as the server and the settings give it (no JIT
    # compilation: a quick promise paid 22 to 34 ms for one over-estimated
    # statement; tests/test_settings.py).
    before = (_show("jit"), _show("work_mem"))
    assert before != ("on", "128MB")
    seen = set()

    def progress(stage: str, done: int, total: int) -> None:
        if stage != "reading":  # not while the file streams in (COPY)
            seen.add((stage, _show("jit"), _show("work_mem")))

    report = run_import(line(number="INV-1"), line(number="INV-2"), progress=progress)
    assert report.applied
    assert report.created == 2
    # Inside the import's transaction only.
    assert {(jit, memory) for _stage, jit, memory in seen} == {("on", "128MB")}
    assert {stage for stage, _jit, _memory in seen} == {"checking", "applying"}
    assert (_show("jit"), _show("work_mem")) == before
