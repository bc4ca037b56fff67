"""`python manage.py import_open_items FILE [--snapshot] [--skip-invalid]`."""

from __future__ import annotations

import io
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from collections_app.models import ImportRun, OpenItem
from tests.collections_app.open_items_files import csv_bytes, line
from tests.factories import CustomerFactory, OpenItemFactory
from tests.utils import database_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine")]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_open_items", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def write(tmp_path):
    def write(*lines: str, name: str = "open-items.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(*lines))
        return path

    return write


def test_prints_the_counts_of_an_applied_file(write):
    customer = CustomerFactory(code="C001", name="Acme Trading")
    OpenItemFactory(customer=customer, number="OLD", amount=Decimal("100.00"))
    path = write(
        line(number="OLD", amount="100", open_amount="0"),
        line(number="INV-1"),
        line(customer_code="C002", customer_name="Bolt", number="INV-1"),
    )
    out, err = run(str(path))
    assert out.splitlines() == [
        "rows read:  3",
        "created:    2",
        "updated:    1",
        "unchanged:  0",
        "closed:     1 (paid in full, or gone from a full export)",
        "rejected:   0",
        "new customers: 1",
        "Applied.",
    ]
    assert err == ""
    run_ = ImportRun.objects.get()
    assert (run_.file_name, run_.created, run_.snapshot) == ("open-items.csv", 2, False)


def test_refuses_a_file_with_rejected_rows_and_lists_them(write):
    before = database_state()
    path = write(line(number="A"), line(number="B", due_date="31/02/2026"), line(number="A"))
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 rejected row") as raised:
        call_command("import_open_items", str(path), stdout=out, stderr=err)
    assert "nothing was changed" in str(raised.value)
    assert "--skip-invalid" in str(raised.value)
    assert err.getvalue().splitlines() == [
        "  line 3: due_date “31/02/2026” is not a date in YYYY-MM-DD form",
        "  line 4: item A of customer C001 is already on line 2",
    ]
    assert "rows read:  3" in out.getvalue()
    assert "Applied." not in out.getvalue()
    assert database_state() == before


def test_skip_invalid_applies_the_valid_rows_and_still_lists_the_rejected(write):
    path = write(line(number="A"), line(number="B", currency="EURO"))
    out, err = run(str(path), "--skip-invalid")
    assert "created:    1" in out
    assert "rejected:   1" in out
    assert "Applied." in out
    assert err == "  line 3: currency “EURO” is not a three-letter ISO code\n"
    assert list(OpenItem.objects.values_list("number", flat=True)) == ["A"]


def test_lists_fifty_rejections_then_only_their_count(write):
    path = write(*(line(number=f"N{n}", amount="x") for n in range(53)))
    err = io.StringIO()
    with pytest.raises(CommandError, match="53 rejected row"):
        call_command("import_open_items", str(path), stdout=io.StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 51
    assert lines[0].startswith("  line 2: amount “x”")
    assert lines[49].startswith("  line 51: ")
    assert lines[50] == "  … and 3 more"


def test_snapshot_option_closes_unlisted_items(write):
    gone = OpenItemFactory(amount=Decimal("100.00"))
    out, _err = run(str(write(line())), "--snapshot")
    assert "closed:     1" in out
    gone.refresh_from_db()
    assert gone.open_amount == 0
    assert ImportRun.objects.get().snapshot is True


def test_refuses_an_unreadable_file_whole(tmp_path):
    OpenItemFactory()
    before = database_state()
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes(line()).replace(b",", b";"))
    with pytest.raises(CommandError) as raised:
        run(str(path))
    message = str(raised.value)
    assert message.startswith(f"{path}: rejected as a whole, nothing was changed.")
    assert "separated by semicolons" in message
    assert database_state() == before


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.csv: no such file\."):
        run(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path))


def test_reads_standard_input(monkeypatch):
    data = csv_bytes(line(number="FROM-STDIN"))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out, _err = run("-")
    assert "created:    1" in out
    assert OpenItem.objects.get().number == "FROM-STDIN"
    assert ImportRun.objects.get().file_name == "<stdin>"


def test_refuses_rejected_rows_from_standard_input(monkeypatch):
    data = csv_bytes(line(amount="0", open_amount="0"))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    with pytest.raises(CommandError, match="nothing was changed"):
        run("-")
    assert not OpenItem.objects.exists()
