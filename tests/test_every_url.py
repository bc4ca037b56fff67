"""Every URL of the product, for every kind of person, by GET and by POST: the
signed-out are sent to sign in (a form sent without a session is told so),
people without a role and officers on an administrator's page are refused (403,
or 405 for the wrong method) and change nothing, an id that does not exist is a
404, and nothing ever answers with a server error."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from tests.factories import (
    ActionFactory,
    ActionTemplateFactory,
    AdministratorFactory,
    ItemStatusFactory,
    OfficerFactory,
    OpenItemFactory,
    UserFactory,
    configure_quick_promise,
)
from tests.utils import database_state

pytestmark = pytest.mark.django_db

#: The Admin tab: administrators only.
ADMINISTRATORS_ONLY = ("manage/",)
UNKNOWN = 987654


def _named_urls() -> list[tuple[str, str]]:
    """(name, route) of every page of the product's own (the Django admin, the
    sign-in and the language switch aside)."""
    found = [("home", "")]
    for entry in get_resolver().url_patterns:
        namespace = getattr(entry, "namespace", None)
        if namespace not in ("customers", "collections"):
            continue
        prefix = str(entry.pattern)
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"{namespace}:{pattern.name}", prefix + str(pattern.pattern)))
    return found


URLS = _named_urls()


@pytest.fixture
def world():
    """One of everything a URL can point to."""
    item = OpenItemFactory(status=ItemStatusFactory(kind="dispute"))
    configure_quick_promise()
    return {
        "customer": item.customer.pk,
        "item": item.pk,
        "action": ActionFactory(customer=item.customer).pk,
        "status": ItemStatusFactory().pk,
        "template": ActionTemplateFactory().pk,
    }


def _kwargs(route: str, ids: dict[str, int]) -> dict[str, int]:
    kwargs = {}
    if "<int:pk>" in route:
        owner = (
            "customer"
            if route.startswith("customers/")
            else "action"
            if route.startswith("actions/")
            else "status"
            if "statuses/" in route
            else "template"
        )
        kwargs["pk"] = ids[owner]
    if "<int:item_pk>" in route:
        kwargs["item_pk"] = ids["item"]
    return kwargs


def test_every_page_of_the_product_is_in_this_test():
    names = {name for name, _route in URLS}
    assert {"home", "customers:list", "collections:quick-promise"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize(("name", "route"), URLS, ids=[name for name, _ in URLS])
def test_the_signed_out_are_sent_to_sign_in(client, world, name, route):
    url = reverse(name, kwargs=_kwargs(route, world))
    before = database_state()
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/accounts/login/?next=")
    # A form sent without a session (it expired): the sign-in page, saying so.
    response = client.post(url)
    assert response.status_code == 401, url
    assert database_state() == before


@pytest.mark.parametrize(("name", "route"), URLS, ids=[name for name, _ in URLS])
def test_people_without_a_role_are_refused_and_change_nothing(client, world, name, route):
    client.force_login(UserFactory())
    url = reverse(name, kwargs=_kwargs(route, world))
    before = database_state()
    for method in (client.get, client.post):
        status = method(url).status_code
        # Refused, or the wrong method for the page (said before anything else);
        # the home page sends them on to the customer list, which refuses them.
        assert status in (403, 405) or (name == "home" and status == 302), (method, url)
    assert database_state() == before


@pytest.mark.parametrize(("name", "route"), URLS, ids=[name for name, _ in URLS])
def test_officers_are_kept_out_of_the_admin_tab_and_nothing_fails(client, world, name, route):
    client.force_login(OfficerFactory())
    url = reverse(name, kwargs=_kwargs(route, world))
    if route.startswith(ADMINISTRATORS_ONLY):
        before = database_state()
        for method in (client.get, client.post):
            assert method(url).status_code in (403, 405), (method, url)
        assert database_state() == before
        return
    for method in (client.get, client.post):
        assert method(url).status_code < 500, (method, url)


@pytest.mark.parametrize(("name", "route"), URLS, ids=[name for name, _ in URLS])
def test_administrators_never_meet_a_server_error(client, world, name, route):
    client.force_login(AdministratorFactory())
    url = reverse(name, kwargs=_kwargs(route, world))
    for method in (client.get, client.post):
        assert method(url).status_code < 500, (method, url)


@pytest.mark.parametrize(
    ("name", "route"),
    [(name, route) for name, route in URLS if "<int:" in route],
    ids=[name for name, route in URLS if "<int:" in route],
)
def test_an_id_guessed_is_not_found(client, world, name, route):
    client.force_login(AdministratorFactory())
    guessed = dict.fromkeys(world, UNKNOWN)
    url = reverse(name, kwargs=_kwargs(route, guessed))
    before = database_state()
    for method in (client.get, client.post):
        assert method(url).status_code in (404, 405), (method, url)
    assert database_state() == before


#: Every query-string parameter a page reads (filters, sorts, pages, searches).
PARAMETERS = ("q", "sort", "page", "after", "status", "overdue", "due_from", "due_to", "shown")


@pytest.mark.parametrize(("name", "route"), URLS, ids=[name for name, _ in URLS])
def test_a_null_character_in_the_query_string_is_no_server_error(client, world, name, route):
    """PostgreSQL refuses text with a NUL in it: a page that sends one to the
    database as it came fails, so every page must clean or refuse it."""
    client.force_login(AdministratorFactory())
    url = reverse(name, kwargs=_kwargs(route, world))
    before = database_state()
    for value in ("a\x00b", "\x00"):
        query = dict.fromkeys(PARAMETERS, value)
        assert client.get(url, query).status_code < 500, (url, value)
    assert database_state() == before
