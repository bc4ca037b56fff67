"""The trigram search indexes take new entries in a short pending list.

With ``fastupdate`` off (migration 0002), every new customer went into both GIN
indexes one trigram at a time: an import creating 100,000 customers spent 15 of
its seconds there. A pending list lets PostgreSQL append new entries and merge
them in bulk (3.5 s for the same customers). Its size is capped at 256 kB per
index (PostgreSQL's default is 4 MB), so that a search, which reads the pending
list in full until it is merged, reads at most 32 pages more. PostgreSQL only,
as the indexes are.
"""

from django.db import migrations

_PENDING_LIST_KB = 256


def _alter(fastupdate: bool):
    def alter(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in ("customer_code_trgm", "customer_name_trgm"):
            if fastupdate:
                schema_editor.execute(
                    f"ALTER INDEX {name} SET (fastupdate = on, "
                    f"gin_pending_list_limit = {_PENDING_LIST_KB})"
                )
            else:
                # The entries still pending go into the index first: with
                # fastupdate off nothing would merge them but a vacuum.
                schema_editor.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")
                schema_editor.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
                schema_editor.execute(f"ALTER INDEX {name} SET (fastupdate = off)")

    return alter


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_customer_comments")]

    operations = [migrations.RunPython(_alter(True), _alter(False))]
