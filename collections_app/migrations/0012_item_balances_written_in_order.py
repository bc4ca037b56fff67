"""The balances' trigger writes its rows in the order of their index.

The trigger of migration 0008 grouped the changed items by hashing them and
wrote the groups in the hash's order, each to a random place in the balances'
(customer, currency, due date, type, sign) index. An import of a million new
items writes some 850,000 groups: sorted and grouped in that order instead, they
go to the end of the index one after the other (8.1 s → 4.5 s for those). The
groups and their sums are the same.
"""

from django.db import migrations

_KEY = "1, 2, 3, 4, 5"


def _function(*, in_order: bool) -> str:
    group = f"GROUP BY {_KEY} ORDER BY {_KEY}" if in_order else f"GROUP BY {_KEY}"
    having = "HAVING sum(n) <> 0 OR sum(amount) <> 0"
    update_group = (
        f"GROUP BY {_KEY}\n    {having}\n    ORDER BY {_KEY}"
        if in_order
        else f"GROUP BY {_KEY}\n    {having}"
    )
    # Sorted grouping (no hash) when in order: the sort gives the index's order.
    settings = "SET enable_hashagg = off " if in_order else ""
    return f"""
CREATE OR REPLACE FUNCTION collections_item_balance_changes() RETURNS trigger
LANGUAGE plpgsql {settings}AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO collections_app_itembalance
      (customer_id, currency, due_date, document_type, is_debit, item_count, open_total)
    SELECT customer_id, currency, due_date, document_type, open_amount > 0,
           count(*), sum(open_amount)
    FROM new_rows WHERE open_amount <> 0
    {group};
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO collections_app_itembalance
      (customer_id, currency, due_date, document_type, is_debit, item_count, open_total)
    SELECT customer_id, currency, due_date, document_type, open_amount > 0,
           -count(*), -sum(open_amount)
    FROM old_rows WHERE open_amount <> 0
    {group};
  ELSE
    -- Most updates change no amount, date or type (a status, a promise date):
    -- their rows cancel out and nothing is written.
    INSERT INTO collections_app_itembalance
      (customer_id, currency, due_date, document_type, is_debit, item_count, open_total)
    SELECT customer_id, currency, due_date, document_type, is_debit, sum(n), sum(amount)
    FROM (
      SELECT customer_id, currency, due_date, document_type, open_amount > 0 AS is_debit,
             1 AS n, open_amount AS amount
      FROM new_rows WHERE open_amount <> 0
      UNION ALL
      SELECT customer_id, currency, due_date, document_type, open_amount > 0,
             -1, -open_amount
      FROM old_rows WHERE open_amount <> 0
    ) AS changes
    {update_group};
  END IF;
  RETURN NULL;
END
$$;
"""


def _replace(*, in_order: bool):
    def replace(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            if not in_order:
                schema_editor.execute(
                    "ALTER FUNCTION collections_item_balance_changes() RESET enable_hashagg"
                )
            schema_editor.execute(_function(in_order=in_order))

    return replace


class Migration(migrations.Migration):
    dependencies = [("collections_app", "0011_fewer_item_indexes")]

    operations = [
        migrations.RunPython(_replace(in_order=True), _replace(in_order=False), elidable=False)
    ]
