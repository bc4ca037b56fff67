from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

from collections_app.models import ItemStatus, OpenItem, QuickPromisePreference
from tests.factories import (
    ActionFactory,
    ItemStatusFactory,
    OpenItemFactory,
    PromiseStatusFactory,
    configure_quick_promise,
)
from tests.utils import database_state

pytestmark = pytest.mark.django_db

MODELS = [
    "customers/customer",
    "collections_app/openitem",
    "collections_app/itembalance",
    "collections_app/itemstatus",
    "collections_app/actiontemplate",
    "collections_app/action",
    "collections_app/statuschange",
    "collections_app/importrun",
    "collections_app/importchange",
    "collections_app/quickpromisepreference",
    "collections_app/actionevent",
    "collections_app/paymentpromise",
    "collections_app/democlock",
    "customers/customercomment",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_in_the_django_admin(admin_client_, model):
    app, name = model.split("/")
    OpenItemFactory()
    configure_quick_promise()
    response = admin_client_.get(reverse(f"admin:{app}_{name}_changelist"), {"q": "x"})
    assert response.status_code == 200


def test_officers_cannot_open_the_django_admin(officer_client):
    response = officer_client.get(reverse("admin:collections_app_openitem_changelist"))
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


def test_deleting_a_status_in_use_is_refused_with_a_clear_message(admin_client, admin_user):
    status = ItemStatusFactory(label="Busy")
    OpenItemFactory(status=status)
    before = database_state()
    url = reverse("admin:collections_app_itemstatus_delete", args=[status.pk])
    page = admin_client.get(url)
    assertContains(page, "would require deleting the following protected related objects")
    admin_client.post(url, {"post": "yes"})
    assert ItemStatus.objects.filter(pk=status.pk).exists()
    assert database_state() == before


def test_deleting_a_template_in_use_is_refused_in_bulk_too(admin_client):
    status = PromiseStatusFactory()
    ActionFactory(template=status.action_template)
    before = database_state()
    response = admin_client.post(
        reverse("admin:collections_app_actiontemplate_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [status.action_template.pk],
            "post": "yes",
        },
        follow=True,
    )
    assertContains(response, "protected")
    assert database_state() == before


def test_item_status_and_promise_date_are_read_only(admin_client):
    item = OpenItemFactory()
    page = admin_client.get(reverse("admin:collections_app_openitem_change", args=[item.pk]))
    assert 'name="status"' not in page.content.decode()
    assert 'name="promise_date"' not in page.content.decode()


def test_history_cannot_be_edited(admin_client):
    assert admin_client.get(reverse("admin:collections_app_statuschange_add")).status_code == 403


def test_preference_is_saved_through_the_rules(admin_client):
    status = PromiseStatusFactory()
    configure_quick_promise(status=status, delay_days=1)
    url = reverse("admin:collections_app_quickpromisepreference_change", args=[1])
    before = database_state()
    response = admin_client.post(url, {"status": status.pk, "delay_days": "6"})
    assertContains(response, "The promised payment date must be D+0 to D+5.")
    assert database_state() == before
    response = admin_client.post(url, {"status": status.pk, "delay_days": "4"})
    assert response.status_code == 302
    assert QuickPromisePreference.load().delay_days == 4


def test_the_quick_promise_status_cannot_be_deactivated_in_the_admin(admin_client):
    preference = configure_quick_promise()
    status = preference.status
    url = reverse("admin:collections_app_itemstatus_change", args=[status.pk])
    response = admin_client.post(
        url, {"label": status.label, "kind": status.kind, "action_template": ""}
    )
    assertContains(response, "This is the Quick Promise status")
    status.refresh_from_db()
    assert status.is_active


@pytest.mark.parametrize(
    "model",
    [
        "collections_app/actionevent",
        "customers/customercomment",
        "collections_app/paymentpromise",
        "collections_app/democlock",
    ],
)
def test_the_new_history_cannot_be_edited(admin_client, model):
    app, name = model.split("/")
    assert admin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403


def test_an_items_status_details_and_an_actions_course_are_read_only(admin_client):
    item = OpenItemFactory()
    html = admin_client.get(
        reverse("admin:collections_app_openitem_change", args=[item.pk])
    ).content.decode()
    for name in ("status_comment", "status_date", "resolver", "status_set_by"):
        assert f'name="{name}"' not in html
    action = ActionFactory(customer=item.customer)
    html = admin_client.get(
        reverse("admin:collections_app_action_change", args=[action.pk])
    ).content.decode()
    for name in ("due_date", "assigned_to", "done_at", "done_by", "outcome"):
        assert f'name="{name}"' not in html
    assert 'name="title"' in html


def test_an_items_customer_and_amounts_cannot_be_changed_in_the_admin(admin_client):
    item = OpenItemFactory()
    other = OpenItemFactory().customer
    url = reverse("admin:collections_app_openitem_change", args=[item.pk])
    page = admin_client.get(url).content.decode()
    for name in ("customer", "amount", "open_amount"):
        assert f'name="{name}"' not in page
    before = database_state()
    admin_client.post(url, {"customer": other.pk, "open_amount": "0", "amount": "1"})
    item.refresh_from_db()
    assert item.customer != other
    assert item.open_amount != 0
    assert admin_client.get(reverse("admin:collections_app_openitem_add")).status_code == 403
    assert database_state()["collections_app_openitem"] == before["collections_app_openitem"]


def test_what_the_erp_file_says_of_an_item_is_not_changed_in_the_admin(admin_client):
    item = OpenItemFactory(amount=Decimal("1200.00"))
    url = reverse("admin:collections_app_openitem_change", args=[item.pk])
    page = admin_client.get(url).content.decode()
    for name in ("number", "document_type", "document_date", "due_date", "currency"):
        assert f'name="{name}"' not in page
    fields = ("number", "document_type", "document_date", "due_date", "currency")
    before = OpenItem.objects.values(*fields).get(pk=item.pk)
    response = admin_client.post(
        url,
        {
            "number": "OTHER",
            "document_type": "credit_note",
            "due_date": "2030-01-01",
            "currency": "USD",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302  # saved: with nothing it could change
    assert OpenItem.objects.values(*fields).get(pk=item.pk) == before


def test_the_database_refuses_a_credit_note_with_a_positive_amount():
    item = OpenItemFactory(amount=Decimal("1200.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpenItem.objects.filter(pk=item.pk).update(document_type="credit_note")


def test_actions_are_not_created_or_relinked_in_the_admin(admin_client):
    action = ActionFactory()
    assert admin_client.get(reverse("admin:collections_app_action_add")).status_code == 403
    page = admin_client.get(reverse("admin:collections_app_action_change", args=[action.pk]))
    assert 'name="items"' not in page.content.decode()
    assert 'name="customer"' not in page.content.decode()
