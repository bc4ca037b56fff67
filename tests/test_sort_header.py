"""The sortable column headers of the statement and the customer list."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from tests.utils import element


def header(current: str, *, numeric: bool = False, prefix: str = "") -> str:
    template = Template(
        '{% load sort_header %}{% sort_header "due_date" label current prefix numeric=numeric %}'
    )
    context = {"label": "Due <date>", "current": current, "prefix": prefix, "numeric": numeric}
    return template.render(Context(context))


@pytest.mark.parametrize(
    ("current", "numeric", "href", "aria_sort"),
    [
        ("number", False, "?sort=due_date", None),
        ("number", True, "?sort=-due_date", None),  # amounts: largest first
        ("due_date", False, "?sort=-due_date", "ascending"),
        ("-due_date", False, "?sort=due_date", "descending"),
        ("-due_date", True, "?sort=due_date", "descending"),
    ],
)
def test_the_link_sorts_and_a_second_click_reverses(current, numeric, href, aria_sort):
    html = header(current, numeric=numeric)
    th = element(html, "th")
    assert th.get("aria-sort") == aria_sort
    assert th["scope"] == "col"
    assert th.get("class") == ("num" if numeric else None)
    assert element(html, "a")["href"] == href
    assert ">Due &lt;date&gt;</a>" in html


def test_the_filters_are_kept_and_everything_is_escaped():
    html = header("number", prefix='overdue=on&q="x"&')
    assert element(html, "a")["href"] == '?overdue=on&q="x"&sort=due_date'
    assert 'href="?overdue=on&amp;q=&quot;x&quot;&amp;sort=due_date"' in html
