"""A calendar table for the import on PostgreSQL: every day from 1900-01-01 to
2199-12-31 written YYYY-MM-DD. A date of a million-row file is valid when it is
in it: one hashed lookup instead of parsing each date. Other databases import in
Python and need no such table."""

from django.db import migrations

FIRST, LAST = "1900-01-01", "2199-12-31"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE TABLE collections_import_calendar (day text PRIMARY KEY)"
    )
    schema_editor.execute(
        "INSERT INTO collections_import_calendar SELECT to_char(day, 'YYYY-MM-DD') "
        "FROM generate_series(%s::date, %s::date, interval '1 day') AS day",
        [FIRST, LAST],
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS collections_import_calendar")


class Migration(migrations.Migration):
    dependencies = [("collections_app", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
