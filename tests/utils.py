"""Helpers shared by the tests."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser

from django.apps import apps
from django.db import connection

#: The tables whose content is the product's data.
DATA_APPS = ("customers", "collections_app")


def database_state() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every data table.

    Two equal states mean the data is byte-for-byte the same: nothing was
    written, not even a row deleted and put back.
    """
    state = {}
    with connection.cursor() as cursor:
        for label in DATA_APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(
                    "SELECT count(*), "
                    "coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                    f"FROM {table} AS t"
                )
                count, digest = cursor.fetchone()
                state[model._meta.db_table] = (count, digest)
    return state


_BALANCE_GROUPS = (
    "SELECT customer_id, currency, due_date, document_type, is_debit, sum(n), sum(amount) "
    "FROM ({rows}) AS r GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 OR sum(amount) <> 0 "
    "ORDER BY 1, 2, 3, 4, 5"
)


def balance_groups() -> tuple[list[tuple], list[tuple]]:
    """Every group of outstanding items (customer, currency, due date, type,
    sign) with its count and open amount: summed from the items, and from the
    running balances PostgreSQL keeps (``ItemBalance``). They must be equal."""
    with connection.cursor() as cursor:
        cursor.execute(
            _BALANCE_GROUPS.format(
                rows="SELECT customer_id, currency, due_date, document_type, "
                "open_amount > 0 AS is_debit, 1 AS n, open_amount AS amount "
                "FROM collections_app_openitem WHERE open_amount <> 0"
            )
        )
        from_items = cursor.fetchall()
        cursor.execute(
            _BALANCE_GROUPS.format(
                rows="SELECT customer_id, currency, due_date, document_type, is_debit, "
                "item_count AS n, open_total AS amount FROM collections_app_itembalance"
            )
        )
        from_balances = cursor.fetchall()
    return from_items, from_balances


def assert_balances_agree() -> None:
    from_items, from_balances = balance_groups()
    assert from_balances == from_items


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class _ElementFinder(HTMLParser):
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        super().__init__()
        self.tag = tag
        self.wanted = attrs
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag != self.tag:
            return
        attributes = dict(attrs)
        for name, value in self.wanted.items():
            if name not in attributes:
                return
            if value is not None and attributes[name] != value:
                return
        self.found.append(attributes)

    handle_startendtag = handle_starttag


def elements(html: str | bytes, tag: str, **attrs: str | None) -> list[dict[str, str | None]]:
    """The attributes of every ``tag`` element having the given attributes
    (``None`` matches any value; ``data_ready`` stands for ``data-ready``)."""
    if isinstance(html, bytes):
        html = html.decode()
    finder = _ElementFinder(tag, {name.replace("_", "-"): value for name, value in attrs.items()})
    finder.feed(html)
    return finder.found


def element(html: str | bytes, tag: str, **attrs: str | None) -> dict[str, str | None]:
    """The attributes of the one ``tag`` element having the given attributes."""
    found = elements(html, tag, **attrs)
    assert len(found) == 1, f"{len(found)} <{tag}> elements match {attrs}"
    return found[0]
