from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from collections_app.models import (
    Action,
    ActionTemplate,
    ActionType,
    DocumentType,
    ItemStatus,
    OpenItem,
    QuickPromisePreference,
    StatusKind,
)
from collections_app.roles import ADMINISTRATORS, OFFICERS
from customers.models import Customer

PASSWORD = "correct-horse-battery-staple"


def _role(default: str | None) -> factory.PostGeneration:
    """Put the user in a role's group (``role=...`` picks another one)."""

    def add(user, create, extracted, **kwargs):
        name = extracted or default
        if create and name:
            user.groups.add(Group.objects.get(name=name))

    return factory.PostGeneration(add)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)
    role = _role(None)


class OfficerFactory(UserFactory):
    role = _role(OFFICERS)


class AdministratorFactory(UserFactory):
    role = _role(ADMINISTRATORS)
    is_staff = True


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:06d}")
    name = factory.Faker("company")
    currency = "EUR"


class ActionTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    action_type = ActionType.CALL
    title = "Check that the promised payment arrived"
    text = "Call the customer if it did not."


class ItemStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemStatus

    label = factory.Sequence(lambda n: f"Status {n}")
    kind = StatusKind.ONGOING
    is_active = True


class PromiseStatusFactory(ItemStatusFactory):
    label = factory.Sequence(lambda n: f"Promise to pay {n}")
    kind = StatusKind.PROMISE
    action_template = factory.SubFactory(ActionTemplateFactory)


class OpenItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpenItem

    customer = factory.SubFactory(CustomerFactory)
    number = factory.Sequence(lambda n: f"INV{n:07d}")
    document_type = DocumentType.INVOICE
    document_date = datetime.date(2026, 10, 1)
    due_date = datetime.date(2026, 10, 31)
    amount = Decimal("1200.00")
    open_amount = factory.LazyAttribute(lambda item: item.amount)
    currency = "EUR"


class CreditNoteFactory(OpenItemFactory):
    number = factory.Sequence(lambda n: f"CN{n:07d}")
    document_type = DocumentType.CREDIT_NOTE
    amount = Decimal("-150.00")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Follow-up {n}")
    due_date = datetime.date(2026, 12, 3)


def configure_quick_promise(*, status: ItemStatus | None = None, delay_days: int = 3):
    """Configure Quick Promise as an administrator would (a promise status with a
    follow-up template unless one is given)."""
    preference = QuickPromisePreference.load()
    preference.status = status or PromiseStatusFactory()
    preference.delay_days = delay_days
    preference.save()
    return preference
