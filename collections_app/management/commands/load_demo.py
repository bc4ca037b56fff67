from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from collections_app.demo import DEFAULT_CUTOFF, DemoError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo ledger: the public IBM Accounts Receivable sample with its dates "
        "moved so that the cut-off day is today, starter statuses and templates, a "
        "configured Quick Promise and demo users (passwords printed once, at creation)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cutoff",
            type=datetime.date.fromisoformat,
            default=DEFAULT_CUTOFF,
            help=f"The day of the sample that becomes today (default {DEFAULT_CUTOFF}).",
        )

    def handle(self, *args, cutoff: datetime.date, **options) -> None:
        if not datetime.date(2012, 1, 3) <= cutoff <= datetime.date(2013, 12, 31):
            raise CommandError("The cut-off must be within the sample: 2012-01-03 … 2013-12-31.")
        today = timezone.localdate()
        try:
            report = load_demo(cutoff=cutoff, today=today)
        except DemoError as error:
            raise CommandError(str(error)) from error
        imported = report.import_report
        self.stdout.write(
            "Demo data: the IBM Accounts Receivable sample (IBM Watson Analytics sample "
            f"data), cut-off {cutoff} shown as today ({today})."
        )
        self.stdout.write(
            f"Items: {imported.created} created, {imported.updated} updated, "
            f"{imported.unchanged} unchanged; {report.disputed} put in dispute."
        )
        if report.passwords:
            self.stdout.write(self.style.WARNING("Demo users (passwords shown only this once):"))
            for username, password in report.passwords.items():
                self.stdout.write(f"  {username:<10} {password}")
        if report.existing_users:
            self.stdout.write(
                "Existing demo users kept their passwords ("
                + ", ".join(report.existing_users)
                + "); reset one with: python manage.py changepassword USERNAME"
            )
