"""Reading the standard open-items file exported each morning by the ERP.

The file is CSV, UTF-8, comma-separated, with the columns of ``COLUMNS`` (ISO
dates, ``.`` decimals). ``read_open_items`` checks every row and refuses the
file whole (``ImportFileError``) when it cannot be read; it writes nothing.
Applying a file is ``collections_app.services.imports``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.utils.translation import gettext as _

from collections_app.models import CREDIT_DOCUMENT_TYPES, DocumentType

COLUMNS = (
    "customer_code",
    "customer_name",
    "document_type",
    "number",
    "document_date",
    "due_date",
    "amount",
    "open_amount",
    "currency",
)
#: Dates accepted: anything else in an open-items file is a typing error.
FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2199, 12, 31)
#: Longest line accepted: a real line is well under 1 kB.
MAX_LINE_CHARS = 4_096
# ASCII only: ``\d`` would also accept other scripts' digits ("١٢٣"), which
# Decimal() reads as a number, and str.upper() turns "ßx" into "SSX".
_AMOUNT = re.compile(r"-?\d{1,12}(\.\d{1,2})?", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_CURRENCY = re.compile(r"[A-Za-z]{3}", re.ASCII)
_DOCUMENT_TYPES = {
    **{choice.value: choice for choice in DocumentType},
    **{str(choice.label).lower(): choice for choice in DocumentType},
    "debit note": DocumentType.DEBIT_NOTE,
    "credit note": DocumentType.CREDIT_NOTE,
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing was changed."""


@dataclass(frozen=True)
class Row:
    line: int
    customer_code: str
    customer_name: str
    document_type: str
    number: str
    document_date: datetime.date
    due_date: datetime.date
    amount: Decimal
    open_amount: Decimal
    currency: str


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


def _decoded_lines(stream: BinaryIO) -> Iterator[str]:
    """The file's text, refusing anything but UTF-8 without a byte-order mark."""
    head = stream.read(3)
    if head == codecs.BOM_UTF8:
        raise ImportFileError(
            _(
                "The file starts with a byte-order mark (UTF-8 with BOM, as some spreadsheets "
                "save it): save it as plain UTF-8 CSV and load it again."
            )
        )
    # Undecodable bytes are kept as surrogates and refused line by line, so the
    # message names the line they are on (a decoding error would be raised for a
    # whole 8 kB chunk, lines before the faulty one).
    text = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(head, stream)),
        encoding="utf-8",
        errors="surrogateescape",
        newline="",
    )
    line_number = 0
    # A bounded read: a file without line breaks (a binary, a JSON export…) is
    # refused after MAX_LINE_CHARS characters, not after loading it whole.
    while line := text.readline(MAX_LINE_CHARS + 3):
        line_number += 1
        if len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            raise ImportFileError(
                _(
                    "Line %(line)d is longer than %(max)d characters: this is not an "
                    "open-items file."
                )
                % {"line": line_number, "max": MAX_LINE_CHARS}
            )
        try:
            line.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ImportFileError(
                _(
                    "The file is not UTF-8 text (line %(line)d): export it from the ERP as "
                    "UTF-8 and load it again."
                )
                % {"line": line_number}
            ) from error
        if "\x00" in line:
            # PostgreSQL cannot store NUL characters; they mean a binary or UTF-16
            # file anyway.
            raise ImportFileError(
                _(
                    "Line %(line)d contains a NUL character: this is not a UTF-8 text "
                    "file (UTF-16 or a spreadsheet?). Export it as UTF-8 CSV."
                )
                % {"line": line_number}
            )
        yield line


class _Prefixed(io.RawIOBase):
    """A binary stream with bytes already read put back in front."""

    def __init__(self, prefix: bytes, stream: BinaryIO):
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _read_header(reader: Iterator[list[str]]) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty: it has no header line.")) from None
    except csv.Error as error:
        raise ImportFileError(
            _("The header line cannot be read as CSV (%(error)s).") % {"error": error}
        ) from error
    names = [name.strip().lower() for name in header]
    if len(names) == 1 and ";" in names[0]:
        raise ImportFileError(
            _(
                "The file is separated by semicolons; the standard open-items file uses commas "
                "(and a dot for decimals). Export it again as standard CSV."
            )
        )
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if duplicated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(duplicated)})
    if problems:
        raise ImportFileError(
            _(
                "The header line is not the standard open-items header (%(problems)s). "
                "Expected: %(columns)s."
            )
            % {"problems": "; ".join(problems), "columns": ",".join(COLUMNS)}
        )
    # The columns may come in any order: rows are read by name.
    return names


def _parse_date(name: str, value: str, errors: list[str]) -> datetime.date | None:
    if not _ISO_DATE.fullmatch(value):
        errors.append(
            _("%(column)s “%(value)s” is not a date in YYYY-MM-DD form")
            % {"column": name, "value": value}
        )
        return None
    try:
        date = datetime.date.fromisoformat(value)
    except ValueError:
        errors.append(
            _("%(column)s “%(value)s” is not a real date") % {"column": name, "value": value}
        )
        return None
    if not FIRST_DATE <= date <= LAST_DATE:
        errors.append(
            _("%(column)s “%(value)s” is out of range (%(first)d–%(last)d): a typing error?")
            % {"column": name, "value": value, "first": FIRST_DATE.year, "last": LAST_DATE.year}
        )
        return None
    return date


def _parse_amount(name: str, value: str, errors: list[str]) -> Decimal | None:
    if not _AMOUNT.fullmatch(value):
        hint = (
            _(" (use a dot for decimals, no thousands separator)")
            if "," in value or " " in value
            else ""
        )
        errors.append(
            _("%(column)s “%(value)s” is not an amount with at most 2 decimals%(hint)s")
            % {"column": name, "value": value, "hint": hint}
        )
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        errors.append(
            _("%(column)s “%(value)s” is not an amount") % {"column": name, "value": value}
        )
        return None


def _parse_row(line: int, values: dict[str, str]) -> Row | Rejection:
    errors: list[str] = []
    for name in ("customer_code", "customer_name", "document_type", "number"):
        if not values[name]:
            errors.append(_("%(column)s is empty") % {"column": name})
    limits = {"customer_code": 32, "customer_name": 200, "number": 50}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            errors.append(
                _("%(column)s is longer than %(max)d characters") % {"column": name, "max": limit}
            )
    document_type = _DOCUMENT_TYPES.get(values["document_type"].lower())
    if values["document_type"] and document_type is None:
        errors.append(
            _("document_type “%(value)s” is not one of: %(choices)s")
            % {"value": values["document_type"], "choices": ", ".join(DocumentType.values)}
        )
    document_date = _parse_date("document_date", values["document_date"], errors)
    due_date = _parse_date("due_date", values["due_date"], errors)
    amount = _parse_amount("amount", values["amount"], errors)
    open_amount = _parse_amount("open_amount", values["open_amount"], errors)
    currency = values["currency"].upper()
    if not _CURRENCY.fullmatch(values["currency"]):
        errors.append(
            _("currency “%(value)s” is not a three-letter ISO code") % {"value": values["currency"]}
        )
    if amount is not None and open_amount is not None:
        if amount == 0:
            errors.append(_("amount is zero"))
        elif open_amount != 0 and (
            (amount > 0) != (open_amount > 0) or abs(open_amount) > abs(amount)
        ):
            errors.append(
                _("open_amount %(open)s does not fit amount %(amount)s (same sign, not larger)")
                % {"open": open_amount, "amount": amount}
            )
        if document_type is not None and amount != 0:
            is_credit = document_type in CREDIT_DOCUMENT_TYPES
            if is_credit and amount > 0:
                errors.append(
                    _("amount %(amount)s is positive: a “%(type)s” must have a negative amount")
                    % {"amount": amount, "type": document_type.label}
                )
            elif document_type in (DocumentType.INVOICE, DocumentType.DEBIT_NOTE) and amount < 0:
                errors.append(
                    _("amount %(amount)s is negative: a “%(type)s” must have a positive amount")
                    % {"amount": amount, "type": document_type.label}
                )
    if errors:
        return Rejection(line, "; ".join(errors))
    return Row(
        line=line,
        customer_code=values["customer_code"],
        customer_name=values["customer_name"],
        document_type=document_type.value,
        number=values["number"],
        document_date=document_date,
        due_date=due_date,
        amount=amount,
        open_amount=open_amount,
        currency=currency,
    )


def read_open_items(stream: BinaryIO) -> tuple[list[Row], list[Rejection], int]:
    """Parse and check a whole file: (valid rows, rejections, rows read).

    Raises ImportFileError when the file as a whole is unreadable.
    """
    reader = csv.reader(_decoded_lines(stream), strict=True)
    names = _read_header(reader)
    rows: list[Row] = []
    rejected: list[Rejection] = []
    seen_items: dict[tuple[str, str], int] = {}
    seen_names: dict[str, tuple[str, int]] = {}
    read = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read as CSV (%(error)s): the file may be truncated.")
                % {"line": reader.line_num, "error": error}
            ) from error
        line = reader.line_num
        if not any(value.strip() for value in record):
            continue  # blank line
        read += 1
        if len(record) != len(names):
            rejected.append(
                Rejection(
                    line,
                    _(
                        "%(count)d fields instead of %(expected)d (a comma inside an unquoted "
                        "value, a comma as decimal separator, or a truncated line)"
                    )
                    % {"count": len(record), "expected": len(names)},
                )
            )
            continue
        values = {name: value.strip() for name, value in zip(names, record, strict=True)}
        parsed = _parse_row(line, values)
        if isinstance(parsed, Rejection):
            rejected.append(parsed)
            continue
        key = (parsed.customer_code, parsed.number)
        if key in seen_items:
            rejected.append(
                Rejection(
                    line,
                    _("item %(number)s of customer %(code)s is already on line %(first)d")
                    % {
                        "number": parsed.number,
                        "code": parsed.customer_code,
                        "first": seen_items[key],
                    },
                )
            )
            continue
        known = seen_names.get(parsed.customer_code)
        if known is not None and known[0] != parsed.customer_name:
            rejected.append(
                Rejection(
                    line,
                    _(
                        "customer %(code)s is named “%(name)s” on line %(first)d and "
                        "“%(other)s” here"
                    )
                    % {
                        "code": parsed.customer_code,
                        "name": known[0],
                        "first": known[1],
                        "other": parsed.customer_name,
                    },
                )
            )
            continue
        seen_items[key] = line
        seen_names.setdefault(parsed.customer_code, (parsed.customer_name, line))
        rows.append(parsed)
    if read == 0:
        raise ImportFileError(_("The file has a header but no rows."))
    return rows, rejected, read
