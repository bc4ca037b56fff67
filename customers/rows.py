"""Model instances from rows read in SQL written out.

For the few reads on every page where the ORM's building and compiling of the
query costs more than the query itself (the customer of a customer file, the
Quick Promise preference). The values are converted as the ORM converts them:
the driver gives a date and time without its time zone on SQLite, numbers where
the model has decimals.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.db.models import Model


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, named (never ``alias.*``: a prepared
    statement's columns must not change under it when a migration adds one)."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def instance_from_row(model: type[Model], values: Sequence, *, using: str = "default") -> Model:
    """An instance of ``model`` from the values of its concrete fields, in order."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    converted = []
    for field, value in zip(fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column)
        for converter in converters + column.get_db_converters(connection):
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(using, [field.attname for field in fields], converted)
