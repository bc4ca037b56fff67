"""Whether promises were kept, and what the team does next.

A promise is *kept* when every one of its items was paid by the end of its
date plus the grace period (Preferences; business time zone, calendar days),
*partially kept* when part of the promised amount was, *broken* when nothing
was. Payments arrive through imports: each import credits what it paid to the
open promises still in their grace period and keeps at once those fully paid
(``evaluate_after_import``, called inside the import's transaction); the daily
job gives the promises past their grace period their final state
(``evaluate_promises``). A broken promise moves its items to the "broken
promise" status of Preferences and gives the collector a callback; a follow-up
whose items are all paid before it is due closes itself.

Set-based throughout: a constant number of statements whatever the number of
items or promises. Evaluating twice changes nothing the second time: only open
promises are evaluated, and each gets its final state once.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from collections_app.models import (
    Action,
    ActionType,
    ChangeCause,
    ImportChange,
    ImportChangeKind,
    ImportRun,
    OpenItem,
    PaymentPromise,
    PromiseItem,
    PromiseState,
    QuickPromisePreference,
)
from collections_app.services.follow_ups import close_actions, untouched_follow_ups_of
from collections_app.services.item_state import set_item_state

_MONEY = DecimalField(max_digits=16, decimal_places=2)
_NOTHING = Value(Decimal("0.00"), output_field=_MONEY)
# The import's own lock (services.imports): an evaluation and an import never
# run at once, so an import's payments are credited before or after, not during.
_IMPORT_LOCK_KEY = 0x0C0_11EC7


@dataclass
class EvaluationReport:
    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    callbacks: int = 0
    items_moved: int = 0
    follow_ups_closed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, other: EvaluationReport) -> None:
        for name, value in other.as_dict().items():
            setattr(self, name, getattr(self, name) + value)


def next_working_day(day: datetime.date) -> datetime.date:
    """The next day from Monday to Friday after ``day`` (public holidays are not
    known to the product: they count as working days)."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def callback_day(evaluated_on: datetime.date) -> datetime.date:
    """When the callback of a promise found broken on ``evaluated_on`` is due: the
    next working day after the promise broke (the end of its grace period, the
    day before the evaluation at night), that is the evaluation's own day when it
    is a working day, else the Monday after."""
    return next_working_day(evaluated_on - datetime.timedelta(days=1))


def last_day_in_grace(*, today: datetime.date, grace_days: int) -> datetime.date:
    """Promises dated from this day on may still be kept today; older ones are
    past their grace period (a promise for the 3rd with one day of grace may
    be paid until the end of the 4th)."""
    return today - datetime.timedelta(days=grace_days)


def _active_lines(promise=None):
    return PromiseItem.objects.filter(
        promise=promise if promise is not None else OuterRef("pk"), released_at__isnull=True
    )


def evaluate_after_import(*, run: ImportRun, at: datetime.datetime) -> EvaluationReport:
    """What an import's payments did to promises, inside the import's transaction,
    reading the run's ImportChange rows: the amounts paid are credited to the open
    promises still in their grace period; those fully paid are kept at once;
    those already past it (the daily job has not run yet) get their final state
    without these late payments; the follow-ups whose items are now all paid
    close themselves. Two reads when the file paid nothing promised."""
    moved = ImportChange.objects.filter(run=run, open_amount_before__isnull=False).exclude(
        kind=ImportChangeKind.DETAILS
    )
    moved_items = moved.values("item_id")
    report = EvaluationReport()
    # The open promises on the items the file changed: their items locked first,
    # then the promises (the order Quick Promise and Change status take them in),
    # so that an officer promising one of the items again waits for the import.
    touched_promises = PaymentPromise.objects.open().filter(
        pk__in=Subquery(
            PromiseItem.objects.filter(
                item__in=Subquery(moved_items), released_at__isnull=True
            ).values("promise_id")
        )
    )
    if _lock_items_of(touched_promises):
        touched = list(
            touched_promises.select_for_update().order_by("pk").values_list("pk", flat=True)
        )
        report.add(_credit_payments(moved=moved, promise_ids=touched, at=at))
    report.follow_ups_closed += close_paid_follow_ups(
        item_ids=Subquery(moved_items), at=at, run=run
    )
    return report


def _credit_payments(*, moved, promise_ids: list[int], at: datetime.datetime) -> EvaluationReport:
    preference = QuickPromisePreference.load()
    in_grace_from = last_day_in_grace(
        today=timezone.localdate(at), grace_days=preference.grace_days
    )
    touched = PaymentPromise.objects.filter(pk__any_of=promise_ids)
    in_grace = touched.filter(promised_date__gte=in_grace_from)
    # Paid on this run: open amount before minus after (negative for a reopened
    # item), each line kept between nothing and the amount promised.
    paid_now = Subquery(
        moved.filter(item=OuterRef("item"))
        .order_by()
        .values("item")
        .annotate(paid=Sum(F("open_amount_before") - F("open_amount_after")))
        .values("paid"),
        output_field=_MONEY,
    )
    PromiseItem.objects.filter(
        promise__in=Subquery(in_grace.values("pk")),
        item__in=Subquery(moved.values("item_id")),
        released_at__isnull=True,
    ).update(
        paid_amount=Least(
            F("amount"), Greatest(_NOTHING, F("paid_amount") + Coalesce(paid_now, _NOTHING))
        )
    )
    paid_lines = _active_lines().order_by().values("promise").annotate(total=Sum("paid_amount"))
    in_grace.update(
        paid_amount=Coalesce(
            Subquery(paid_lines.values("total"), output_field=_MONEY), F("paid_amount")
        )
    )
    report = EvaluationReport()
    report.kept = in_grace.exclude(
        Exists(_active_lines().filter(paid_amount__lt=F("amount")))
    ).update(state=PromiseState.KEPT, evaluated_at=at)
    past_grace = touched.filter(promised_date__lt=in_grace_from)
    report.add(_finalise(past_grace, at=at, preference=preference))
    return report


def evaluate_promises(*, at: datetime.datetime | None = None) -> EvaluationReport:
    """The daily job: every open promise past its grace period gets its final
    state (kept, partially kept or broken), in one transaction. Running it again
    changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK_KEY])
        preference = QuickPromisePreference.load()
        due = PaymentPromise.objects.open().filter(
            promised_date__lt=last_day_in_grace(
                today=timezone.localdate(at), grace_days=preference.grace_days
            )
        )
        return _finalise(due, at=at, preference=preference)


def _finalise(promises, *, at: datetime.datetime, preference) -> EvaluationReport:
    """Give these open promises their final state, then move the items of those
    broken and create their callbacks."""
    # Their items, then the promises, locked in primary-key order (the order of
    # Quick Promise and Change status, which lock the items first): an officer
    # superseding one of them meanwhile waits, then finds it evaluated (and
    # supersedes nothing).
    _lock_items_of(promises.filter(state=PromiseState.OPEN))
    ids = list(
        promises.filter(state=PromiseState.OPEN)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    report = EvaluationReport()
    if not ids:
        return report
    unpaid = _active_lines().filter(paid_amount__lt=F("amount"))
    PaymentPromise.objects.filter(pk__any_of=ids, state=PromiseState.OPEN).update(
        state=Case(
            When(~Exists(unpaid), then=Value(PromiseState.KEPT)),
            When(paid_amount__gt=0, then=Value(PromiseState.PARTIALLY_KEPT)),
            default=Value(PromiseState.BROKEN),
        ),
        evaluated_at=at,
    )
    counts = dict(
        PaymentPromise.objects.filter(pk__any_of=ids)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    report.kept = counts.get(PromiseState.KEPT, 0)
    report.partially_kept = counts.get(PromiseState.PARTIALLY_KEPT, 0)
    report.broken = counts.get(PromiseState.BROKEN, 0)
    if report.broken:
        broken = PaymentPromise.objects.filter(pk__any_of=ids, state=PromiseState.BROKEN)
        report.items_moved = _move_broken_items(broken, at=at, preference=preference)
        report.callbacks = _create_callbacks(broken, at=at)
        report.follow_ups_closed = _close_broken_follow_ups(broken, at=at)
    return report


def _close_broken_follow_ups(broken, *, at: datetime.datetime) -> int:
    """The follow-ups of broken promises that their status's template scheduled
    ("check the payment arrived") close themselves: it did not arrive, and the
    callback is the next step (``untouched_follow_ups_of`` says which)."""
    note = _("Closed automatically: the promise was broken, a callback replaces this follow-up.")
    return close_actions(untouched_follow_ups_of(broken), at=at, note=note)


def _lock_items_of(promises) -> int:
    """Lock the items still counting for these promises, in primary-key order;
    returns how many there are."""
    return len(
        OpenItem.objects.select_for_update()
        .filter(
            pk__in=Subquery(
                PromiseItem.objects.filter(
                    promise__in=Subquery(promises.values("pk")), released_at__isnull=True
                ).values("item_id")
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _move_broken_items(broken, *, at: datetime.datetime, preference) -> int:
    """The outstanding items of broken promises get the broken promise status,
    with their history rows (nothing moves when Preferences names none)."""
    status = preference.broken_status
    if status is None or not status.is_active:
        return 0
    items = list(
        OpenItem.objects.select_for_update()
        .filter(
            pk__in=Subquery(
                PromiseItem.objects.filter(
                    promise__in=Subquery(broken.values("pk")), released_at__isnull=True
                ).values("item_id")
            )
        )
        .exclude(open_amount=0)
        .order_by("pk")
    )
    return set_item_state(
        items=items,
        status=status,
        promise_date=None,
        user=None,
        cause=ChangeCause.PROMISE_BROKEN,
        at=at,
    )


def _create_callbacks(broken, *, at: datetime.datetime) -> int:
    """One callback per broken promise, due the next working day after it broke
    (``callback_day``), for the customer's collector (else the promise's
    author), linked to its items."""
    promises = list(broken.select_related("customer__collector", "created_by").order_by("pk"))
    due = callback_day(timezone.localdate(at))
    actions = []
    for promise in promises:
        collector = promise.customer.collector
        assignee = collector if collector is not None and collector.is_active else None
        amount = formats.number_format(promise.amount, 2, use_l10n=True, force_grouping=True)
        actions.append(
            Action(
                customer_id=promise.customer_id,
                action_type=ActionType.CALL,
                title=_("Call back: promise of %(date)s broken")
                % {"date": formats.date_format(promise.promised_date, "SHORT_DATE_FORMAT")},
                text=_(
                    "Nothing was received by the end of the grace period on the %(amount)s "
                    "%(currency)s promised for %(date)s. Call the customer and ask for a new date."
                )
                % {
                    "amount": amount,
                    "currency": promise.currency,
                    "date": formats.date_format(promise.promised_date, "SHORT_DATE_FORMAT"),
                },
                due_date=due,
                assigned_to=assignee or promise.created_by,
                created_at=at,
            )
        )
    created = Action.objects.bulk_create(actions)
    for promise, action in zip(promises, created, strict=True):
        promise.callback = action
    PaymentPromise.objects.bulk_update(promises, ["callback"])
    _link_callback_items(broken)
    return len(created)


def _link_callback_items(broken) -> None:
    """Each callback linked to its promise's items: one ``INSERT … SELECT``."""
    links = Action.items.through
    rows = (
        PromiseItem.objects.filter(
            promise__in=Subquery(broken.values("pk")), released_at__isnull=True
        )
        .order_by()
        .values_list("promise__callback_id", "item_id")
    )
    select_sql, select_params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    action_column = quote(links._meta.get_field("action").column)
    item_column = quote(links._meta.get_field("openitem").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(links._meta.db_table)} ({action_column}, {item_column}) "
            f"SELECT linked.* FROM ({select_sql}) AS linked",
            select_params,
        )


def close_paid_follow_ups(*, item_ids, at: datetime.datetime, run: ImportRun | None = None) -> int:
    """Open follow-ups on these items, not yet past due, whose items are now all
    paid, close themselves and say why in their trail. Three statements."""
    today = timezone.localdate(at)
    unpaid = OpenItem.objects.filter(actions=OuterRef("pk")).exclude(open_amount=0)
    candidates = Action.objects.open().filter(
        Q(
            pk__in=Subquery(
                Action.items.through.objects.filter(openitem__in=item_ids).values("action_id")
            )
        ),
        due_date__gte=today,
    )
    # Locked, and re-checked under the lock: an officer marking one done at the
    # same moment waits, then finds it done.
    closing = list(
        candidates.exclude(Exists(unpaid))
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "customer_id")
    )
    if not closing:
        return 0
    note = (
        _("Closed automatically: every item was paid (import “%(file)s”).")
        % {"file": run.file_name}
        if run is not None
        else _("Closed automatically: every item was paid.")
    )
    return close_actions(closing, at=at, note=note)
