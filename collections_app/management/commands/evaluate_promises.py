from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from collections_app.services.balances import compact_item_balances
from collections_app.services.promise_evaluation import evaluate_promises
from collections_app.tasks import evaluate_promises_task, schedule_daily_evaluation


class Command(BaseCommand):
    help = (
        "Evaluate the open promises past their grace period (kept, partially kept or "
        "broken), move the items of broken ones and create their callbacks. Safe to run "
        "more than once: a second run changes nothing. For cron, daily after midnight; "
        "or --enqueue / --schedule to leave it to the task worker (manage.py db_worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue one evaluation now for the worker instead of running it here.",
        )
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily evaluation on the worker (tomorrow 00:30, then every day).",
        )

    def handle(self, *args, enqueue: bool, schedule: bool, **options) -> None:
        if enqueue:
            result = evaluate_promises_task.using().enqueue(schedule_next=False)
            self.stdout.write(f"Evaluation queued for the worker (task {result.id}).")
            return
        if schedule:
            result = schedule_daily_evaluation()
            when = timezone.localtime(result.task.run_after)
            self.stdout.write(
                f"Daily evaluation queued for the worker, next run {when:%Y-%m-%d %H:%M} "
                f"(task {result.id})."
            )
            return
        report = evaluate_promises()
        folded = compact_item_balances()
        self.stdout.write(
            f"Promises evaluated: {report.kept} kept, {report.partially_kept} partially kept, "
            f"{report.broken} broken; {report.items_moved} items moved to the broken promise "
            f"status, {report.callbacks} callbacks created, {report.follow_ups_closed} "
            f"follow-ups of broken promises closed; {folded} rows of the items' balances "
            "folded."
        )
