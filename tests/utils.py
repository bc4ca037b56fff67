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
