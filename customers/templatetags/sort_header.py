"""A sortable column's header, for the statement and the customer list.

A tag rather than an included template: a page has five or six of them, and
each include costs about ten times what building the header here does.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def sort_header(
    key: str, label: str, current: str, query_prefix: str = "", *, numeric: bool = False
) -> SafeString:
    """``<th>`` linking to the list sorted by ``key``; a second click reverses,
    and amounts (``numeric``) come largest first on the first click."""
    if current == key:
        sort, aria = f"-{key}", ' aria-sort="ascending"'
    elif current == f"-{key}":
        sort, aria = key, ' aria-sort="descending"'
    else:
        sort, aria = (f"-{key}" if numeric else key), ""
    href = conditional_escape(f"?{query_prefix}sort={sort}")
    css = ' class="num"' if numeric else ""
    return mark_safe(
        f'<th scope="col"{css}{aria}><a href="{href}">{conditional_escape(label)}</a></th>'
    )
