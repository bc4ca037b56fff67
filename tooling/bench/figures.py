"""The registry of figure groups: ``make bench`` measures them in this order.

A group is a function taking the run's ``Bench`` (database, app server, ledger,
sizes) and returning table rows; a group that fails shows as a failed row and
the others still run. To add a figure, write such a function and list it here;
``--only NAME,…`` runs some groups only.
"""

from __future__ import annotations

from collections.abc import Callable

from tooling.bench import imports, load, pages, quick_promise
from tooling.bench.core import Bench, Row

FIGURES: dict[str, Callable[[Bench], list[Row]]] = {
    # Quick Promise at 1 … 10,000 items against the SQL floor.
    "quick_promise": quick_promise.measure,
    # Pages through gunicorn against the framework floor.
    "customer_list": pages.measure_customer_list,
    "statement": pages.measure_statement,
    # The statement under a bounded load (two workers) against the floor's.
    "under_load": load.measure,
    # The import of a large file against COPY, and its peak memory. Last: it adds
    # customers and items to the ledger the other figures read.
    "import": imports.measure,
}
