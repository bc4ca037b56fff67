from __future__ import annotations

from django.core.management.base import BaseCommand

from collections_app.services.balances import rebuild_item_balances


class Command(BaseCommand):
    help = (
        "Write the items' running balances (the statement's totals) again from the "
        "items. PostgreSQL keeps them by itself; this is for a database loaded with "
        "its triggers off, or with the balances dumped and loaded beside the items."
    )

    def handle(self, *args, **options) -> None:
        groups = rebuild_item_balances()
        self.stdout.write(f"Item balances written again from the items: {groups} groups.")
