from django.urls import path

from collections_app.views import actions, history, manage, promises, statement, work

app_name = "collections"

urlpatterns = [
    path("customers/<int:pk>/reminders/", statement.reminders, name="reminders"),
    path(
        "customers/<int:pk>/reminders/quick-promise/",
        statement.quick_promise,
        name="quick-promise",
    ),
    path(
        "customers/<int:pk>/reminders/change-status/",
        work.change_status,
        name="change-status",
    ),
    path("customers/<int:pk>/reminders/new-action/", work.new_action, name="new-action"),
    path(
        "customers/<int:pk>/items/<int:item_pk>/resolver/",
        work.item_resolver,
        name="item-resolver",
    ),
    path("customers/<int:pk>/history/", history.history, name="history"),
    path("customers/<int:pk>/promises/", promises.promises, name="promises"),
    path(
        "customers/<int:pk>/history/comment/",
        history.customer_comment,
        name="customer-comment",
    ),
    path("actions/", actions.my_actions, name="my-actions"),
    path("actions/<int:pk>/", actions.action_page, name="action"),
    path("actions/<int:pk>/done/", actions.action_done, name="action-done"),
    path("actions/<int:pk>/reschedule/", actions.action_reschedule, name="action-reschedule"),
    path("actions/<int:pk>/reassign/", actions.action_reassign, name="action-reassign"),
    path("manage/statuses/", manage.statuses, name="statuses"),
    path("manage/statuses/new/", manage.status_create, name="status-create"),
    path("manage/statuses/<int:pk>/", manage.status_edit, name="status-edit"),
    path("manage/statuses/<int:pk>/delete/", manage.status_delete, name="status-delete"),
    path("manage/templates/", manage.templates, name="templates"),
    path("manage/templates/new/", manage.template_create, name="template-create"),
    path("manage/templates/<int:pk>/", manage.template_edit, name="template-edit"),
    path("manage/templates/<int:pk>/delete/", manage.template_delete, name="template-delete"),
    path("manage/preferences/", manage.preferences, name="preferences"),
    path(
        "manage/preferences/promises/",
        manage.promise_preferences,
        name="promise-preferences",
    ),
]
