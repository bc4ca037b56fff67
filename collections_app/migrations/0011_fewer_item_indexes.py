"""Fewer indexes on the items (and their import history): the foreign keys'
own indexes go, as other indexes serve their lookups.

- customer: the unique (customer, number) index leads with it;
- status, status set by, resolver: most items have none, so partial indexes
  of the items that have one replace indexes of every item;
- the import change's item: its (item, changed at) index.

Only the indexes are dropped: the foreign key constraints stay as they are
(Django's AlterField would drop them and check a million rows again).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collections_app", "0010_item_balance_covering_index"),
        ("customers", "0003_customer_comments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The partial indexes first: no moment without an index for these lookups.
        migrations.AddIndex(
            model_name="openitem",
            index=models.Index(
                condition=models.Q(("status__isnull", False)),
                fields=["status"],
                name="openitem_status",
            ),
        ),
        migrations.AddIndex(
            model_name="openitem",
            index=models.Index(
                condition=models.Q(("status_set_by__isnull", False)),
                fields=["status_set_by"],
                name="openitem_status_set_by",
            ),
        ),
        migrations.AddIndex(
            model_name="openitem",
            index=models.Index(
                condition=models.Q(("resolver__isnull", False)),
                fields=["resolver"],
                name="openitem_resolver",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="importchange",
                    name="item",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="import_changes",
                        to="collections_app.openitem",
                        verbose_name="item",
                    ),
                ),
                migrations.AlterField(
                    model_name="openitem",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="open_items",
                        to="customers.customer",
                        verbose_name="customer",
                    ),
                ),
                migrations.AlterField(
                    model_name="openitem",
                    name="resolver",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Who settles the dispute.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items_to_resolve",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resolver",
                    ),
                ),
                migrations.AlterField(
                    model_name="openitem",
                    name="status",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="items",
                        to="collections_app.itemstatus",
                        verbose_name="status",
                    ),
                ),
                migrations.AlterField(
                    model_name="openitem",
                    name="status_set_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="status set by",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "collections_app_importchange_item_id_0ce1a530"',
                    reverse_sql='CREATE INDEX "collections_app_importchange_item_id_0ce1a530" ON "collections_app_importchange" ("item_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "collections_app_openitem_customer_id_ebc6e296"',
                    reverse_sql='CREATE INDEX "collections_app_openitem_customer_id_ebc6e296" ON "collections_app_openitem" ("customer_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "collections_app_openitem_resolver_id_a1313b2e"',
                    reverse_sql='CREATE INDEX "collections_app_openitem_resolver_id_a1313b2e" ON "collections_app_openitem" ("resolver_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "collections_app_openitem_status_id_5131fde1"',
                    reverse_sql='CREATE INDEX "collections_app_openitem_status_id_5131fde1" ON "collections_app_openitem" ("status_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "collections_app_openitem_status_set_by_id_20ab8415"',
                    reverse_sql='CREATE INDEX "collections_app_openitem_status_set_by_id_20ab8415" ON "collections_app_openitem" ("status_set_by_id")',
                ),
            ],
        ),
    ]
