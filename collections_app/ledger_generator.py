"""A made-up ledger of any size, for benchmarks and for trying the product at scale.

Customers with company-like names (so that searching part of a name means
something), and their items: invoices, debit notes, credit notes and payments,
with a spread of document and due dates (some overdue, some not), amounts, a few
currencies, some items partly paid, some closed, some in dispute or promised.
The promised items still in their grace period are in open payment promises,
and three in ten of the paid invoices and debit notes had a promise before,
kept, partly kept or broken, evaluated as the daily job would have: the
customers' keep rates vary as in a real book, and the promises' statistics are
a real book's (spread over the customers), not those of an empty table. "Big accounts" get a
given number of outstanding items each, like the retail customer of a real
export with thousands of open items.

The rows are made in Python from one seeded random generator, so the same seed,
prefix and day give the same ledger, and loaded with PostgreSQL ``COPY``: a
million items take well under a minute. PostgreSQL only.
"""

from __future__ import annotations

import csv
import datetime
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.db import connection, transaction
from django.utils import timezone

from collections_app.demo import STATUSES, TEMPLATES
from collections_app.models import (
    ActionTemplate,
    ChangeCause,
    ItemStatus,
    OpenItem,
    PaymentPromise,
    PromiseItem,
    PromiseSource,
    PromiseState,
    QuickPromisePreference,
    StatusChange,
)
from collections_app.services.open_items_file import COLUMNS
from collections_app.services.promise_evaluation import last_day_in_grace
from customers.models import Customer

__all__ = [
    "GeneratorError",
    "LedgerReport",
    "generate_ledger",
    "parse_counts",
    "write_open_items_file",
]

_NAMES = (
    "Abbott", "Acme", "Adler", "Aegis", "Alba", "Alder", "Alpine", "Altus", "Amber", "Anders",
    "Apex", "Arcadia", "Archer", "Ardent", "Arlon", "Ashford", "Atlantic", "Atlas", "Aurora",
    "Avalon", "Baker", "Baltic", "Barnes", "Bastide", "Bayard", "Bayside", "Beaumont",
    "Bellamy", "Bellevue", "Benoit", "Bergmann", "Bernard", "Birch", "Blanchard", "Boreal",
    "Boucher", "Bradley", "Brennan", "Brightwater", "Brooks", "Cabot", "Caldera", "Cambridge",
    "Carlton", "Carter", "Cascade", "Castille", "Cedar", "Celtic", "Chalmers", "Charpentier",
    "Chevalier", "Clement", "Cobalt", "Colbert", "Condor", "Cooper", "Corbin", "Crescent",
    "Crown", "Dalton", "Dawson", "Delacroix", "Delta", "Dorval", "Dubois", "Duchamp", "Dumont",
    "Dupont", "Durand", "Eastwood", "Eberhardt", "Edison", "Elm", "Emerald", "Evergreen",
    "Fabre", "Fairfax", "Falcon", "Faure", "Fischer", "Fleming", "Fontaine", "Fournier",
    "Franklin", "Gallagher", "Garnier", "Gauthier", "Girard", "Glenwood", "Granite",
    "Greenfield", "Guerin", "Halcyon", "Hamilton", "Harbor", "Hartmann", "Hawthorne", "Helix",
    "Highland", "Hoffmann", "Horizon", "Hudson", "Imperial", "Iris", "Ivory", "Jansen",
    "Jasper", "Juniper", "Keller", "Kestrel", "Kingsley", "Klein", "Lambert", "Laurent",
    "Lefebvre", "Legrand", "Leroy", "Linden", "Lombard", "Lorraine", "Lucas", "Lyon", "Madison",
    "Maple", "Marchand", "Marlow", "Martin", "Mercier", "Meridian", "Meyer", "Millbrook",
    "Morel", "Morgan", "Muller", "Nash", "Newport", "Nordic", "Norland", "Northgate",
    "Oakridge", "Olsen", "Olympus", "Orion", "Osprey", "Pacific", "Parker", "Pascal",
    "Peregrine", "Perrin", "Petit", "Phoenix", "Pinnacle", "Polaris", "Prairie", "Quantum",
    "Quinn", "Radcliffe", "Redwood", "Regent", "Renard", "Richter", "Riverside", "Riviera",
    "Roche", "Rousseau", "Roussel", "Royal", "Saffron", "Sandoval", "Schmidt", "Schneider",
    "Sentinel", "Sierra", "Silverline", "Simon", "Stanton", "Sterling", "Summit", "Tanner",
    "Thornton", "Titan", "Torres", "Trident", "Union", "Valley", "Vance", "Vantage", "Vega",
    "Vernon", "Victoria", "Vidal", "Walker", "Weber", "Westbrook", "Whitmore", "Willow",
    "Windsor", "Yates", "Zenith", "Zimmermann",
)  # fmt: skip
_SECTORS = (
    "Agriculture", "Aviation", "Bakery", "Building Supplies", "Catering", "Chemicals",
    "Cleaning", "Construction", "Consulting", "Cosmetics", "Dairy", "Distribution",
    "Electrical", "Electronics", "Energy", "Engineering", "Freight", "Furniture",
    "Garden Centres", "Glassworks", "Hardware", "Hotels", "Industries", "Logistics", "Logistique",
    "Machinery", "Marine", "Media", "Medical", "Metals", "Mining", "Motors", "Optics",
    "Packaging", "Paper", "Pharma", "Plastics", "Printing", "Retail", "Security", "Software",
    "Solar", "Sports", "Steel", "Telecom", "Textiles", "Timber", "Tools", "Toys", "Transport",
    "Travel", "Water", "Wines", "Foods",
)  # fmt: skip
_EXTRAS = ("Group", "International", "Europe", "Services", "Trading", "& Sons", "& Partners")
_LEGAL_FORMS = (
    "SA", "SAS", "SARL", "Ltd", "GmbH", "BV", "SpA", "Inc", "LLC", "AG", "plc", "NV", "AB", "",
)  # fmt: skip
#: Customer currencies and how common they are.
_CURRENCIES = (("EUR", 0.70), ("USD", 0.15), ("GBP", 0.10), ("CHF", 0.05))
_TERMS = (30, 30, 45, 60, 60, 90)

_ITEM_COLUMNS = (
    "customer_id", "number", "document_type", "document_date", "due_date", "amount",
    "open_amount", "currency", "status_id", "promise_date", "closed_at", "created_at",
    "updated_at",
)  # fmt: skip
_CHUNK_ROWS = 20_000


class GeneratorError(Exception):
    """The ledger could not be generated; nothing was changed."""


@dataclass(frozen=True)
class BigAccount:
    pk: int
    code: str
    items: int


@dataclass
class LedgerReport:
    customers: int = 0
    items: int = 0
    outstanding: int = 0
    closed: int = 0
    history_rows: int = 0
    promises: int = 0
    big_accounts: list[BigAccount] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class _Customer:
    pk: int
    currency: str
    terms: int


def parse_counts(values: Iterable[str | int]) -> list[int]:
    """``["2500", "25,000", "10_000"]`` → ``[2500, 25000, 10000]``."""
    counts = []
    for value in values:
        count = int(str(value).replace(",", "").replace("_", ""))
        if count < 1:
            raise GeneratorError(f"{value}: a big account has at least one item.")
        counts.append(count)
    return counts


def company_name(rng: random.Random) -> str:
    """A company-like name: "Dupont Logistique SAS", "Keller-Nash Foods Group Ltd"."""
    name = rng.choice(_NAMES)
    if rng.random() < 0.15:
        name = f"{name}-{rng.choice(_NAMES)}"
    words = [name, rng.choice(_SECTORS)]
    if rng.random() < 0.3:
        words.append(rng.choice(_EXTRAS))
    words.append(rng.choice(_LEGAL_FORMS))
    return " ".join(word for word in words if word)


def _currency(rng: random.Random) -> str:
    roll = rng.random()
    for currency, share in _CURRENCIES:
        if roll < share:
            return currency
        roll -= share
    return _CURRENCIES[0][0]


def _counts(rng: random.Random, customers: int, items: int) -> list[int]:
    """How many items each customer gets: a few large accounts, many small ones,
    some with none; ``items`` in all."""
    if not customers:
        return []
    weights = [min(rng.paretovariate(1.16), 400.0) for _ in range(customers)]
    total = sum(weights)
    counts = [int(items * weight / total) for weight in weights]
    for index in range(items - sum(counts)):
        counts[index % customers] += 1
    return counts


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


class _ItemMaker:
    """Makes items, from the one random generator."""

    def __init__(self, rng, *, today, now, statuses):
        self.rng = rng
        self.today = today
        self.now = now.isoformat()
        self.statuses = statuses
        self.sequence = 0
        self.outstanding = 0
        self.closed = 0

    def _number(self, document_type: str) -> str:
        self.sequence += 1
        prefix = {"invoice": "INV", "debit_note": "DN", "credit_note": "CN", "payment": "PAY"}
        return f"{prefix[document_type]}{self.sequence:08d}"

    def fields(self, customer: _Customer, *, big: bool = False, open_only: bool = False):
        """One item: (type, number, document date, due date, amount, open amount,
        currency, status id, promise date, closed?). ``big``: an item of a big
        account (outstanding, nearly all invoices); ``open_only``: outstanding."""
        rng = self.rng
        roll = rng.random()
        if big:
            document_type = "invoice" if roll < 0.95 else "credit_note"
        else:
            document_type = (
                "invoice"
                if roll < 0.85
                else "debit_note"
                if roll < 0.88
                else "credit_note"
                if roll < 0.95
                else "payment"
            )
        age = min(int(rng.expovariate(1 / (60 if big else 90))), 720)
        document_date = self.today - datetime.timedelta(days=age)
        due_date = document_date
        if document_type in ("invoice", "debit_note"):
            due_date += datetime.timedelta(days=customer.terms)
        cents = int(rng.lognormvariate(11.6, 1.1)) + 100  # about 1,000.00 typical
        if document_type in ("credit_note", "payment"):
            cents = -max(100, cents // 4)
        # Old items are mostly paid; the big accounts' items are all outstanding.
        closed = not big and rng.random() < 0.15 + 0.6 * min(age, 365) / 365 and not open_only
        if closed:
            open_cents = 0
        elif rng.random() < 0.12:
            open_cents = cents * rng.randint(1, 9) // 10 or cents
        else:
            open_cents = cents
        currency = customer.currency
        if rng.random() < 0.03:
            currency = _currency(rng)
        status_id = promise_date = None
        if open_cents > 0 and self.statuses:
            status_roll = rng.random()
            if status_roll < 0.04:
                status_id = self.statuses["Promise to pay"]
                promise_date = self.today + datetime.timedelta(days=rng.randint(-10, 5))
            elif status_roll < 0.07:
                status_id = self.statuses["In dispute"]
            elif status_roll < 0.08:
                status_id = self.statuses["Litigation"]
            elif status_roll < 0.12:
                status_id = self.statuses["Reminder sent"]
        if open_cents:
            self.outstanding += 1
        else:
            self.closed += 1
        number = self._number(document_type)
        return (
            document_type, number, document_date, due_date, cents, open_cents, currency,
            status_id, promise_date, closed,
        )  # fmt: skip

    def row(self, customer: _Customer, *, big: bool = False) -> str:
        """One item as a line of ``COPY … FROM STDIN`` (text format)."""
        (document_type, number, document_date, due_date, cents, open_cents, currency,
         status_id, promise_date, closed) = self.fields(customer, big=big)  # fmt: skip
        return "\t".join(
            (
                str(customer.pk),
                number,
                document_type,
                document_date.isoformat(),
                due_date.isoformat(),
                _money(cents),
                _money(open_cents),
                currency,
                r"\N" if status_id is None else str(status_id),
                r"\N" if promise_date is None else promise_date.isoformat(),
                self.now if closed else r"\N",
                self.now,
                self.now,
            )
        )


def _copy(cursor, table: str, columns: Iterable[str], rows: Iterator[str]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= _CHUNK_ROWS:
                copy.write("\n".join(chunk) + "\n")
                chunk.clear()
        if chunk:
            copy.write("\n".join(chunk) + "\n")


def _statuses() -> dict[str, int]:
    """The starter statuses of the demo (created when missing), by label."""
    templates = {
        spec["name"]: ActionTemplate.objects.get_or_create(
            name=spec["name"], defaults={k: spec[k] for k in ("action_type", "title", "text")}
        )[0]
        for spec in TEMPLATES
    }
    return {
        spec["label"]: ItemStatus.objects.get_or_create(
            label=spec["label"],
            defaults={"kind": spec["kind"], "action_template": templates.get(spec["template"])},
        )[0].pk
        for spec in STATUSES
    }


def generate_ledger(
    *,
    customers: int,
    items: int,
    big_account_items: Iterable[int] = (),
    seed: int = 1,
    prefix: str = "G",
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> LedgerReport:
    """Add ``customers`` customers (codes ``<prefix>0000001``…) sharing ``items``
    items, plus one customer per ``big_account_items`` entry with that many
    outstanding items. One transaction; PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise GeneratorError(
            "The ledger generator needs PostgreSQL (it loads the rows with COPY); this "
            f"database is {connection.vendor}. Set DATABASE_URL=postgres://…"
        )
    big_account_items = list(big_account_items)
    if not 0 <= customers + len(big_account_items) < 10_000_000 or items < 0:
        raise GeneratorError("From 0 to 9,999,999 customers, and 0 or more items.")
    if items and not customers:
        raise GeneratorError("Items need customers: give --customers 1 or more.")
    if not prefix or not prefix.isascii() or not prefix.isalnum() or len(prefix) > 16:
        raise GeneratorError("The code prefix is 1 to 16 ASCII letters or digits.")
    if Customer.objects.filter(code__startswith=prefix).exists():
        raise GeneratorError(
            f"Customers with codes starting with {prefix!r} exist already: choose another "
            "--prefix (nothing was changed)."
        )
    say = progress or (lambda message: None)
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    now = timezone.now()
    report = LedgerReport()
    all_customers = customers + len(big_account_items)

    with transaction.atomic(), connection.cursor() as cursor:
        statuses = _statuses()
        customer_rows = (
            f"{prefix}{n:07d}\t{company_name(rng)}\t{_currency(rng)}\t{now}\t{now}"
            for n in range(1, all_customers + 1)
        )
        _copy(
            cursor,
            Customer._meta.db_table,
            ("code", "name", "currency", "created_at", "updated_at"),
            customer_rows,
        )
        cursor.execute(
            f"SELECT id, code, currency FROM {Customer._meta.db_table} "
            "WHERE code LIKE %s ORDER BY code",
            [f"{prefix}%"],
        )
        made = [
            (_Customer(pk, currency, rng.choice(_TERMS)), code)
            for pk, code, currency in cursor.fetchall()
        ]
        report.customers = len(made)
        say(f"{report.customers:,} customers")

        maker = _ItemMaker(rng, today=today, now=now, statuses=statuses)
        counts = _counts(rng, customers, items)

        def item_rows() -> Iterator[str]:
            for (customer, _code), count in zip(made, counts, strict=False):
                for _ in range(count):
                    yield maker.row(customer)
            for (customer, _code), count in zip(made[customers:], big_account_items, strict=True):
                for _ in range(count):
                    yield maker.row(customer, big=True)

        _copy(cursor, OpenItem._meta.db_table, _ITEM_COLUMNS, item_rows())
        report.items = maker.sequence
        report.outstanding = maker.outstanding
        report.closed = maker.closed
        say(f"{report.items:,} items")
        # Statistics of the rows just loaded, for the plans of the statements that
        # read them (without, PostgreSQL joins a million items to the customers
        # row by row: minutes instead of seconds).
        for model in (Customer, OpenItem):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        report.history_rows = _history(cursor, prefix=prefix, now=now)
        report.promises = _promises(
            cursor, prefix=prefix, today=today, now=now, promised=statuses["Promise to pay"]
        )
        report.big_accounts = [
            BigAccount(pk=customer.pk, code=code, items=count)
            for (customer, code), count in zip(made[customers:], big_account_items, strict=True)
        ]
    # Fresh statistics of what came after, so that the very next queries get the
    # right plans.
    with connection.cursor() as cursor:
        for model in (StatusChange, PaymentPromise, PromiseItem):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    report.seconds = time.perf_counter() - started
    return report


def _history(cursor, *, prefix: str, now: datetime.datetime) -> int:
    """One history row for every item born with a status: the audit trail says
    where each status came from."""
    item_table = OpenItem._meta.db_table
    cursor.execute(
        f"INSERT INTO {StatusChange._meta.db_table} (item_id, status_after_id, "
        "promise_date_after, changed_at, cause) "
        f"SELECT i.id, i.status_id, i.promise_date, %s, %s FROM {item_table} i "
        f"JOIN {Customer._meta.db_table} c ON c.id = i.customer_id "
        "WHERE c.code LIKE %s AND i.status_id IS NOT NULL",
        [now, ChangeCause.DEMO, f"{prefix}%"],
    )
    return cursor.rowcount


#: Of the paid invoices and debit notes, the share promised before they were paid,
#: in percent; of those promises, the shares kept and partly kept (the others
#: were broken: paid late).
_PROMISED_BEFORE_PAID = 30
_KEPT = 65
_PARTLY_KEPT = 10
#: A past promise was made for a day within this many days after the item's due
#: date, and was made at most five days before that day.
_PROMISED_AFTER_DUE = 15

#: Each paid item promised before: one promise for a day on or after its due
#: date, made a few days before (not before the item existed), evaluated the
#: night after its grace period as the daily job does. Only items whose promise
#: is that far in the past get one. The rolls come from a hash of the item's
#: number, so that the same ledger gets the same promises.
_EVALUATED_PROMISES = """
WITH promised AS (
    SELECT i.id AS item_id, i.customer_id, i.currency, i.amount, i.document_date,
           nextval(pg_get_serial_sequence(%(promise_table)s, 'id')) AS promise_id,
           i.due_date + (abs(hashtext(i.number || '/date')::bigint) %% %(after_due)s)::int
               AS promised_date,
           abs(hashtext(i.number || '/kept')::bigint) %% 100 AS roll
    FROM {items} i JOIN {customers} c ON c.id = i.customer_id
    WHERE c.code LIKE %(prefix)s AND i.open_amount = 0 AND i.amount > 0
      AND i.due_date <= %(last_date)s::date - %(after_due)s::int
      AND abs(hashtext(i.number || '/promised')::bigint) %% 100 < %(promised_share)s
),
evaluated AS (
    SELECT *,
           CASE WHEN roll < %(kept_share)s THEN %(kept)s
                WHEN roll < %(kept_share)s + %(partly_share)s THEN %(partly_kept)s
                ELSE %(broken)s END AS state,
           CASE WHEN roll < %(kept_share)s THEN amount
                WHEN roll < %(kept_share)s + %(partly_share)s THEN round(amount / 2, 2)
                ELSE 0 END AS paid
    FROM promised
),
promises AS (
    INSERT INTO {promises} (id, customer_id, promised_date, currency, amount, paid_amount,
                            source, state, created_at, evaluated_at)
    SELECT promise_id, customer_id, promised_date, currency, amount, paid, %(source)s, state,
           greatest(document_date, promised_date - 5) + time '10:00',
           (promised_date + %(grace_days)s::int + 1) + time '06:00'
    FROM evaluated
)
INSERT INTO {lines} (promise_id, item_id, amount, paid_amount, level, release_reason)
SELECT promise_id, item_id, amount, paid, 1, '' FROM evaluated
"""

#: The items with the promise status whose date is not yet past its grace
#: period: one open promise per customer, currency and date, made when the items
#: got their status. (The daily job would have ended the others already; their
#: items keep the status, as when it came from the ERP's file.)
_OPEN_PROMISES = """
WITH promised AS (
    SELECT i.id, i.customer_id, i.currency, i.promise_date, i.open_amount
    FROM {items} i JOIN {customers} c ON c.id = i.customer_id
    WHERE c.code LIKE %(prefix)s AND i.status_id = %(status)s AND i.open_amount > 0
      AND i.promise_date >= %(in_grace_from)s
),
open_promises AS (
    SELECT customer_id, currency, promise_date, sum(open_amount) AS amount,
           nextval(pg_get_serial_sequence(%(promise_table)s, 'id')) AS promise_id
    FROM promised GROUP BY customer_id, currency, promise_date
),
promises AS (
    INSERT INTO {promises} (id, customer_id, promised_date, currency, amount, paid_amount,
                            source, state, created_at)
    SELECT promise_id, customer_id, promise_date, currency, amount, 0, %(source)s, %(open)s,
           %(now)s
    FROM open_promises
)
INSERT INTO {lines} (promise_id, item_id, amount, paid_amount, level, release_reason)
SELECT o.promise_id, p.id, p.open_amount, 0, 1, ''
FROM promised p JOIN open_promises o USING (customer_id, currency, promise_date)
"""


def _promises(
    cursor, *, prefix: str, today: datetime.date, now: datetime.datetime, promised: int
) -> int:
    """The customers' payment promises: open ones for the promised items, and a
    past of evaluated ones on the paid items, as the daily job with today's
    grace period would have left them. Returns how many were made."""
    grace_days = QuickPromisePreference.load().grace_days
    in_grace_from = last_day_in_grace(today=today, grace_days=grace_days)
    # The last day a promise evaluated by now may be for: a week ago at the
    # latest, and past its grace period.
    last_date = min(today - datetime.timedelta(days=7), in_grace_from - datetime.timedelta(days=1))
    tables = {
        "items": OpenItem._meta.db_table,
        "customers": Customer._meta.db_table,
        "promises": PaymentPromise._meta.db_table,
        "lines": PromiseItem._meta.db_table,
    }
    params = {"prefix": f"{prefix}%", "promise_table": tables["promises"]}
    cursor.execute(
        _EVALUATED_PROMISES.format(**tables),
        {
            **params,
            "last_date": last_date,
            "after_due": _PROMISED_AFTER_DUE,
            "grace_days": grace_days,
            "promised_share": _PROMISED_BEFORE_PAID,
            "kept_share": _KEPT,
            "partly_share": _PARTLY_KEPT,
            "kept": PromiseState.KEPT,
            "partly_kept": PromiseState.PARTIALLY_KEPT,
            "broken": PromiseState.BROKEN,
            "source": PromiseSource.QUICK_PROMISE,
        },
    )
    cursor.execute(
        _OPEN_PROMISES.format(**tables),
        {
            **params,
            "status": promised,
            "in_grace_from": in_grace_from,
            "source": PromiseSource.STATUS_CHANGE,
            "open": PromiseState.OPEN,
            "now": now,
        },
    )
    cursor.execute(
        f"SELECT count(*) FROM {tables['promises']} p JOIN {tables['customers']} c "
        "ON c.id = p.customer_id WHERE c.code LIKE %s",
        [f"{prefix}%"],
    )
    return cursor.fetchone()[0]


def write_open_items_file(
    stream: TextIO,
    *,
    customers: int,
    items: int,
    seed: int = 1,
    prefix: str = "F",
    today: datetime.date | None = None,
) -> int:
    """Write a made-up ledger as the ERP's morning export: the standard
    open-items file (CSV, the import's columns), outstanding items only. Needs
    no database. Returns the number of item rows written."""
    if items and customers < 1:
        raise GeneratorError("Items need customers: give --customers 1 or more.")
    rng = random.Random(seed)
    maker = _ItemMaker(rng, today=today or timezone.localdate(), now=timezone.now(), statuses={})
    accounts = [
        (f"{prefix}{n:07d}", company_name(rng), _Customer(0, _currency(rng), rng.choice(_TERMS)))
        for n in range(1, customers + 1)
    ]
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for (code, name, customer), count in zip(accounts, _counts(rng, customers, items), strict=True):
        for _ in range(count):
            document_type, number, document_date, due_date, cents, open_cents, currency, *_ = (
                maker.fields(customer, open_only=True)
            )
            writer.writerow(
                (
                    code,
                    name,
                    document_type,
                    number,
                    document_date.isoformat(),
                    due_date.isoformat(),
                    _money(cents),
                    _money(open_cents),
                    currency,
                )
            )
    return maker.sequence
