"""The open-items import on PostgreSQL: the file streamed into a staging table with
COPY, checked and applied by set-based SQL.

Memory stays flat whatever the size of the file: nothing is kept in Python but
the first rejections. The rules are those of ``open_items_file`` (which the
import uses on other databases), written in SQL; the tests run the same files
through both and expect the same answers.

The file goes through COPY whole when it is well-formed CSV (the usual case).
When COPY refuses it (a wrong number of fields, a blank line, bad encoding…),
or when a value spans several lines (line numbers would be off), the file is
read again line by line in Python, which says precisely which line is wrong.
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import tempfile
from collections.abc import Callable
from typing import BinaryIO

import psycopg
from django.db import DatabaseError
from django.utils.translation import gettext as _

from collections_app.models import CREDIT_DOCUMENT_TYPES, DocumentType
from collections_app.services.open_items_file import (
    _DOCUMENT_TYPES,
    COLUMNS,
    FIRST_DATE,
    LAST_DATE,
    MAX_LINE_CHARS,
    ImportFileError,
    Rejection,
    Row,
    _decoded_lines,
    _read_header,
)

#: Every day from FIRST_DATE to LAST_DATE written YYYY-MM-DD (migration 0002): a
#: date is valid when it is in it, one hashed lookup instead of parsing each date.
CALENDAR = "collections_import_calendar"
#: Rejections kept with their reason; beyond, only counted.
MAX_REPORTED_REJECTIONS = 1_000
_CHUNK = 1 << 20
#: What Python's str.strip() takes off a value (the other way of importing):
#: every Unicode space, the no-break space and the ideographic space included.
_WHITESPACE = "".join(chr(code) for code in range(0x110000) if chr(code).isspace())
_MARKERS = ("\ue000", "\ue001")

Progress = Callable[[str, int, int], None]
# A line longer than this many bytes (its \r included) may be longer than
# MAX_LINE_CHARS characters: such a file takes the careful path, which decides.
_MAX_LINE_BYTES = MAX_LINE_CHARS + 1


class _Careful(Exception):
    """The file needs reading line by line."""


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


class _Sql:
    """A SQL fragment and its parameters, so that messages are bound, not pasted."""

    def __init__(self, text: str, params: list | None = None):
        self.text = text
        self.params = list(params or [])


def _message(template: str, values: dict[str, object], sql_values: list[_Sql | str]) -> _Sql:
    """A translated message with values computed in SQL.

    ``values`` fills the message's placeholders; the placeholders given a marker
    (``_MARKERS``) take the SQL expressions of ``sql_values``, in order.
    """
    pieces = [template % values]
    for marker in _MARKERS[: len(sql_values)]:
        head, tail = pieces.pop().split(marker)
        pieces += [head, tail]
    parts, params = [], []
    for index, piece in enumerate(pieces):
        parts.append("%s")
        params.append(piece)
        if index < len(sql_values):
            value = sql_values[index]
            value = value if isinstance(value, _Sql) else _Sql(value)
            parts.append(value.text)
            params.extend(value.params)
    return _Sql("concat(" + ", ".join(parts) + ")", params)


def _date_format_ok(column: str) -> str:
    return (
        f"(length({column}) = 10 AND substr({column}, 5, 1) = '-' "
        f"AND substr({column}, 8, 1) = '-' "
        f"AND translate({column}, '0123456789', '') = '--')"
    )


def _date_real(column: str) -> str:
    year, month, day = (
        f"substr({column}, 1, 4)::int",
        f"substr({column}, 6, 2)::int",
        f"substr({column}, 9, 2)::int",
    )
    return (
        f"(CASE WHEN {_date_format_ok(column)} AND {month} BETWEEN 1 AND 12 AND {year} >= 1 "
        f"THEN {day} BETWEEN 1 AND CASE WHEN {day} <= 28 THEN 28 ELSE extract(day FROM "
        f"make_date({year}, {month}, 1) + interval '1 month - 1 day')::int END "
        "ELSE false END)"
    )


def _amount_value(column: str) -> str:
    """The amount as a number when it is written -?\\d{1,12}(\\.\\d{1,2})? (ASCII
    digits), else NULL; never an error. String functions and a guarded cast: several
    times faster than a regular expression on a million rows."""
    return (
        f"(CASE WHEN translate({column}, '0123456789', '') IN ('', '-', '.', '-.') "
        f"AND {column} NOT IN ('', '-', '.', '-.') AND strpos({column}, '-') <= 1 "
        f"AND ltrim({column}, '-') NOT LIKE '.%%' AND {column} NOT LIKE '%%.' "
        f"AND length(split_part(ltrim({column}, '-'), '.', 1)) <= 12 "
        f"THEN CASE WHEN scale({column}::numeric) <= 2 THEN {column}::numeric END END)"
    )


def _document_type(column: str) -> _Sql:
    """The stored document type for the written one, or NULL when unknown."""
    cases = " ".join("WHEN %s THEN %s" for _ in _DOCUMENT_TYPES)
    params = [value for pair in _DOCUMENT_TYPES.items() for value in (pair[0], str(pair[1]))]
    return _Sql(f"(CASE lower({column}) {cases} END)", params)


def _label_of(column: str) -> _Sql:
    cases = " ".join("WHEN %s THEN %s" for _ in DocumentType)
    params = [value for choice in DocumentType for value in (choice.value, str(choice.label))]
    return _Sql(f"(CASE {column} {cases} END)", params)


def _rules() -> list[tuple[_Sql, _Sql]]:
    """(condition under which a row breaks the rule, the reason), in the order and
    with the words of ``open_items_file._parse_row``. They read the columns of
    ``_checked_rows``."""
    first = _MARKERS[0]
    rules: list[tuple[_Sql, _Sql]] = []
    for name in ("customer_code", "customer_name", "document_type", "number"):
        rules.append(
            (_Sql(f"{name} = ''"), _message(_("%(column)s is empty"), {"column": name}, []))
        )
    for name, limit in (("customer_code", 32), ("customer_name", 200), ("number", 50)):
        reason = _message(
            _("%(column)s is longer than %(max)d characters"), {"column": name, "max": limit}, []
        )
        rules.append((_Sql(f"length({name}) > {limit}"), reason))
    rules.append(
        (
            _Sql("document_type <> '' AND doc_type IS NULL"),
            _message(
                _("document_type “%(value)s” is not one of: %(choices)s"),
                {"value": first, "choices": ", ".join(DocumentType.values)},
                ["document_type"],
            ),
        )
    )
    for name in ("document_date", "due_date"):
        # A date of the calendar (FIRST_DATE to LAST_DATE) is all right; the
        # others are told apart only for the rows they reject.
        values = {"column": name, "value": first}
        rules.append(
            (
                _Sql(f"NOT {name}_ok AND NOT {_date_format_ok(name)}"),
                _message(
                    _("%(column)s “%(value)s” is not a date in YYYY-MM-DD form"), values, [name]
                ),
            )
        )
        rules.append(
            (
                _Sql(f"NOT {name}_ok AND {_date_format_ok(name)} AND NOT {_date_real(name)}"),
                _message(_("%(column)s “%(value)s” is not a real date"), values, [name]),
            )
        )
        rules.append(
            (
                _Sql(f"NOT {name}_ok AND {_date_real(name)}"),
                _message(
                    _(
                        "%(column)s “%(value)s” is out of range (%(first)d–%(last)d): a "
                        "typing error?"
                    ),
                    {**values, "first": FIRST_DATE.year, "last": LAST_DATE.year},
                    [name],
                ),
            )
        )
    hint = _(" (use a dot for decimals, no thousands separator)")
    for name in ("amount", "open_amount"):
        with_hint = _Sql(
            f"(CASE WHEN strpos({name}, ',') > 0 OR strpos({name}, ' ') > 0 THEN %s ELSE '' END)",
            [hint],
        )
        rules.append(
            (
                _Sql(f"{name}_value IS NULL"),
                _message(
                    _("%(column)s “%(value)s” is not an amount with at most 2 decimals%(hint)s"),
                    {"column": name, "value": first, "hint": _MARKERS[1]},
                    [name, with_hint],
                ),
            )
        )
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    rules.append(
        (
            _Sql(f"NOT (length(currency) = 3 AND translate(currency, '{letters}', '') = '')"),
            _message(
                _("currency “%(value)s” is not a three-letter ISO code"),
                {"value": first},
                ["currency"],
            ),
        )
    )
    amount, open_amount = "amount_value", "open_amount_value"
    rules.append(
        (
            _Sql(f"{amount} = 0 AND {open_amount} IS NOT NULL"),
            _message(_("amount is zero"), {}, []),
        )
    )
    rules.append(
        (
            _Sql(
                f"{amount} <> 0 AND {open_amount} <> 0 AND "
                f"(({amount} > 0) <> ({open_amount} > 0) OR abs({open_amount}) > abs({amount}))"
            ),
            _message(
                _("open_amount %(open)s does not fit amount %(amount)s (same sign, not larger)"),
                {"open": first, "amount": _MARKERS[1]},
                [f"{open_amount}::text", f"{amount}::text"],
            ),
        )
    )
    credit = ", ".join(f"'{value}'" for value in sorted(CREDIT_DOCUMENT_TYPES))
    debit = f"'{DocumentType.INVOICE.value}', '{DocumentType.DEBIT_NOTE.value}'"
    for types, sign, template in (
        (credit, ">", _("amount %(amount)s is positive: a “%(type)s” must have a negative amount")),
        (debit, "<", _("amount %(amount)s is negative: a “%(type)s” must have a positive amount")),
    ):
        rules.append(
            (
                _Sql(f"doc_type IN ({types}) AND {open_amount} IS NOT NULL AND {amount} {sign} 0"),
                _message(
                    template,
                    {"amount": first, "type": _MARKERS[1]},
                    [f"{amount}::text", _label_of("doc_type")],
                ),
            )
        )
    return rules


def _checked_rows(*, fast: bool = False, source: str = "import_staging") -> _Sql:
    """The staged rows with every value trimmed, the document type resolved, the
    dates checked against the calendar and the amounts read, each computed once per
    row (OFFSET 0 keeps the planner from folding the layers and repeating work).

    ``fast`` reads the amounts with a plain cast, which raises on the first value
    that is not a number at all: the caller then falls back to the exact reading.
    """
    # Most values begin and end with a printable ASCII character, which is never
    # a space: they skip btrim() with the long set of Unicode spaces.
    trimmed = ", ".join(
        f"CASE WHEN ascii({name}) BETWEEN 33 AND 126 AND ascii(right({name}, 1)) BETWEEN 33 "
        f"AND 126 THEN {name} ELSE btrim({name}, %s) END AS {name}"
        for name in COLUMNS
    )
    doc_type = _document_type("t.document_type")
    read = _amount_cast if fast else _amount_value
    amounts = ", ".join(
        f"{read(f't.{name}')} AS {name}_value" for name in ("amount", "open_amount")
    )
    dates = ", ".join(
        f"t.{name} IN (SELECT day FROM {CALENDAR}) AS {name}_ok"
        for name in ("document_date", "due_date")
    )
    return _Sql(
        f"SELECT t.*, {doc_type.text} AS doc_type, {amounts}, {dates} "
        f"FROM (SELECT line, {trimmed} FROM {source} OFFSET 0) AS t OFFSET 0",
        [*doc_type.params, *[_WHITESPACE] * len(COLUMNS)],
    )


def _amount_cast(column: str) -> str:
    """The amount as a number, as _amount_value reads it, for a column where every
    value is a number of some form (else the cast raises): the cast, then cheap
    checks that it was written -?digits[.d[d]] with at most 12 digits before."""
    return (
        f"(CASE WHEN translate({column}, '0123456789.-', '') = '' "
        f"AND {column} NOT LIKE '%%.' AND ltrim({column}, '-') NOT LIKE '.%%' "
        f"AND length(split_part(ltrim({column}, '-'), '.', 1)) <= 12 "
        f"AND scale({column}::numeric) <= 2 THEN {column}::numeric END)"
    )


class StagedFile:
    """A file in the staging tables of the current transaction."""

    def __init__(self, *, read: int, rejected: list[Rejection], rejected_count: int):
        self.read = read
        self.rejected = rejected
        self.rejected_count = rejected_count


def _raw(cursor) -> psycopg.Cursor:
    return cursor.cursor


TABLES = (
    "import_staging",
    "import_rejected",
    "import_rows",
    "import_customers",
    "import_items",
)


def drop_tables(cursor) -> None:
    """Drop the staging tables now (they go at commit anyway, but a test, or a
    caller's outer transaction, may run several imports in one transaction)."""
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)}")


def _create_tables(cursor) -> None:
    drop_tables(cursor)
    columns = ", ".join(f"{name} text" for name in COLUMNS)
    # Line 1 is the header: COPY numbers the rows from 2, in the file's order.
    cursor.execute(
        "CREATE TEMP TABLE import_staging (line bigint GENERATED BY DEFAULT AS IDENTITY "
        f"(START WITH 2), {columns}) ON COMMIT DROP"
    )
    cursor.execute("CREATE TEMP TABLE import_rejected (line bigint, reason text) ON COMMIT DROP")
    cursor.execute(
        "CREATE TEMP TABLE import_rows (line bigint, customer_code text, customer_name text, "
        "document_type text, number text, document_date date, due_date date, "
        "amount numeric(14, 2), open_amount numeric(14, 2), currency text) ON COMMIT DROP"
    )


def _rereadable(stream: BinaryIO, head: bytes, stack: contextlib.ExitStack) -> BinaryIO:
    """The whole file, header included, in a stream that can be read again: the
    stream itself when it can seek, else a copy of it (in memory up to 16 MB, then
    on disk), closed with ``stack``."""
    try:
        if stream.seekable():
            stream.seek(stream.tell() - len(head))
            return stream
    except (AttributeError, OSError):
        pass
    spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=16 * _CHUNK))  # noqa: SIM115
    spool.write(head)
    shutil.copyfileobj(stream, spool, _CHUNK)
    spool.seek(0)
    return spool


def _header(stream: BinaryIO) -> tuple[list[str], bytes]:
    """The column names of the header line, and the line's bytes.

    A bounded read: a file without line breaks is refused after a few kilobytes,
    not after reading it whole.
    """
    head = stream.readline(4 * MAX_LINE_CHARS + 3)
    lines = _decoded_lines(io.BytesIO(head))
    try:
        first = next(lines)
    except StopIteration:
        raise ImportFileError(_("The file is empty: it has no header line.")) from None
    return _read_header(csv.reader([first], strict=True)), head


def _size(stream: BinaryIO) -> int:
    position = stream.tell()
    end = stream.seek(0, io.SEEK_END)
    stream.seek(position)
    return end - position


def _copy_fast(cursor, stream: BinaryIO, names: list[str], progress: Progress) -> int | None:
    """COPY the file as it is. Returns the rows loaded, or None when the file
    needs the careful path (COPY refused it, or a value spans lines)."""
    raw = _raw(cursor)
    total = _size(stream)
    start = stream.tell()
    newlines = 0
    last = b"\n"
    carry = 0  # bytes since the last line break, across chunks
    cursor.execute("SAVEPOINT import_copy")
    try:
        with raw.copy(
            f"COPY import_staging ({', '.join(names)}) FROM STDIN "
            f"WITH (FORMAT csv, HEADER true, ENCODING 'UTF8', FORCE_NOT_NULL ({', '.join(names)}))"
        ) as copy:
            done = 0
            while chunk := stream.read(_CHUNK):
                lines = chunk.split(b"\n")
                longest = max(carry + len(lines[0]), max(map(len, lines[1:]), default=0))
                if longest > _MAX_LINE_BYTES:
                    raise _Careful
                newlines += len(lines) - 1
                # The line that goes on in the next chunk.
                carry = carry + len(chunk) if len(lines) == 1 else len(lines[-1])
                last = chunk[-1:]
                copy.write(chunk)
                done += len(chunk)
                progress("reading", done, total)
    except (psycopg.Error, _Careful):
        # COPY refused the file, or a line is too long to be a row: the careful
        # path says precisely what is wrong where.
        cursor.execute("ROLLBACK TO SAVEPOINT import_copy")
        stream.seek(start)
        return None
    loaded = raw.rowcount
    lines = newlines + (0 if last == b"\n" else 1)
    if lines != loaded + 1:
        # A value spanning lines (or a blank line): line numbers would be off.
        cursor.execute("ROLLBACK TO SAVEPOINT import_copy")
        stream.seek(start)
        return None
    cursor.execute("RELEASE SAVEPOINT import_copy")
    return loaded


def _copy_careful(cursor, stream: BinaryIO, progress: Progress) -> tuple[int, list[Rejection], int]:
    """Read the file line by line: exact line numbers, and a precise reason for
    each line that is not a row of the standard file."""
    raw = _raw(cursor)
    total = _size(stream)
    reader = csv.reader(_decoded_lines(stream), strict=True)
    names = _read_header(reader)
    rejected: list[Rejection] = []
    rejected_count = 0
    read = 0
    with raw.copy(f"COPY import_staging (line, {', '.join(names)}) FROM STDIN") as copy:
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
            if not any(value.strip() for value in record):
                continue
            read += 1
            if len(record) != len(names):
                rejected_count += 1
                if len(rejected) < MAX_REPORTED_REJECTIONS:
                    rejected.append(
                        Rejection(
                            reader.line_num,
                            _(
                                "%(count)d fields instead of %(expected)d (a comma inside an "
                                "unquoted value, a comma as decimal separator, or a truncated "
                                "line)"
                            )
                            % {"count": len(record), "expected": len(names)},
                        )
                    )
                continue
            copy.write_row((reader.line_num, *record))
            if read % 10_000 == 0:
                progress("reading", stream.tell() if stream.seekable() else 0, total)
    if read == 0:
        raise ImportFileError(_("The file has a header but no rows."))
    return read, rejected, rejected_count


def stage_file(cursor, stream: BinaryIO, progress: Progress = _no_progress) -> StagedFile:
    """Load and check a whole file into ``import_rows`` (the valid rows, typed) and
    ``import_rejected``. Raises ImportFileError when the file is unreadable."""
    _create_tables(cursor)
    with contextlib.ExitStack() as stack:
        names, head = _header(stream)
        stream = _rereadable(stream, head, stack)
        loaded = _copy_fast(cursor, stream, names, progress)
        if loaded is None:
            read, rejected, rejected_count = _copy_careful(cursor, stream, progress)
        else:
            if loaded == 0:
                raise ImportFileError(_("The file has a header but no rows."))
            read, rejected, rejected_count = loaded, [], 0
    progress("checking", 0, 1)
    rejected_count += _check_rows(cursor)
    rejected_count += _check_duplicates(cursor)
    rows_rejected = _first_rejections(cursor, MAX_REPORTED_REJECTIONS)
    rejected = sorted([*rejected, *rows_rejected], key=lambda r: r.line)[:MAX_REPORTED_REJECTIONS]
    progress("checking", 1, 1)
    return StagedFile(read=read, rejected=rejected, rejected_count=rejected_count)


def _check_rows(cursor) -> int:
    """Move the valid rows, typed, to ``import_rows``; say why the others are not.
    Returns the number of rows rejected."""
    rules = _rules()
    broken = " OR ".join(f"({condition.text})" for condition, _reason in rules)
    broken_params = [param for condition, _reason in rules for param in condition.params]
    insert = (
        "INSERT INTO import_rows (line, customer_code, customer_name, document_type, number, "
        "document_date, due_date, amount, open_amount, currency) "
        "SELECT line, customer_code, customer_name, doc_type, number, document_date::date, "
        "due_date::date, amount_value, open_amount_value, upper(currency) "
    )
    # Optimistic first: amounts read with a plain cast, which is fast but raises
    # on a value that is not a number at all; the exact reading otherwise.
    fast = _checked_rows(fast=True)
    cursor.execute("SAVEPOINT import_check")
    try:
        cursor.execute(
            f"{insert} FROM ({fast.text}) AS c WHERE NOT ({broken})",
            [*fast.params, *broken_params],
        )
        valid = cursor.rowcount
        cursor.execute("RELEASE SAVEPOINT import_check")
    except DatabaseError:
        cursor.execute("ROLLBACK TO SAVEPOINT import_check")
        exact = _checked_rows()
        cursor.execute(
            f"{insert} FROM ({exact.text}) AS c WHERE NOT ({broken})",
            [*exact.params, *broken_params],
        )
        valid = cursor.rowcount
    cursor.execute("SELECT count(*) FROM import_staging")
    staged = cursor.fetchone()[0]
    if valid == staged:
        return 0
    # The reasons, for the rows left out only.
    left_out = _checked_rows(
        source="(SELECT * FROM import_staging s WHERE NOT EXISTS "
        "(SELECT 1 FROM import_rows r WHERE r.line = s.line)) AS left_out"
    )
    reasons = ", ".join(
        f"CASE WHEN {condition.text} THEN {reason.text} END" for condition, reason in rules
    )
    reason_params = [
        param for condition, reason in rules for param in (*condition.params, *reason.params)
    ]
    cursor.execute(
        "INSERT INTO import_rejected (line, reason) "
        f"SELECT line, coalesce(nullif(concat_ws('; ', {reasons}), ''), %s) "
        f"FROM ({left_out.text}) AS c",
        [*reason_params, _("a value is not valid"), *left_out.params],
    )
    return cursor.rowcount


def _check_duplicates(cursor) -> int:
    """Reject a second row of an item (naming the first line), then a row naming
    its customer differently from the customer's first row."""
    item = _("item %(number)s of customer %(code)s is already on line %(first)d") % {
        "number": _MARKERS[0],
        "code": _MARKERS[1],
        "first": 0,
    }
    item_head, rest = item.split(_MARKERS[0])
    item_middle, item_tail = rest.split(_MARKERS[1])
    item_tail_head, item_tail_tail = item_tail.split("0", 1)
    cursor.execute(
        "WITH twice AS (SELECT customer_code, number, min(line) AS first FROM import_rows "
        "GROUP BY customer_code, number HAVING count(*) > 1), "
        "gone AS (DELETE FROM import_rows r USING twice t WHERE r.customer_code = "
        "t.customer_code AND r.number = t.number AND r.line <> t.first "
        "RETURNING r.line, r.customer_code, r.number, t.first) "
        "INSERT INTO import_rejected (line, reason) SELECT line, concat(%s, number, %s, "
        "customer_code, %s, first, %s) FROM gone",
        [item_head, item_middle, item_tail_head, item_tail_tail],
    )
    duplicates = cursor.rowcount
    renamed = _("customer %(code)s is named “%(name)s” on line %(first)d and “%(other)s” here") % {
        "code": "\ue000",
        "name": "\ue001",
        "first": 0,
        "other": "\ue002",
    }
    head, rest = renamed.split("\ue000")
    middle, rest = rest.split("\ue001")
    before_line, rest = rest.split("0", 1)
    after_line, tail = rest.split("\ue002")
    cursor.execute(
        "WITH firsts AS (SELECT r.customer_code, r.customer_name, r.line FROM import_rows r "
        "JOIN (SELECT customer_code, min(line) AS line FROM import_rows GROUP BY customer_code "
        "HAVING min(customer_name) <> max(customer_name)) f ON f.line = r.line), "
        "gone AS (DELETE FROM import_rows r USING firsts f WHERE r.customer_code = "
        "f.customer_code AND r.customer_name <> f.customer_name RETURNING r.line, "
        "r.customer_code, r.customer_name AS other, f.customer_name AS name, f.line AS first) "
        "INSERT INTO import_rejected (line, reason) SELECT line, concat(%s, customer_code, %s, "
        "name, %s, first, %s, other, %s) FROM gone",
        [head, middle, before_line, after_line, tail],
    )
    return duplicates + cursor.rowcount


def _first_rejections(cursor, limit: int) -> list[Rejection]:
    cursor.execute("SELECT line, reason FROM import_rejected ORDER BY line LIMIT %s", [limit])
    return [Rejection(line, reason) for line, reason in cursor.fetchall()]


def staged_rows(cursor) -> list[Row]:
    """The valid rows of the staged file (for a dry run of a small file)."""
    cursor.execute(
        "SELECT line, customer_code, customer_name, document_type, number, document_date, "
        "due_date, amount, open_amount, currency FROM import_rows ORDER BY line"
    )
    return [Row(*values) for values in cursor.fetchall()]


#: An item whose row in the file says something else than the ledger.
_CHANGED = (
    "(o.document_type, o.document_date, o.due_date, o.amount, o.open_amount, o.currency) "
    "IS DISTINCT FROM (i.document_type, i.document_date, i.due_date, i.amount, i.open_amount, "
    "i.currency)"
)


def imported_customer_ids(cursor) -> list[int]:
    """The customers of the rows applied (after ``apply_staged``)."""
    cursor.execute("SELECT DISTINCT customer_id FROM import_items")
    return [customer_id for (customer_id,) in cursor.fetchall()]


def apply_staged(cursor, *, snapshot: bool, now, run_id: int) -> dict[str, int]:
    """Apply the valid staged rows: customers, then items, each change of an item
    logged as an ImportChange of the run. Returns the counts."""
    counts: dict[str, int] = {}
    cursor.execute(
        "CREATE TEMP TABLE import_customers ON COMMIT DROP AS SELECT r.customer_code AS code, "
        "r.customer_name AS name, r.currency FROM import_rows r JOIN (SELECT min(line) AS line "
        "FROM import_rows GROUP BY customer_code) f ON f.line = r.line"
    )
    cursor.execute(
        "UPDATE customers_customer c SET name = i.name, updated_at = %s FROM import_customers i "
        "WHERE c.code = i.code AND c.name <> i.name",
        [now],
    )
    cursor.execute(
        "INSERT INTO customers_customer (code, name, currency, created_at, updated_at) "
        "SELECT i.code, i.name, i.currency, %s, %s FROM import_customers i "
        "WHERE NOT EXISTS (SELECT 1 FROM customers_customer c WHERE c.code = i.code)",
        [now, now],
    )
    counts["customers_created"] = cursor.rowcount
    cursor.execute(
        "CREATE TEMP TABLE import_items ON COMMIT DROP AS SELECT c.id AS customer_id, r.* "
        "FROM import_rows r JOIN customers_customer c ON c.code = r.customer_code"
    )
    cursor.execute("ANALYZE import_items")
    if snapshot:
        # Every row the import changes, locked at once in id order before any is
        # written: the order Quick Promise and the other services lock items in,
        # so that an officer's write and the import queue up instead of each
        # holding a row the other waits for (a deadlock). Without a snapshot the
        # changed rows are the only ones, locked the same way just below.
        cursor.execute(
            "SELECT o.id FROM collections_app_openitem o LEFT JOIN import_items i "
            "ON i.customer_id = o.customer_id AND i.number = o.number "
            f"WHERE CASE WHEN i.number IS NULL THEN o.open_amount <> 0 ELSE {_CHANGED} END "
            "ORDER BY o.id FOR UPDATE OF o"
        )
    # Changed items: one statement, locking them in id order (see above). The old
    # amounts are read before the update, so that each change is logged with what
    # it was (paid in full, reopened, a new amount, or other details).
    cursor.execute(
        "WITH changed AS MATERIALIZED (SELECT o.id, o.open_amount AS was_open, "
        "o.amount AS was_amount, i.* FROM collections_app_openitem o JOIN import_items i "
        f"ON o.customer_id = i.customer_id AND o.number = i.number WHERE {_CHANGED} "
        "ORDER BY o.id FOR UPDATE OF o), "
        "updated AS (UPDATE collections_app_openitem o SET document_type = c.document_type, "
        "document_date = c.document_date, due_date = c.due_date, amount = c.amount, "
        "open_amount = c.open_amount, currency = c.currency, closed_at = CASE WHEN "
        "c.open_amount = 0 AND c.was_open <> 0 THEN %(now)s WHEN c.open_amount <> 0 THEN NULL "
        "ELSE o.closed_at END, updated_at = %(now)s FROM changed c WHERE o.id = c.id RETURNING "
        "o.id, c.was_open, c.open_amount, c.was_amount, c.amount), "
        "logged AS (INSERT INTO collections_app_importchange (run_id, item_id, kind, "
        "open_amount_before, open_amount_after, changed_at) SELECT %(run)s, id, CASE "
        "WHEN open_amount = 0 AND was_open <> 0 THEN 'paid' "
        "WHEN was_open = 0 AND open_amount <> 0 THEN 'reopened' "
        "WHEN open_amount <> was_open OR amount <> was_amount THEN 'amount' "
        "ELSE 'details' END, was_open, open_amount, %(now)s FROM updated RETURNING kind) "
        "SELECT count(*), count(*) FILTER (WHERE kind = 'paid') FROM logged",
        {"now": now, "run": run_id},
    )
    counts["updated"], counts["closed"] = cursor.fetchone()
    cursor.execute(
        "WITH inserted AS (INSERT INTO collections_app_openitem (customer_id, number, "
        "document_type, document_date, due_date, amount, open_amount, currency, closed_at, "
        "created_at, updated_at) SELECT i.customer_id, i.number, i.document_type, "
        "i.document_date, i.due_date, i.amount, i.open_amount, i.currency, CASE WHEN "
        "i.open_amount = 0 THEN %(now)s END, %(now)s, %(now)s FROM import_items i WHERE NOT "
        "EXISTS (SELECT 1 FROM collections_app_openitem o WHERE o.customer_id = i.customer_id "
        "AND o.number = i.number) ORDER BY i.customer_id, i.number RETURNING id, open_amount) "
        "INSERT INTO collections_app_importchange (run_id, item_id, kind, open_amount_before, "
        "open_amount_after, changed_at) SELECT %(run)s, id, 'new', NULL, open_amount, %(now)s "
        "FROM inserted",
        {"now": now, "run": run_id},
    )
    counts["created"] = cursor.rowcount
    cursor.execute("SELECT count(*) FROM import_items")
    listed = cursor.fetchone()[0]
    counts["unchanged"] = listed - counts["created"] - counts["updated"]
    if snapshot:
        # A full export: what it no longer lists was paid.
        cursor.execute(
            "WITH gone AS (SELECT o.id, o.open_amount FROM collections_app_openitem o WHERE "
            "o.open_amount <> 0 AND NOT EXISTS (SELECT 1 FROM import_items i WHERE "
            "i.customer_id = o.customer_id AND i.number = o.number) ORDER BY o.id FOR UPDATE), "
            "closed AS (UPDATE collections_app_openitem o SET open_amount = 0, closed_at = "
            "%(now)s, updated_at = %(now)s FROM gone g WHERE o.id = g.id RETURNING o.id, "
            "g.open_amount AS was_open) "
            "INSERT INTO collections_app_importchange (run_id, item_id, kind, open_amount_before, "
            "open_amount_after, changed_at) SELECT %(run)s, id, 'paid', was_open, 0, %(now)s "
            "FROM closed",
            {"now": now, "run": run_id},
        )
        counts["closed"] += cursor.rowcount
    return counts
