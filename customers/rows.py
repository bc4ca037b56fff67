"""Model instances from rows read in SQL written out.

For the reads on every page where the ORM's building and compiling of the query
costs more than the query itself (the customer of a customer file, the Quick
Promise preference, a page of the customer list). The values are converted as
the ORM converts them: the driver gives a date and time without its time zone on
SQLite, numbers where the model has decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import Model

#: Per connection (a thread's own), per model: each field's converters, looked up
#: once (looking them up costs more than converting a row).
_CONVERTERS: WeakKeyDictionary = WeakKeyDictionary()


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, named (never ``alias.*``: a prepared
    statement's columns must not change under it when a migration adds one)."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def _converters(model: type[Model], connection) -> list[tuple[list[Callable], object]]:
    by_model = _CONVERTERS.setdefault(connection, {})
    if model not in by_model:
        found = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            found.append(
                (
                    connection.ops.get_db_converters(column) + column.get_db_converters(connection),
                    column,
                )
            )
        by_model[model] = found
    return by_model[model]


def instance_from_row(model: type[Model], values: Sequence, *, using: str = "default") -> Model:
    """An instance of ``model`` from the values of its concrete fields, in order."""
    connection = connections[using]
    converted = []
    for (converters, column), value in zip(_converters(model, connection), values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(using, [field.attname for field in model._meta.concrete_fields], converted)
