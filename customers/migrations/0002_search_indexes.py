"""Indexes of the customer list at scale (100,000 customers and more).

- ``customer_name_code``: the list's default order, so its first page reads 50
  index entries instead of sorting every customer.
- ``customer_code_trgm`` and ``customer_name_trgm``: PostgreSQL trigram (pg_trgm)
  GIN indexes on ``UPPER(code)`` and ``UPPER(name)``, the very expressions of
  Django's ``icontains`` on PostgreSQL, so that searching any part of the code or
  the name reads the index instead of every row (``fastupdate`` off, so that
  searches never read a backlog of pending entries). PostgreSQL only: the extension
  and these two indexes are skipped on SQLite (the local demo database), and
  they are not in the model state, so ``makemigrations`` ignores them.
- ``customer_upper_name`` goes: a b-tree on ``UPPER(name)`` serves no
  ``LIKE '%…%'`` search and no sort.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models
from django.db.models.functions import Upper

# fastupdate off: new customers go straight into the index instead of a "pending
# list" that every search would read in full until a vacuum merges it (3 ms more
# a search after an import had added a few thousand customers).
TRIGRAM_INDEXES = (
    GinIndex(
        OpClass(Upper("code"), name="gin_trgm_ops"), name="customer_code_trgm", fastupdate=False
    ),
    GinIndex(
        OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_trgm", fastupdate=False
    ),
)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    customer = apps.get_model("customers", "Customer")
    for index in TRIGRAM_INDEXES:
        schema_editor.add_index(customer, index)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    customer = apps.get_model("customers", "Customer")
    for index in TRIGRAM_INDEXES:
        schema_editor.remove_index(customer, index)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RemoveIndex(model_name="customer", name="customer_upper_name"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["name", "code"], name="customer_name_code"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
