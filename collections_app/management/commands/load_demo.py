from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from collections_app.demo import DEFAULT_CUTOFF, DemoError, load_demo
from collections_app.demo_replay import LAST_SAMPLE_DAY, advance_demo

FIRST_SAMPLE_DAY = datetime.date(2012, 1, 3)


class Command(BaseCommand):
    help = (
        "Load the demo ledger: the public IBM Accounts Receivable sample with its dates "
        "moved so that the cut-off day is today, starter statuses and templates, a "
        "configured Quick Promise and demo users (passwords printed once, at creation). "
        "With --advance N or --date, the time machine: the sample's real settlements "
        "replayed day by day, so that the promises made in the demo are kept or broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cutoff",
            type=datetime.date.fromisoformat,
            default=None,
            help=(
                f"The day of the sample that becomes today (default {DEFAULT_CUTOFF}, or the "
                "day the time machine reached)."
            ),
        )
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            "--advance",
            type=int,
            metavar="DAYS",
            help="Replay this many more days of the sample (its payments, its new invoices).",
        )
        when.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Replay the sample up to this day of the sample (which becomes today).",
        )

    def handle(self, *args, cutoff, advance, date, **options) -> None:
        if cutoff is not None and not FIRST_SAMPLE_DAY <= cutoff <= LAST_SAMPLE_DAY:
            raise CommandError("The cut-off must be within the sample: 2012-01-03 … 2013-12-31.")
        if advance is not None and not 0 <= advance <= 366:
            raise CommandError("--advance takes a number of days from 0 to 366.")
        today = timezone.localdate()
        try:
            report = load_demo(cutoff=cutoff, today=today)
            replay = (
                advance_demo(days=advance, to=date, today=today)
                if advance is not None or date is not None
                else None
            )
        except DemoError as error:
            raise CommandError(str(error)) from error
        imported = report.import_report
        self.stdout.write(
            "Demo data: the IBM Accounts Receivable sample (IBM Watson Analytics sample "
            f"data), cut-off {report.cutoff} shown as today ({today})."
        )
        self.stdout.write(
            f"Items: {imported.created} created, {imported.updated} updated, "
            f"{imported.unchanged} unchanged; {report.disputed} put in dispute."
        )
        if replay is not None:
            self._replay(replay)
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

    def _replay(self, replay) -> None:
        for day in replay.days:
            p = day.promises
            self.stdout.write(
                f"  {day.cutoff}: {day.paid} paid, {day.new_items} new; promises "
                f"{p.kept} kept, {p.partially_kept} partially kept, {p.broken} broken; "
                f"{p.follow_ups_closed} follow-ups closed, {p.callbacks} callbacks"
            )
        total = replay.totals
        self.stdout.write(
            f"Time machine: from the sample's {replay.start} to {replay.end}, now today. "
            f"Promises: {total.kept} kept, {total.partially_kept} partially kept, "
            f"{total.broken} broken."
        )
