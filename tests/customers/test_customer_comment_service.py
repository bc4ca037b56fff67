"""The customer's comment: any officer edits it, every version is kept, and a
colleague's version is never overwritten unread."""

from __future__ import annotations

import pytest

from customers.models import CustomerComment
from customers.services import CustomerCommentError, current_comment, save_customer_comment
from tests.factories import CustomerFactory, OfficerFactory
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory()


def test_each_save_is_a_new_version(customer, officer, other_officer):
    first = save_customer_comment(
        customer=customer, text=" Pays late ", user=officer, based_on=None
    )
    second = save_customer_comment(
        customer=customer, text="Pays on the 10th", user=other_officer, based_on=first.pk
    )
    assert first.text == "Pays late"
    assert current_comment(customer=customer) == second
    assert list(CustomerComment.objects.order_by("pk").values_list("text", "written_by")) == [
        ("Pays late", officer.pk),
        ("Pays on the 10th", other_officer.pk),
    ]


def test_clearing_it_is_a_version_too(customer, officer):
    first = save_customer_comment(customer=customer, text="Pays late", user=officer, based_on=None)
    cleared = save_customer_comment(customer=customer, text="", user=officer, based_on=first.pk)
    assert current_comment(customer=customer) == cleared
    assert CustomerComment.objects.count() == 2


def test_comments_are_per_customer(customer, officer):
    save_customer_comment(customer=customer, text="Mine", user=officer, based_on=None)
    other = CustomerFactory()
    assert current_comment(customer=other) is None
    save_customer_comment(customer=other, text="Theirs", user=officer, based_on=None)


def test_a_colleagues_version_saved_meanwhile_is_not_overwritten(customer, officer):
    first = save_customer_comment(customer=customer, text="v1", user=officer, based_on=None)
    colleague = OfficerFactory(first_name="Oscar", last_name="Other")
    save_customer_comment(customer=customer, text="v2", user=colleague, based_on=first.pk)
    before = database_state()
    with pytest.raises(CustomerCommentError, match="Oscar Other changed the comment") as error:
        save_customer_comment(customer=customer, text="v3", user=officer, based_on=first.pk)
    assert error.value.code == "stale"
    assert database_state() == before


def test_a_first_comment_written_meanwhile(customer, officer, other_officer):
    # Both opened the empty comment; the second to save is told.
    save_customer_comment(customer=customer, text="v1", user=other_officer, based_on=None)
    without_comment = CustomerFactory()
    before = database_state()
    with pytest.raises(CustomerCommentError, match="while you were editing"):
        save_customer_comment(customer=customer, text="mine", user=officer, based_on=None)
    # A version of another customer's comment, or none at all: a hand-made request.
    with pytest.raises(CustomerCommentError, match="not the current one"):
        save_customer_comment(customer=without_comment, text="x", user=officer, based_on=123)
    assert database_state() == before


@pytest.mark.parametrize(("text", "message"), [("x" * 4001, "limited to 4000"), ("", "unchanged")])
def test_refusals_change_nothing(customer, officer, text, message):
    before = database_state()
    with pytest.raises(CustomerCommentError, match=message):
        save_customer_comment(customer=customer, text=text, user=officer, based_on=None)
    assert database_state() == before
