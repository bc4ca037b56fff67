"""Model instances from rows read in SQL written out.

For the reads on every page where the ORM's building and compiling of the query
costs more than the query itself (the customer of a customer file, the Quick
Promise preference, a page of the customer list). The values are converted as
the ORM converts them: the driver gives a date and time without its time zone on
SQLite, numbers where the model has decimals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models import Model


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, named (never ``alias.*``: a prepared
    statement's columns must not change under it when a migration adds one)."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def row_reader(model: type[Model], *, using: str = "default") -> Callable[[Sequence], Model]:
    """A function making an instance of ``model`` from the values of its concrete
    fields, in order: for the rows of one query, each field's converters looked
    up once (looking them up costs more than converting a row). Nothing is kept
    past the reader: converters may hold the thread's own connection."""
    connection = connections[using]
    fields = model._meta.concrete_fields
    attnames = [field.attname for field in fields]
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append((found, column))

    def read(values: Sequence) -> Model:
        converted = []
        for (found, column), value in zip(converters, values, strict=True):
            for converter in found:
                value = converter(value, column, connection)
            converted.append(value)
        return model.from_db(using, attnames, converted)

    return read


def instance_from_row(model: type[Model], values: Sequence, *, using: str = "default") -> Model:
    """An instance of ``model`` from the values of its concrete fields, in order."""
    return row_reader(model, using=using)(values)
