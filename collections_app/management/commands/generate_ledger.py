from __future__ import annotations

import datetime
import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collections_app.ledger_generator import (
    GeneratorError,
    generate_ledger,
    parse_counts,
    write_open_items_file,
)


class Command(BaseCommand):
    help = (
        "Add a made-up ledger of a given size: customers with company-like names and their "
        "invoices, credit notes and payments (due dates spread around today, a few "
        "currencies, some closed, some disputed or promised). PostgreSQL only (COPY). "
        "Example: generate_ledger --customers 100000 --items 1000000 "
        "--big-account-items 2500 25000"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=1_000)
        parser.add_argument(
            "--items", type=int, default=10_000, help="Items shared among the customers."
        )
        parser.add_argument(
            "--big-account-items",
            nargs="+",
            default=[],
            metavar="K",
            help="One more customer per value, with that many outstanding items.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same ledger.")
        parser.add_argument(
            "--prefix", default="G", help="Customer codes are the prefix and 7 digits."
        )
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="The day the dates are spread around (default: today).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON (for the bench)."
        )
        parser.add_argument(
            "--csv",
            metavar="FILE",
            help="Write the ledger's outstanding items as a standard open-items file "
            "instead (no database needed; --big-account-items ignored).",
        )

    def handle(self, *args, **options) -> None:
        if options["csv"]:
            self._write_file(options)
            return
        try:
            report = generate_ledger(
                customers=options["customers"],
                items=options["items"],
                big_account_items=parse_counts(options["big_account_items"]),
                seed=options["seed"],
                prefix=options["prefix"],
                today=options["today"],
                progress=None if options["json"] else self.stdout.write,
            )
        except (GeneratorError, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(asdict(report)))
            return
        self.stdout.write(
            f"Generated {report.customers:,} customers and {report.items:,} items "
            f"({report.outstanding:,} outstanding, {report.closed:,} closed, "
            f"{report.history_rows:,} with a status) and {report.promises:,} payment promises "
            f"in {report.seconds:.1f} s."
        )
        for account in report.big_accounts:
            self.stdout.write(
                f"Big account {account.code} (id {account.pk}): {account.items:,} "
                "outstanding items."
            )

    def _write_file(self, options) -> None:
        try:
            with open(options["csv"], "w", encoding="utf-8", newline="") as stream:
                rows = write_open_items_file(
                    stream,
                    customers=options["customers"],
                    items=options["items"],
                    seed=options["seed"],
                    prefix=options["prefix"],
                    today=options["today"],
                )
        except (GeneratorError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {rows:,} items of {options['customers']:,} customers to {options['csv']}."
        )
