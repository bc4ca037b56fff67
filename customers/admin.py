from django.contrib import admin
from django.http import HttpRequest

from customers.models import Customer, CustomerComment


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "collector", "currency", "updated_at"]
    list_filter = ["currency", "collector"]
    search_fields = ["code", "name"]
    list_select_related = ["collector"]
    autocomplete_fields = ["collector"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False


@admin.register(CustomerComment)
class CustomerCommentAdmin(admin.ModelAdmin):
    """The versions of the customers' comments: history, never edited here."""

    list_display = ["written_at", "customer", "text", "written_by"]
    list_filter = ["written_at"]
    search_fields = ["customer__code", "customer__name", "text"]
    list_select_related = ["customer", "written_by"]
    date_hierarchy = "written_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
