"""Background work, run as Django tasks by the worker (``manage.py db_worker``,
django-tasks-db's database backend): never in a request, never in a web process.

The daily evaluation of promises runs on the worker and schedules its own next
run (tomorrow at 00:30 in the business time zone), so that a running worker is
all it takes; ``manage.py evaluate_promises`` does the same work from cron.
"""

from __future__ import annotations

import datetime

from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone

from collections_app.services.balances import compact_item_balances
from collections_app.services.promise_evaluation import evaluate_promises

#: When the daily run starts, in the business time zone (after midnight: the
#: grace periods that ended yesterday are over).
DAILY_AT = datetime.time(0, 30)


@task()
def evaluate_promises_task(*, schedule_next: bool = True) -> dict[str, int]:
    """Evaluate the promises past their grace period and fold the items' running
    balances; then, unless told not to, make sure tomorrow's run is queued."""
    if schedule_next:
        # First: a run that fails today does not stop tomorrow's.
        schedule_daily_evaluation()
    report = evaluate_promises()
    folded = compact_item_balances()
    return {**report.as_dict(), "balance_rows_folded": folded}


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """Tomorrow at DAILY_AT, business time."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), DAILY_AT)
    )


def schedule_daily_evaluation(*, now: datetime.datetime | None = None):
    """Queue the next daily run unless one is already waiting. Returns the task
    result (the one queued, or the one found waiting)."""
    from django_tasks_db.models import DBTaskResult

    waiting = (
        DBTaskResult.objects.filter(
            task_path=evaluate_promises_task.module_path,
            status=TaskResultStatus.READY,
            # The daily run, not a one-off one queued with --enqueue.
            args_kwargs__kwargs__schedule_next=True,
        )
        .order_by("run_after")
        .first()
    )
    if waiting is not None:
        return waiting.task_result
    return evaluate_promises_task.using(run_after=next_run(now)).enqueue(schedule_next=True)
