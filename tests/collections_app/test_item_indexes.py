"""The items keep only the indexes their reads need (migration 0011), and every
lookup by a foreign key still reads an index, not the whole table."""

from __future__ import annotations

import pytest
from django.db import connection

from collections_app.models import ImportChange, OpenItem
from tests.factories import CustomerFactory, OfficerFactory

pytestmark = pytest.mark.django_db


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    # Unique constraints are indexes too; the primary key aside.
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if (info["index"] or info["unique"]) and not info["primary_key"]
    }


def test_no_index_of_its_own_on_each_foreign_key():
    assert _indexes(OpenItem) == {
        "openitem_unique_number": ["customer_id", "number"],
        # Its included columns too.
        "openitem_outstanding": [
            "customer_id", "due_date", "number",
            "open_amount", "currency", "document_type", "status_id",
        ],
        "openitem_status": ["status_id"],
        "openitem_status_set_by": ["status_set_by_id"],
        "openitem_resolver": ["resolver_id"],
    }  # fmt: skip
    changes = _indexes(ImportChange)
    assert sorted(changes.values()) == [["item_id", "changed_at"], ["run_id"]]


@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        ("customer_id = %s", "openitem_unique_number"),
        ("status_id = %s", "openitem_status"),
        ("status_set_by_id = %s", "openitem_status_set_by"),
        ("resolver_id = %s", "openitem_resolver"),
    ],
)
def test_every_foreign_key_lookup_reads_an_index(lookup, index):
    """What deleting a customer, a status or a user checks (PROTECT), and the
    reads by status or resolver: the planner told to avoid scanning the table
    still answers from an index (a partial one for the nullable keys)."""
    customer = CustomerFactory()
    OfficerFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT 1 FROM {OpenItem._meta.db_table} WHERE {lookup}", [customer.pk]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan
