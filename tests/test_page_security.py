"""Every page works under the strict Content-Security-Policy: no inline script,
no inline style, no event-handler attribute."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import (
    ActionFactory,
    CreditNoteFactory,
    ItemStatusFactory,
    OpenItemFactory,
    configure_quick_promise,
)

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name in attributes:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            if name in ("href", "src", "action") and str(attributes[name]).startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")


def pages(administrator, customer_pk, status_pk, template_pk):
    return [
        reverse("login"),
        reverse("customers:list"),
        reverse("customers:detail", args=[customer_pk]),
        reverse("collections:reminders", args=[customer_pk]),
        reverse("collections:my-actions"),
        reverse("collections:statuses"),
        reverse("collections:status-create"),
        reverse("collections:status-edit", args=[status_pk]),
        reverse("collections:templates"),
        reverse("collections:template-create"),
        reverse("collections:template-edit", args=[template_pk]),
        reverse("collections:preferences"),
        "/no-such-page/",
    ]


def test_no_page_needs_inline_code(admin_client_, administrator):
    preference = configure_quick_promise()
    item = OpenItemFactory(status=preference.status)
    CreditNoteFactory(customer=item.customer)
    ActionFactory(customer=item.customer, assigned_to=administrator).items.add(item)
    urls = pages(
        administrator, item.customer.pk, preference.status.pk, preference.status.action_template.pk
    )
    dispute = ItemStatusFactory(kind="dispute")
    disputed = OpenItemFactory(customer=item.customer, status=dispute)
    urls += [
        reverse("collections:history", args=[item.customer.pk]),
        reverse("collections:action", args=[item.customer.actions.get().pk]),
        reverse("collections:item-resolver", args=[item.customer.pk, disputed.pk]),
    ]
    for url in urls:
        response = admin_client_.get(url)
        assert response.status_code in (200, 302, 404), url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.problems == [], url


def test_the_forms_pages_without_javascript_need_no_inline_code(admin_client_):
    item = OpenItemFactory()
    for name in ("collections:change-status", "collections:new-action"):
        response = admin_client_.post(
            reverse(name, args=[item.customer.pk]), {"items": [item.pk], "open": "1"}
        )
        assert response.status_code == 200
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.problems == [], name


def test_htmx_comes_without_the_debug_helper_that_would_hide_refusals(officer_client, settings):
    """django-htmx's debug helper (DEBUG only) replaces the whole page with any
    403 or 404 answer to an htmx request; the product answers those with a
    readable message swapped into the page, on the demo (DEBUG on) too."""
    settings.DEBUG = True
    page = officer_client.get(reverse("customers:list")).content.decode()
    assert "django_htmx/htmx-2.min" in page
    assert "django-htmx.js" not in page
