from django.contrib import admin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "collector", "currency", "updated_at"]
    list_filter = ["currency", "collector"]
    search_fields = ["code", "name"]
    list_select_related = ["collector"]
    autocomplete_fields = ["collector"]
    readonly_fields = ["created_at", "updated_at"]
    show_full_result_count = False
