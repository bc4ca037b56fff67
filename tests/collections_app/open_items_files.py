"""Build standard open-items files for the import tests."""

from __future__ import annotations

import io

from collections_app.services.imports import ImportReport, import_open_items
from tests.utils import database_state

#: Written out rather than taken from the code: the file format is a contract.
COLUMNS = (
    "customer_code",
    "customer_name",
    "document_type",
    "number",
    "document_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
)
HEADER = ",".join(COLUMNS)

DEFAULTS = {
    "customer_code": "C001",
    "customer_name": "Acme Trading",
    "document_type": "invoice",
    "number": "INV-1",
    "document_date": "2026-01-05",
    "due_date": "2026-02-04",
    "amount": "1200.00",
    "open_amount": "1200.00",
    "currency": "EUR",
}


def line(columns: tuple[str, ...] = COLUMNS, **values: str) -> str:
    """One data line: the defaults with ``values`` written over them, raw (a
    value with a comma must be given already quoted)."""
    merged = DEFAULTS | values
    return ",".join(merged[name] for name in columns)


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return "".join(f"{text}\n" for text in (header, *lines)).encode()


def csv_file(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(csv_bytes(*lines, header=header))


def run_import(*lines: str, **options) -> ImportReport:
    """Import a file made of the standard header and ``lines``."""
    options.setdefault("file_name", "open-items.csv")
    return import_open_items(stream=csv_file(*lines), **options)


def ledger_state() -> dict[str, tuple[int, str]]:
    """database_state() without the import log, which gains a row per applied file."""
    state = database_state()
    del state["collections_app_importrun"]
    return state
