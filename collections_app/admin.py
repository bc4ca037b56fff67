"""The Django admin, for data fixes.

An item's status, promise date and their details are read-only here, and so are
an action's due date, assignee and completion: they change only through the
services, which write the history. The history itself is never edited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from collections_app.models import (
    DEFAULT_FOLLOW_UP_DAYS,
    Action,
    ActionEvent,
    ActionTemplate,
    DemoClock,
    ImportChange,
    ImportRun,
    ItemBalance,
    ItemStatus,
    OpenItem,
    PaymentPromise,
    PromiseItem,
    QuickPromisePreference,
    StatusChange,
    StatusKind,
)
from collections_app.services.settings import (
    save_item_status,
    save_quick_promise_preference,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ActionTemplate)
class ActionTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "action_type", "title"]
    list_filter = ["action_type"]
    search_fields = ["name", "title"]


class ItemStatusAdminForm(forms.ModelForm):
    class Meta:
        model = ItemStatus
        fields = ["label", "kind", "action_template", "follow_up_days", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up_days"].required = False

    def clean_follow_up_days(self) -> int:
        days = self.cleaned_data["follow_up_days"]
        return DEFAULT_FOLLOW_UP_DAYS if days is None else days

    def clean(self):
        cleaned = super().clean()
        if (
            self.instance.pk is not None
            and (cleaned.get("is_active") is False or cleaned.get("kind") != StatusKind.PROMISE)
            and QuickPromisePreference.load().status_id == self.instance.pk
        ):
            raise forms.ValidationError(
                _(
                    "This is the Quick Promise status: it stays an active promise-to-pay "
                    "status. Choose another status in Preferences before deactivating it or "
                    "changing its kind."
                )
            )
        return cleaned


@admin.register(ItemStatus)
class ItemStatusAdmin(admin.ModelAdmin):
    form = ItemStatusAdminForm
    list_display = ["label", "kind", "action_template", "follow_up_days", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["label"]
    list_select_related = ["action_template"]

    def save_model(self, request, obj, form, change) -> None:
        save_item_status(status=obj)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fk_name = "item"
    fields = [
        "changed_at",
        "cause",
        "status_before",
        "status_after",
        "promise_date_before",
        "promise_date_after",
        "status_date_after",
        "comment",
        "resolver",
        "changed_by",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-changed_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OpenItem)
class OpenItemAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "customer",
        "document_type",
        "due_date",
        "amount",
        "open_amount",
        "currency",
        "status",
        "promise_date",
    ]
    list_filter = ["document_type", "status", "currency", "due_date", "promise_date"]
    search_fields = ["number", "customer__code", "customer__name"]
    list_select_related = ["customer", "status"]
    raw_id_fields = ["customer"]
    # What the ERP's file says (the customer, number, type, dates, amounts and
    # currency) comes from the file: fix it there and load the file again (a
    # payment arrives through an import, where it is logged; a change made here
    # would be undone by the next import, or would make an invoice a credit note
    # with a positive amount). The status changes through the product, which
    # writes the history.
    readonly_fields = [
        "customer",
        "number",
        "document_type",
        "document_date",
        "due_date",
        "currency",
        "amount",
        "open_amount",
        "status",
        "promise_date",
        "status_date",
        "status_comment",
        "status_set_by",
        "status_set_at",
        "resolver",
        "closed_at",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "due_date"
    inlines = [StatusChangeInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Items come from the ERP's file (import_open_items).


@admin.register(ItemBalance)
class ItemBalanceAdmin(ReadOnlyAdmin):
    """The running totals PostgreSQL keeps of the outstanding items (read only:
    written by the database's triggers, folded by compaction)."""

    list_display = [
        "customer",
        "currency",
        "due_date",
        "document_type",
        "is_debit",
        "item_count",
        "open_total",
    ]
    list_filter = ["currency", "document_type", "is_debit"]
    search_fields = ["customer__code", "customer__name"]
    list_select_related = ["customer"]
    show_full_result_count = False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "action_type", "due_date", "assigned_to", "done_at"]
    list_filter = ["action_type", "due_date", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "customer__code", "customer__name"]
    list_select_related = ["customer", "assigned_to"]
    autocomplete_fields = ["created_by"]
    # Actions are created, rescheduled, reassigned and completed in the product,
    # which checks the items are the customer's and keeps the action's trail.
    readonly_fields = [
        "customer",
        "items",
        "template",
        "due_date",
        "assigned_to",
        "created_by",
        "created_at",
        "done_at",
        "done_by",
        "outcome",
    ]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ActionEvent)
class ActionEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "customer", "kind", "by", "due_date_after", "assigned_after"]
    list_filter = ["kind", "at"]
    search_fields = ["action__title", "customer__code", "customer__name"]
    list_select_related = ["action", "customer", "by", "assigned_after"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "changed_at",
        "item",
        "cause",
        "status_before",
        "status_after",
        "promise_date_before",
        "promise_date_after",
        "resolver",
        "changed_by",
    ]
    list_filter = ["cause", "changed_at"]
    search_fields = ["item__number", "item__customer__code"]
    list_select_related = ["item", "status_before", "status_after", "resolver", "changed_by"]
    date_hierarchy = "changed_at"
    show_full_result_count = False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "file_name",
        "snapshot",
        "rows_read",
        "created",
        "updated",
        "unchanged",
        "closed",
        "rejected",
        "user",
    ]
    list_filter = ["snapshot", "started_at"]
    search_fields = ["file_name"]


@admin.register(ImportChange)
class ImportChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "item", "kind", "open_amount_before", "open_amount_after", "run"]
    list_filter = ["kind", "changed_at"]
    search_fields = ["item__number", "item__customer__code"]
    list_select_related = ["item", "run"]
    date_hierarchy = "changed_at"
    show_full_result_count = False


class PromiseItemInline(admin.TabularInline):
    model = PromiseItem
    fields = ["item", "amount", "paid_amount", "level", "released_at", "release_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentPromise)
class PaymentPromiseAdmin(ReadOnlyAdmin):
    """Promises are written by the services only (made, superseded, evaluated)."""

    list_display = [
        "promised_date",
        "customer",
        "state",
        "amount",
        "paid_amount",
        "currency",
        "source",
        "created_by",
        "evaluated_at",
    ]
    list_filter = ["state", "source", "promised_date"]
    search_fields = ["customer__code", "customer__name"]
    list_select_related = ["customer", "created_by"]
    date_hierarchy = "promised_date"
    inlines = [PromiseItemInline]
    show_full_result_count = False


@admin.register(DemoClock)
class DemoClockAdmin(ReadOnlyAdmin):
    list_display = ["cutoff", "aligned_on", "updated_at"]


@admin.register(QuickPromisePreference)
class QuickPromisePreferenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "delay_days", "grace_days", "updated_at", "updated_by"]
    fields = ["status", "delay_days", "grace_days", "broken_status", "updated_at", "updated_by"]
    # The promise tracking is saved from Preferences (its own form, its service).
    readonly_fields = ["grace_days", "broken_status", "updated_at", "updated_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row at most, created by the first save.
        return super().has_add_permission(request) and not QuickPromisePreference.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["queryset"] = ItemStatus.objects.filter(is_active=True, kind=StatusKind.PROMISE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["status"].required = True
        form.base_fields["delay_days"].required = True
        return form

    def save_model(self, request, obj, form, change) -> None:
        save_quick_promise_preference(
            status=obj.status, delay_days=obj.delay_days, user=request.user
        )


admin.site.site_header = _("Collections: data fixes")
admin.site.site_title = _("Collections data fixes")
admin.site.index_title = _("Data fixes")
