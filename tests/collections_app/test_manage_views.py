from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from collections_app.models import ActionTemplate, ItemStatus, QuickPromisePreference, StatusKind
from tests.factories import (
    ActionTemplateFactory,
    ItemStatusFactory,
    OpenItemFactory,
    PromiseStatusFactory,
    UserFactory,
    configure_quick_promise,
)
from tests.utils import database_state, elements

pytestmark = pytest.mark.django_db
PREFERENCES = reverse("collections:preferences")


class TestPreferences:
    def test_shows_the_two_drop_downs_and_validate(self, admin_client_):
        active = PromiseStatusFactory(label="Promise to pay")
        ItemStatusFactory(label="Old promise", is_active=False)
        response = admin_client_.get(PREFERENCES)
        assert response.status_code == 200
        assertContains(response, "Quick payment promise status")
        assertContains(response, "Promised payment date")
        assertContains(
            response, '<button type="submit" class="button-primary">Validate</button>', html=True
        )
        options = [o["value"] for o in elements(response.content, "option")]
        assert str(active.pk) in options
        assert "Old promise" not in response.content.decode()  # active statuses only
        for days in range(6):
            assertContains(response, f">D+{days}</option>")
        assertContains(response, "Not configured yet")

    def test_saves_and_confirms(self, admin_client_, administrator):
        status = PromiseStatusFactory(label="Promise to pay")
        response = admin_client_.post(PREFERENCES, {"status": status.pk, "delay_days": "3"})
        assert response.status_code == 302
        preference = QuickPromisePreference.load()
        assert preference.status == status
        assert preference.delay_days == 3
        assert preference.updated_by == administrator
        page = admin_client_.get(response["Location"])
        assertContains(
            page,
            "Quick Promise preferences saved: status “Promise to pay”, promised payment date D+3.",
        )
        assertContains(page, "by Ada Admin).")  # the name, as every other page shows people
        selected = [option["value"] for option in elements(page.content, "option", selected=None)]
        # The two choices, "None" for the broken promise status (promise tracking),
        # and the footer's language.
        assert sorted(selected) == sorted([str(status.pk), "3", "", "en-gb"])
        assert QuickPromisePreference.objects.count() == 1

    @pytest.mark.parametrize(
        ("delay", "message"),
        [
            ("6", "is not a promised payment date"),
            ("-1", "is not a promised payment date"),
            ("D+3", "is not a promised payment date"),
            ("", "Choose the promised payment date"),
            ("3.0", "is not a promised payment date"),
        ],
    )
    def test_refuses_a_bad_delay(self, admin_client_, delay, message):
        status = PromiseStatusFactory()
        before = database_state()
        response = admin_client_.post(PREFERENCES, {"status": status.pk, "delay_days": delay})
        assertContains(response, message, status_code=422)
        assert database_state() == before

    def test_refuses_an_inactive_status(self, admin_client_):
        status = ItemStatusFactory(is_active=False)
        before = database_state()
        response = admin_client_.post(PREFERENCES, {"status": status.pk, "delay_days": "2"})
        assertContains(response, "does not exist, is inactive", status_code=422)
        assert database_state() == before

    def test_refuses_a_status_that_is_not_a_promise(self, admin_client_):
        dispute = ItemStatusFactory(label="In dispute", kind=StatusKind.DISPUTE)
        before = database_state()
        response = admin_client_.post(PREFERENCES, {"status": dispute.pk, "delay_days": "2"})
        assertContains(response, "is not a promise-to-pay status", status_code=422)
        assert database_state() == before

    def test_the_quick_promise_status_keeps_its_kind(self, admin_client_):
        preference = configure_quick_promise()
        before = database_state()
        response = admin_client_.post(
            reverse("collections:status-edit", args=[preference.status.pk]),
            {"label": preference.status.label, "kind": "litigation", "is_active": "on"},
        )
        assertContains(response, "is the Quick Promise status", status_code=422)
        assert database_state() == before

    def test_refuses_a_missing_status(self, admin_client_):
        before = database_state()
        response = admin_client_.post(PREFERENCES, {"status": "424242", "delay_days": "2"})
        assertContains(response, "does not exist, is inactive", status_code=422)
        response = admin_client_.post(PREFERENCES, {"delay_days": "2"})
        assertContains(response, "Choose the status", status_code=422)
        assert database_state() == before

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_officers_are_refused(self, officer_client, method):
        status = PromiseStatusFactory()
        before = database_state()
        response = getattr(officer_client, method)(
            PREFERENCES, {"status": status.pk, "delay_days": "2"}
        )
        assert response.status_code == 403
        assert database_state() == before

    def test_anonymous_is_asked_to_sign_in(self, client):
        response = client.get(PREFERENCES)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        response = client.post(PREFERENCES, {"status": "1", "delay_days": "2"})
        assertContains(response, "nothing was changed", status_code=401)


class TestStatuses:
    def test_list(self, admin_client_):
        configure_quick_promise(status=PromiseStatusFactory(label="Promise to pay"))
        ItemStatusFactory(label="Litigation", kind=StatusKind.LITIGATION)
        response = admin_client_.get(reverse("collections:statuses"))
        assertContains(response, "Manage item status (disputes, etc.)")
        assertContains(response, "Promise to pay")
        assertContains(response, "(Quick Promise status)")
        assertContains(response, "Litigation")

    def test_create_with_a_follow_up_template(self, admin_client_):
        template = ActionTemplateFactory(name="Call back")
        response = admin_client_.post(
            reverse("collections:status-create"),
            {
                "label": "Promised",
                "kind": "promise",
                "action_template": template.pk,
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        status = ItemStatus.objects.get(label="Promised")
        assert status.action_template == template
        assert status.is_active
        assertContains(admin_client_.get(response["Location"]), "Status “Promised” created.")

    def test_create_refuses_a_duplicate_label_and_a_bad_kind(self, admin_client_):
        ItemStatusFactory(label="Promised")
        before = database_state()
        response = admin_client_.post(
            reverse("collections:status-create"), {"label": "Promised", "kind": "promise"}
        )
        assertContains(response, "already exists", status_code=422)
        response = admin_client_.post(
            reverse("collections:status-create"), {"label": "New", "kind": "whatever"}
        )
        assertContains(response, "Select a valid choice", status_code=422)
        assert database_state() == before

    def test_edit_and_deactivate(self, admin_client_):
        status = ItemStatusFactory(label="Reminder")
        response = admin_client_.post(
            reverse("collections:status-edit", args=[status.pk]),
            {"label": "Reminder sent", "kind": "ongoing"},
        )
        assert response.status_code == 302
        status.refresh_from_db()
        assert status.label == "Reminder sent"
        assert not status.is_active

    def test_the_quick_promise_status_cannot_be_deactivated(self, admin_client_):
        preference = configure_quick_promise()
        before = database_state()
        response = admin_client_.post(
            reverse("collections:status-edit", args=[preference.status.pk]),
            {"label": preference.status.label, "kind": "promise"},
        )
        assertContains(response, "is the Quick Promise status", status_code=422)
        assert database_state() == before

    def test_delete_an_unused_status(self, admin_client_):
        status = ItemStatusFactory()
        response = admin_client_.post(reverse("collections:status-delete", args=[status.pk]))
        assert response.status_code == 302
        assert not ItemStatus.objects.filter(pk=status.pk).exists()

    def test_a_status_in_use_cannot_be_deleted(self, admin_client_):
        status = ItemStatusFactory(label="Busy")
        OpenItemFactory(status=status)
        before = database_state()
        response = admin_client_.post(reverse("collections:status-delete", args=[status.pk]))
        assertContains(response, "“Busy” is still in use", status_code=409)
        assertContains(response, "deactivate it instead", status_code=409)
        assert database_state() == before

    def test_delete_by_get_is_refused(self, admin_client_):
        status = ItemStatusFactory()
        assert (
            admin_client_.get(reverse("collections:status-delete", args=[status.pk])).status_code
            == 405
        )

    @pytest.mark.parametrize(
        ("name", "method", "args"),
        [
            ("collections:statuses", "get", False),
            ("collections:status-create", "get", False),
            ("collections:status-create", "post", False),
            ("collections:status-edit", "get", True),
            ("collections:status-edit", "post", True),
            ("collections:status-delete", "post", True),
            ("collections:templates", "get", False),
            ("collections:template-create", "post", False),
            ("collections:template-edit", "post", True),
            ("collections:template-delete", "post", True),
        ],
    )
    def test_officers_and_users_without_a_role_are_refused(
        self, client, officer, name, method, args
    ):
        status = ItemStatusFactory()
        template = ActionTemplateFactory()
        pk = status.pk if "status" in name else template.pk
        url = reverse(name, args=[pk] if args else [])
        before = database_state()
        for user in (officer, UserFactory()):
            client.force_login(user)
            response = getattr(client, method)(url, {"label": "X", "kind": "promise", "name": "X"})
            assert response.status_code == 403
        client.logout()
        assert getattr(client, method)(url).status_code == (302 if method == "get" else 401)
        assert database_state() == before


class TestTemplates:
    def test_create_edit_delete(self, admin_client_):
        response = admin_client_.post(
            reverse("collections:template-create"),
            {"name": "Call back", "action_type": "call", "title": "", "text": "Ask for a date"},
        )
        assert response.status_code == 302
        template = ActionTemplate.objects.get(name="Call back")
        assert template.action_title == "Call back"
        response = admin_client_.post(
            reverse("collections:template-edit", args=[template.pk]),
            {"name": "Call back", "action_type": "email", "title": "Write", "text": ""},
        )
        assert response.status_code == 302
        template.refresh_from_db()
        assert template.action_type == "email"
        response = admin_client_.post(reverse("collections:template-delete", args=[template.pk]))
        assert response.status_code == 302
        assert not ActionTemplate.objects.exists()

    def test_a_template_in_use_cannot_be_deleted(self, admin_client_):
        status = PromiseStatusFactory(action_template__name="Call back")
        before = database_state()
        response = admin_client_.post(
            reverse("collections:template-delete", args=[status.action_template.pk])
        )
        assertContains(response, "“Call back” is still used", status_code=409)
        assert database_state() == before

    def test_list(self, admin_client_):
        ActionTemplateFactory(name="Call back")
        assertContains(admin_client_.get(reverse("collections:templates")), "Call back")


class TestFollowUpDays:
    URL = reverse("collections:status-create")

    def test_a_new_status_has_seven_unless_told(self, admin_client_):
        admin_client_.post(self.URL, {"label": "Dispute", "kind": "dispute", "is_active": "on"})
        assert ItemStatus.objects.get(label="Dispute").follow_up_days == 7
        admin_client_.post(
            self.URL,
            {
                "label": "Litigation",
                "kind": "litigation",
                "follow_up_days": "30",
                "is_active": "on",
            },
        )
        assert ItemStatus.objects.get(label="Litigation").follow_up_days == 30
        assertContains(
            admin_client_.get(reverse("collections:statuses")), '<td class="num">30</td>'
        )

    @pytest.mark.parametrize(
        ("days", "message"),
        [("367", "less than or equal to 366"), ("-1", "greater than or equal to 0")],
    )
    def test_refuses_more_than_a_year_or_less_than_none(self, admin_client_, days, message):
        before = database_state()
        response = admin_client_.post(
            self.URL, {"label": "Dispute", "kind": "dispute", "follow_up_days": days}
        )
        assertContains(response, message, status_code=422)
        assert database_state() == before
