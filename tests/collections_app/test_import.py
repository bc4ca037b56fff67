"""Reading the open-items file: every row checked, the file refused whole when
it cannot be read. What applying a file does is in test_import_apply.py."""

from __future__ import annotations

import codecs
import datetime
import io
from decimal import Decimal

import pytest

from collections_app.services.imports import (
    MAX_LINE_CHARS,
    ImportFileError,
    Rejection,
    check_open_items,
    import_open_items,
)
from tests.collections_app.open_items_files import HEADER, csv_bytes, csv_file, line
from tests.factories import CustomerFactory, OpenItemFactory
from tests.utils import database_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("engine")]

VALID = line(number="OK-1")


def rejections(bad_line: str) -> list[Rejection]:
    """The rejections of a file whose line 2 is valid and line 3 is ``bad_line``."""
    rows, rejected, read = check_open_items(csv_file(VALID, bad_line))
    assert read == 2
    assert [row.line for row in rows] == [2]
    return rejected


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"customer_code": ""}, "customer_code is empty"),
        ({"customer_name": ""}, "customer_name is empty"),
        ({"document_type": ""}, "document_type is empty"),
        ({"number": ""}, "number is empty"),
        ({"number": "   "}, "number is empty"),
        ({"customer_code": "C" * 33}, "customer_code is longer than 32 characters"),
        ({"customer_name": "N" * 201}, "customer_name is longer than 200 characters"),
        ({"number": "9" * 51}, "number is longer than 50 characters"),
        (
            {"document_type": "bill"},
            "document_type “bill” is not one of: invoice, debit_note, credit_note, payment, other",
        ),
        (
            {"document_date": "31/02/2026"},
            "document_date “31/02/2026” is not a date in YYYY-MM-DD form",
        ),
        ({"due_date": "2026-2-4"}, "due_date “2026-2-4” is not a date in YYYY-MM-DD form"),
        ({"due_date": ""}, "due_date “” is not a date in YYYY-MM-DD form"),
        ({"document_date": "2026-02-31"}, "document_date “2026-02-31” is not a real date"),
        (
            {"due_date": "1899-12-31"},
            "due_date “1899-12-31” is out of range (1900–2199): a typing error?",
        ),
        (
            {"document_date": "2200-01-01"},
            "document_date “2200-01-01” is out of range (1900–2199): a typing error?",
        ),
        ({"due_date": "2026-13-01"}, "due_date “2026-13-01” is not a real date"),
        # Digits of another script are not ISO digits.
        (
            {"document_date": "２０２６-01-05"},
            "document_date “２０２６-01-05” is not a date in YYYY-MM-DD form",
        ),
        (
            {"amount": '"12,50"', "open_amount": "12.50"},
            "amount “12,50” is not an amount with at most 2 decimals (use a dot for decimals, "
            "no thousands separator)",
        ),
        (
            {"amount": '"1 200.00"', "open_amount": "1200.00"},
            "amount “1 200.00” is not an amount with at most 2 decimals (use a dot",
        ),
        (
            {"amount": "12.505", "open_amount": "12.50"},
            "amount “12.505” is not an amount with at most 2 decimals",
        ),
        ({"open_amount": "abc"}, "open_amount “abc” is not an amount with at most 2 decimals"),
        ({"amount": ""}, "amount “” is not an amount with at most 2 decimals"),
        (
            {"amount": "١٢٣", "open_amount": "١٢٣"},
            "amount “١٢٣” is not an amount with at most 2 decimals",
        ),
        (
            {"amount": "1e3", "open_amount": "1e3"},
            "amount “1e3” is not an amount with at most 2 decimals",
        ),
        ({"amount": "0", "open_amount": "0"}, "amount is zero"),
        ({"amount": "0.00", "open_amount": "0"}, "amount is zero"),
        (
            {"amount": "100.00", "open_amount": "150.00"},
            "open_amount 150.00 does not fit amount 100.00 (same sign, not larger)",
        ),
        (
            {"amount": "100.00", "open_amount": "-50.00"},
            "open_amount -50.00 does not fit amount 100.00",
        ),
        (
            {"document_type": "credit_note", "amount": "-100.00", "open_amount": "-150.00"},
            "open_amount -150.00 does not fit amount -100.00",
        ),
        (
            {"amount": "-100.00", "open_amount": "-100.00"},
            "amount -100.00 is negative: a “Invoice” must have a positive amount",
        ),
        (
            {"document_type": "debit_note", "amount": "-5.00", "open_amount": "-5.00"},
            "amount -5.00 is negative: a “Debit note” must have a positive amount",
        ),
        (
            {"document_type": "credit_note", "amount": "150.00", "open_amount": "150.00"},
            "amount 150.00 is positive: a “Credit note” must have a negative amount",
        ),
        (
            {"document_type": "payment", "amount": "150.00", "open_amount": "150.00"},
            "amount 150.00 is positive: a “Payment” must have a negative amount",
        ),
        ({"currency": "EURO"}, "currency “EURO” is not a three-letter ISO code"),
        ({"currency": "E1R"}, "currency “E1R” is not a three-letter ISO code"),
        ({"currency": ""}, "currency “” is not a three-letter ISO code"),
        # "ß".upper() is "SS": two letters must not become a currency.
        ({"currency": "ßx"}, "currency “ßx” is not a three-letter ISO code"),
    ],
)
def test_rejects_a_bad_row_with_its_line_number_and_reason(values, reason):
    rejected = rejections(line(**values))
    assert len(rejected) == 1
    assert rejected[0].line == 3
    assert reason in rejected[0].reason


def test_lists_every_problem_of_a_row_in_one_reason():
    rejected = rejections(line(customer_name="", due_date="2026-02-30", currency="euro"))
    assert rejected == [
        Rejection(
            3,
            "customer_name is empty; due_date “2026-02-30” is not a real date; "
            "currency “euro” is not a three-letter ISO code",
        )
    ]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        # 12,50 unquoted: the comma splits the amount in two fields.
        (
            "C001,Acme Trading,invoice,INV-9,2026-01-05,2026-02-04,12,50,12.50,EUR",
            "10 fields instead of 9 (a comma inside an unquoted value, a comma as decimal "
            "separator, or a truncated line)",
        ),
        ("C001,Acme Trading,invoice", "3 fields instead of 9"),
    ],
    ids=["comma-decimal", "truncated-line"],
)
def test_rejects_a_row_with_the_wrong_number_of_fields(bad_line, reason):
    rejected = rejections(bad_line)
    assert len(rejected) == 1
    assert rejected[0].line == 3
    assert rejected[0].reason.startswith(reason)


def test_rejects_the_second_row_of_an_item_naming_the_first_line():
    rows, rejected, read = check_open_items(
        csv_file(
            line(number="A-1"),
            line(number="B-1"),
            line(number="A-1", amount="5.00", open_amount="5.00"),
        )
    )
    assert read == 3
    assert [row.number for row in rows] == ["A-1", "B-1"]
    assert rows[0].amount == Decimal("1200.00")
    assert rejected == [Rejection(4, "item A-1 of customer C001 is already on line 2")]


def test_same_number_for_two_customers_is_two_items():
    rows, rejected, _read = check_open_items(
        csv_file(line(customer_code="C1"), line(customer_code="C2"))
    )
    assert rejected == []
    assert [(row.customer_code, row.number) for row in rows] == [("C1", "INV-1"), ("C2", "INV-1")]


def test_rejects_a_customer_code_with_a_second_name():
    _rows, rejected, _read = check_open_items(
        csv_file(
            line(number="1", customer_name="Acme Trading"),
            line(number="2", customer_name="Acme Trading"),
            line(number="3", customer_name="Acme Trading Ltd"),
        )
    )
    assert rejected == [
        Rejection(4, "customer C001 is named “Acme Trading” on line 2 and “Acme Trading Ltd” here")
    ]


def test_line_numbers_count_blank_lines_and_the_header():
    _rows, rejected, read = check_open_items(
        io.BytesIO(csv_bytes("", VALID, "   ", "", line(number="X", amount="zero")))
    )
    assert read == 2
    assert [rejection.line for rejection in rejected] == [6]


def test_line_numbers_follow_crlf_line_endings():
    data = csv_bytes(VALID, line(number="X", currency="XX")).replace(b"\n", b"\r\n")
    _rows, rejected, _read = check_open_items(io.BytesIO(data))
    assert [rejection.line for rejection in rejected] == [3]


def test_reads_a_valid_row_with_its_values():
    rows, rejected, read = check_open_items(
        csv_file(
            line(
                customer_code=" C001 ",
                number='"0000611365"',
                document_type="Credit note",
                amount="-12.5",
                open_amount="-2",
                currency="eur",
            )
        )
    )
    assert (rejected, read) == ([], 1)
    row = rows[0]
    assert row.line == 2
    assert row.customer_code == "C001"
    assert row.number == "0000611365"
    assert row.document_type == "credit_note"
    assert row.document_date == datetime.date(2026, 1, 5)
    assert row.due_date == datetime.date(2026, 2, 4)
    assert row.amount == Decimal("-12.5")
    assert row.open_amount == Decimal("-2")
    assert row.currency == "EUR"


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("invoice", "invoice"),
        ("Invoice", "invoice"),
        ("Debit note", "debit_note"),
        ("debit_note", "debit_note"),
        ("Credit note", "credit_note"),
        ("credit note", "credit_note"),
        ("credit_note", "credit_note"),
        ("CREDIT_NOTE", "credit_note"),
        ("Payment", "payment"),
        ("other", "other"),
    ],
)
def test_accepts_document_types_in_usual_forms(written, stored):
    sign = "-" if stored in ("credit_note", "payment") else ""
    rows, rejected, _read = check_open_items(
        csv_file(line(document_type=written, amount=f"{sign}10.00", open_amount=f"{sign}10.00"))
    )
    assert rejected == []
    assert rows[0].document_type == stored


def test_accepts_fields_at_their_longest():
    rows, rejected, _read = check_open_items(
        csv_file(line(customer_code="C" * 32, customer_name="N" * 200, number="9" * 50))
    )
    assert rejected == []
    assert len(rows[0].number) == 50


def test_accepts_the_largest_amount_and_a_closed_item():
    rows, rejected, _read = check_open_items(
        csv_file(line(amount="999999999999.99", open_amount="0"))
    )
    assert rejected == []
    assert rows[0].amount == Decimal("999999999999.99")
    assert rows[0].open_amount == 0


def test_accepts_a_line_of_exactly_the_longest_length():
    short = line(customer_name="")
    full = line(customer_name="N" * (MAX_LINE_CHARS - len(short)))
    assert len(full) == MAX_LINE_CHARS
    for ending in (b"\n", b"\r\n"):
        data = (HEADER + "\n" + full).encode() + ending
        _rows, rejected, read = check_open_items(io.BytesIO(data))
        assert read == 1
        # Refused for its too-long name, but read: the line itself is allowed.
        assert [rejection.reason for rejection in rejected] == [
            "customer_name is longer than 200 characters"
        ]


class _CountingStream(io.RawIOBase):
    """``size`` bytes of ``x`` without a line break, counting what is read."""

    def __init__(self, size: int):
        self.left = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.left)
        buffer[:size] = b"x" * size
        self.left -= size
        self.read_bytes += size
        return size


def test_refuses_a_file_without_line_breaks_without_reading_it_whole():
    stream = _CountingStream(20_000_000)
    with pytest.raises(ImportFileError, match="Line 1 is longer than 4096 characters"):
        check_open_items(io.BufferedReader(stream))
    assert stream.read_bytes < 100_000


FILE_REJECTIONS = {
    "empty": (b"", "The file is empty: it has no header line."),
    "header-only": (csv_bytes(), "The file has a header but no rows."),
    "header-and-blank-lines": (csv_bytes("", " ", ""), "The file has a header but no rows."),
    "missing-column": (
        csv_bytes("C001,Acme,invoice,1,2026-01-05,2026-02-04,10,10", header=HEADER[:-9]),
        "missing columns: currency",
    ),
    "unknown-column": (
        csv_bytes(line() + ",x", header=HEADER + ",vat"),
        "unknown columns: vat",
    ),
    "renamed-column": (
        csv_bytes(line(), header=HEADER.replace("open_amount", "balance")),
        "missing columns: open_amount; unknown columns: balance",
    ),
    "repeated-column": (
        csv_bytes(line() + ",EUR", header=HEADER + ",currency"),
        "repeated columns: currency",
    ),
    "semicolons": (
        csv_bytes(line().replace(",", ";"), header=HEADER.replace(",", ";")),
        "The file is separated by semicolons",
    ),
    "utf-8-bom": (codecs.BOM_UTF8 + csv_bytes(line()), "byte-order mark"),
    "latin-1": (
        csv_bytes(line(customer_name="Société Générale")).decode().encode("latin-1"),
        "The file is not UTF-8 text (line 2)",
    ),
    "utf-16": (csv_bytes(line()).decode().encode("utf-16"), "The file is not UTF-8 text"),
    "nul-character": (
        csv_bytes(line(customer_name="Acme\x00Trading")),
        "Line 2 contains a NUL character",
    ),
    "long-line": (
        csv_bytes(VALID, line(customer_name="N" * MAX_LINE_CHARS)),
        f"Line 3 is longer than {MAX_LINE_CHARS} characters",
    ),
    "unterminated-quote-at-end": (
        csv_bytes(VALID) + b'C002,"Acme Tra',
        "Line 3 cannot be read as CSV (unexpected end of data): the file may be truncated",
    ),
    "unterminated-quote-in-header": (
        b'"customer_code,customer_name',
        "The header line cannot be read as CSV",
    ),
}


@pytest.mark.parametrize(("data", "message"), FILE_REJECTIONS.values(), ids=list(FILE_REJECTIONS))
def test_refuses_an_unreadable_file_whole_and_changes_nothing(data, message):
    customer = CustomerFactory(code="C001", name="Acme Trading")
    OpenItemFactory(customer=customer, number="INV-1", open_amount=Decimal("100.00"))
    before = database_state()
    with pytest.raises(ImportFileError) as raised:
        import_open_items(stream=io.BytesIO(data), file_name="bad.csv")
    assert message in str(raised.value)
    assert database_state() == before


def test_header_names_are_read_without_case_and_spaces():
    header = ", ".join(name.upper() for name in HEADER.split(","))
    rows, rejected, _read = check_open_items(csv_file(line(), header=header))
    assert rejected == []
    assert rows[0].customer_name == "Acme Trading"


def test_reads_columns_in_another_order():
    columns = tuple(reversed(HEADER.split(",")))
    rows, rejected, _read = check_open_items(
        csv_file(
            line(columns, number="R-1", amount="10.00", open_amount="4.00"),
            header=",".join(columns),
        )
    )
    assert rejected == []
    assert (rows[0].number, rows[0].amount, rows[0].open_amount) == (
        "R-1",
        Decimal("10.00"),
        Decimal("4.00"),
    )
