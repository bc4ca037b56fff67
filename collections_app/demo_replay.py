"""The demo's time machine: the IBM sample's real settlements replayed day by
day, so that the promises made in the demo are kept or broken by the customers'
real payment behaviour.

The demo's cut-off day is today. Advancing N days first moves every date of
the ledger N days back (``demo_shift``), so that the demo's day falls N days
ago; then each day in turn, dated on its own date, imports the sample's open
items at that day through the normal import (the invoices settled that day
arrive as payments, which evaluate their promises and close the follow-ups paid
in time; the invoices issued that day arrive as new items) and runs the daily
evaluation of promises. The last day replayed is today. The demo clock
(``DemoClock``) remembers which day of the sample is which real day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from collections_app.demo import (
    SAMPLE,
    DemoError,
    import_sample,
    read_sample,
    share_and_dispute,
)
from collections_app.demo_shift import shift_ledger
from collections_app.models import DemoClock, ItemStatus
from collections_app.services.promise_evaluation import EvaluationReport, evaluate_promises

#: The last day of the sample: no settlement is known after it.
LAST_SAMPLE_DAY = datetime.date(2013, 12, 31)


@dataclass(frozen=True)
class DemoDay:
    """What one replayed day brought."""

    cutoff: datetime.date
    new_items: int
    paid: int
    promises: EvaluationReport


@dataclass
class ReplayReport:
    start: datetime.date
    end: datetime.date
    days: list[DemoDay] = field(default_factory=list)

    @property
    def totals(self) -> EvaluationReport:
        total = EvaluationReport()
        for day in self.days:
            total.add(day.promises)
        return total


def advance_demo(
    *,
    days: int | None = None,
    to: datetime.date | None = None,
    today: datetime.date | None = None,
    sample: Path = SAMPLE,
) -> ReplayReport:
    """Move the demo ``days`` days on (or to the sample's day ``to``), one day at
    a time, each day in its own transaction. Refuses, changing nothing, before
    the demo is loaded, backwards, or past the end of the sample."""
    today = today or timezone.localdate()
    clock = DemoClock.objects.filter(pk=DemoClock.SINGLETON_PK).first()
    if clock is None:
        raise DemoError("The demo is not loaded yet: run load_demo first.")
    if (days is None) == (to is None):
        raise DemoError("Say how far to go: a number of days or a day of the sample.")
    target = to if to is not None else clock.cutoff + datetime.timedelta(days=days)
    if target < clock.cutoff:
        raise DemoError(
            f"The demo is at the sample's {clock.cutoff}: it cannot go back to {target}."
        )
    if target > LAST_SAMPLE_DAY:
        raise DemoError(f"The sample ends on {LAST_SAMPLE_DAY}: it cannot go on to {target}.")
    invoices = read_sample(sample)
    user_model = get_user_model()
    users = {user.username: user for user in user_model.objects.filter(username__in=_NAMES)}
    dispute = ItemStatus.objects.filter(label="In dispute").first()
    report = ReplayReport(start=clock.cutoff, end=target)
    cutoff = clock.cutoff
    steps = (target - cutoff).days
    now = timezone.now()
    with transaction.atomic():
        # The ledger lined up so that the sample's day the demo is at falls
        # ``steps`` days before today: each day replayed then happens on its own
        # date, and what it does is dated so (a callback due the next working day
        # after that day, the promise date in its title), with no further move.
        shift_ledger(days=(today - clock.aligned_on).days - steps)
        day = today - datetime.timedelta(days=steps)
        DemoClock.objects.filter(pk=DemoClock.SINGLETON_PK).update(cutoff=cutoff, aligned_on=day)
    while True:
        with transaction.atomic():
            if cutoff < target:
                cutoff += datetime.timedelta(days=1)
                day += datetime.timedelta(days=1)
            # This day's moment: now, that many days ago.
            at = now - (today - day)
            imported = import_sample(invoices, cutoff=cutoff, today=day, sample=sample, at=at)
            if dispute is not None and len(users) == len(_NAMES):
                share_and_dispute(invoices, users=users, dispute=dispute, at=at)
            evaluated = evaluate_promises(at=at)
            promises = imported.promises
            promises.add(evaluated)
            DemoClock.objects.filter(pk=DemoClock.SINGLETON_PK).update(
                cutoff=cutoff, aligned_on=day
            )
            report.days.append(
                DemoDay(
                    cutoff=cutoff,
                    new_items=imported.created,
                    paid=imported.closed,
                    promises=promises,
                )
            )
        if cutoff >= target:
            return report


_NAMES = ("admin", "officer", "officer2")
