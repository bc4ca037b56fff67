"""The daily evaluation as a Django task on the database backend, its worker,
and the management command for cron."""

from __future__ import annotations

import datetime
import io
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import task_backends
from django.tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from collections_app.models import OpenItem, PaymentPromise, PromiseState
from collections_app.services import apply_quick_promise
from collections_app.tasks import evaluate_promises_task, next_run, schedule_daily_evaluation
from tests.factories import CustomerFactory, OpenItemFactory, configure_quick_promise

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
PROMISED_AT = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=PARIS)
AFTER_GRACE = datetime.datetime(2026, 12, 6, 1, 0, tzinfo=PARIS)


@pytest.fixture
def promise(officer):
    customer = CustomerFactory()
    item = OpenItemFactory(customer=customer)
    configure_quick_promise(delay_days=1)
    with time_machine.travel(PROMISED_AT, tick=False):
        return apply_quick_promise(customer=customer, item_ids=[item.pk], user=officer).promises[0]


def _state(promise) -> str:
    return PaymentPromise.objects.get(pk=promise.pk).state


def test_the_backend_is_the_database():
    assert isinstance(task_backends["default"], DatabaseBackend)


def test_the_task_function_evaluates(promise):
    with time_machine.travel(AFTER_GRACE, tick=False):
        result = evaluate_promises_task.call(schedule_next=False)
    assert result["broken"] == 1
    assert _state(promise) == PromiseState.BROKEN
    assert not DBTaskResult.objects.exists()


def test_the_task_schedules_the_next_day_once(promise):
    with time_machine.travel(AFTER_GRACE, tick=False):
        evaluate_promises_task.call()
        evaluate_promises_task.call()
    waiting = DBTaskResult.objects.get()
    assert waiting.status == TaskResultStatus.READY
    assert waiting.run_after == datetime.datetime(2026, 12, 7, 0, 30, tzinfo=PARIS)


def test_next_run_is_tomorrow_after_midnight_in_paris():
    # 23:30 UTC on the 5th is already the 6th in Paris.
    moment = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)
    assert next_run(moment) == datetime.datetime(2026, 12, 7, 0, 30, tzinfo=PARIS)


@pytest.mark.django_db(transaction=True)
def test_enqueued_on_the_database_and_run_by_the_worker(promise):
    # Committed for real: the worker closes its connection between tasks, as a
    # separate process would have its own.
    with time_machine.travel(AFTER_GRACE, tick=True):
        result = evaluate_promises_task.enqueue(schedule_next=False)
        stored = DBTaskResult.objects.get(id=result.id)
        assert stored.status == TaskResultStatus.READY
        assert _state(promise) == PromiseState.OPEN
        call_command("db_worker", batch=True, interval=0, startup_delay=False, stdout=io.StringIO())
    stored.refresh_from_db()
    assert stored.status == TaskResultStatus.SUCCESSFUL
    assert stored.return_value["broken"] == 1
    assert _state(promise) == PromiseState.BROKEN


def test_command_evaluates_and_says_what_it_did(promise):
    out = io.StringIO()
    with time_machine.travel(AFTER_GRACE, tick=False):
        call_command("evaluate_promises", stdout=out)
    assert "0 kept, 0 partially kept, 1 broken" in out.getvalue()
    assert _state(promise) == PromiseState.BROKEN
    # Run again (cron twice): nothing more.
    out = io.StringIO()
    with time_machine.travel(AFTER_GRACE, tick=False):
        call_command("evaluate_promises", stdout=out)
    assert "0 kept, 0 partially kept, 0 broken" in out.getvalue()


def test_command_can_leave_the_work_to_the_worker(promise):
    out = io.StringIO()
    call_command("evaluate_promises", "--enqueue", stdout=out)
    assert "queued for the worker" in out.getvalue()
    assert DBTaskResult.objects.get().args_kwargs["kwargs"] == {"schedule_next": False}
    assert _state(promise) == PromiseState.OPEN


def test_command_schedules_the_daily_run_once():
    with time_machine.travel(PROMISED_AT, tick=False):
        call_command("evaluate_promises", "--schedule", stdout=io.StringIO())
        out = io.StringIO()
        call_command("evaluate_promises", "--schedule", stdout=out)
    assert "next run 2026-12-04 00:30" in out.getvalue()
    assert DBTaskResult.objects.count() == 1
    assert schedule_daily_evaluation().id == str(DBTaskResult.objects.get().id)


def test_a_one_off_run_waiting_is_not_taken_for_the_daily_one():
    with time_machine.travel(PROMISED_AT, tick=False):
        call_command("evaluate_promises", "--enqueue", stdout=io.StringIO())
        out = io.StringIO()
        call_command("evaluate_promises", "--schedule", stdout=out)
    assert "next run 2026-12-04 00:30" in out.getvalue()
    waiting = DBTaskResult.objects.all()
    assert sorted(task.args_kwargs["kwargs"]["schedule_next"] for task in waiting) == [False, True]


def test_a_failing_run_still_queues_tomorrows(promise):
    with (
        time_machine.travel(AFTER_GRACE, tick=False),
        mock.patch("collections_app.tasks.evaluate_promises", side_effect=RuntimeError("down")),
        pytest.raises(RuntimeError),
    ):
        evaluate_promises_task.call()
    (waiting,) = DBTaskResult.objects.all()
    assert waiting.status == TaskResultStatus.READY
    assert waiting.args_kwargs["kwargs"] == {"schedule_next": True}


def test_items_stay_unchanged_when_nothing_is_due(promise):
    with time_machine.travel(PROMISED_AT, tick=False):
        assert evaluate_promises_task.call(schedule_next=False)["broken"] == 0
    assert OpenItem.objects.get().promise_date == datetime.date(2026, 12, 4)
