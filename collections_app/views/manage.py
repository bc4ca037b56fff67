"""Admin tab › Manage item status (disputes, etc.): statuses, templates, Preferences."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collections_app.forms import (
    ActionTemplateForm,
    ItemStatusForm,
    PromiseTrackingForm,
    QuickPromisePreferenceForm,
)
from collections_app.models import ActionTemplate, ItemStatus, QuickPromisePreference
from collections_app.services.settings import (
    SettingsError,
    delete_action_template,
    delete_item_status,
    save_action_template,
    save_item_status,
    save_promise_tracking,
    save_quick_promise_preference,
)


@permission_required("collections_app.change_itemstatus", raise_exception=True)
@require_http_methods(["GET"])
def statuses(request: HttpRequest) -> HttpResponse:
    return _render_statuses(request)


def _render_statuses(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    preference = QuickPromisePreference.load()
    rows = ItemStatus.objects.select_related("action_template").annotate(item_count=Count("items"))
    return render(
        request,
        "collections_app/manage/statuses.html",
        {"statuses": rows, "preference": preference, "manage_tab": "statuses"},
        status=status,
    )


@permission_required("collections_app.change_actiontemplate", raise_exception=True)
@require_http_methods(["GET"])
def templates(request: HttpRequest) -> HttpResponse:
    return _render_templates(request)


def _render_templates(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    rows = ActionTemplate.objects.annotate(status_count=Count("statuses"))
    return render(
        request,
        "collections_app/manage/templates.html",
        {"templates": rows, "manage_tab": "templates"},
        status=status,
    )


def _edit(
    request: HttpRequest,
    *,
    form_class: type[ModelForm],
    instance: Model | None,
    save: Callable[[Model], Model],
    done_url: str,
    saved_message: str,
    title: str,
    manage_tab: str,
) -> HttpResponse:
    """Show a create/edit form; on a valid POST, save through the service."""
    form = form_class(request.POST if request.method == "POST" else None, instance=instance)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save(form.instance)
            except SettingsError as error:
                form.add_error(None, error.text)
            else:
                messages.success(request, saved_message % {"name": str(saved)})
                return redirect(done_url)
        status = 422
    return render(
        request,
        "collections_app/manage/edit.html",
        {
            "form": form,
            "title": title,
            "cancel_url": done_url,
            "manage_tab": manage_tab,
            "object": instance,
        },
        status=status,
    )


@permission_required("collections_app.add_itemstatus", raise_exception=True)
@require_http_methods(["GET", "POST"])
def status_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=ItemStatusForm,
        instance=None,
        save=lambda status: save_item_status(status=status),
        done_url="collections:statuses",
        saved_message=_("Status “%(name)s” created."),
        title=_("New item status"),
        manage_tab="statuses",
    )


@permission_required("collections_app.change_itemstatus", raise_exception=True)
@require_http_methods(["GET", "POST"])
def status_edit(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(ItemStatus, pk=pk)
    return _edit(
        request,
        form_class=ItemStatusForm,
        instance=status,
        save=lambda status: save_item_status(status=status),
        done_url="collections:statuses",
        saved_message=_("Status “%(name)s” saved."),
        title=_("Edit item status “%(label)s”") % {"label": status.label},
        manage_tab="statuses",
    )


@permission_required("collections_app.delete_itemstatus", raise_exception=True)
@require_POST
def status_delete(request: HttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(ItemStatus, pk=pk)
    try:
        delete_item_status(status=status)
    except SettingsError as error:
        # Still in use: the list again, saying why (409: the request conflicts
        # with the data as it is).
        messages.error(request, error.text)
        return _render_statuses(request, status=409)
    messages.success(request, _("Status “%(label)s” deleted.") % {"label": status.label})
    return redirect("collections:statuses")


@permission_required("collections_app.add_actiontemplate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        form_class=ActionTemplateForm,
        instance=None,
        save=lambda template: save_action_template(template=template),
        done_url="collections:templates",
        saved_message=_("Action template “%(name)s” created."),
        title=_("New action template"),
        manage_tab="templates",
    )


@permission_required("collections_app.change_actiontemplate", raise_exception=True)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ActionTemplate, pk=pk)
    return _edit(
        request,
        form_class=ActionTemplateForm,
        instance=template,
        save=lambda template: save_action_template(template=template),
        done_url="collections:templates",
        saved_message=_("Action template “%(name)s” saved."),
        title=_("Edit action template “%(name)s”") % {"name": template.name},
        manage_tab="templates",
    )


@permission_required("collections_app.delete_actiontemplate", raise_exception=True)
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(ActionTemplate, pk=pk)
    try:
        delete_action_template(template=template)
    except SettingsError as error:
        messages.error(request, error.text)
        return _render_templates(request, status=409)
    messages.success(request, _("Action template “%(name)s” deleted.") % {"name": template.name})
    return redirect("collections:templates")


def _render_preferences(
    request: HttpRequest,
    *,
    preference: QuickPromisePreference,
    form: QuickPromisePreferenceForm | None = None,
    tracking_form: PromiseTrackingForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "collections_app/manage/preferences.html",
        {
            "form": form
            or QuickPromisePreferenceForm(
                initial={"status": preference.status_id, "delay_days": preference.delay_days}
            ),
            "tracking_form": tracking_form
            or PromiseTrackingForm(
                initial={
                    "grace_days": preference.grace_days,
                    "broken_status": preference.broken_status_id,
                }
            ),
            "preference": preference,
            "manage_tab": "preferences",
        },
        status=status,
    )


@permission_required("collections_app.change_quickpromisepreference", raise_exception=True)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = QuickPromisePreference.load()
    if request.method != "POST":
        return _render_preferences(request, preference=preference)
    form = QuickPromisePreferenceForm(request.POST)
    if form.is_valid():
        try:
            preference = save_quick_promise_preference(
                status=form.cleaned_data["status"],
                delay_days=form.cleaned_data["delay_days"],
                user=request.user,
            )
        except SettingsError as error:
            form.add_error(None, error.text)
        else:
            messages.success(
                request,
                _(
                    "Quick Promise preferences saved: status “%(status)s”, promised "
                    "payment date D+%(days)d."
                )
                % {"status": preference.status.label, "days": preference.delay_days},
            )
            return redirect("collections:preferences")
    return _render_preferences(request, preference=preference, form=form, status=422)


@permission_required("collections_app.change_quickpromisepreference", raise_exception=True)
@require_POST
def promise_preferences(request: HttpRequest) -> HttpResponse:
    preference = QuickPromisePreference.load()
    form = PromiseTrackingForm(request.POST)
    if form.is_valid():
        try:
            preference = save_promise_tracking(
                grace_days=form.cleaned_data["grace_days"],
                broken_status=form.cleaned_data["broken_status"],
                user=request.user,
            )
        except SettingsError as error:
            form.add_error(None, error.text)
        else:
            messages.success(
                request,
                _(
                    "Promise tracking saved: %(days)d day(s) of grace, broken promises to "
                    "“%(status)s”."
                )
                % {
                    "days": preference.grace_days,
                    "status": preference.broken_status.label
                    if preference.broken_status
                    else _("no status change"),
                },
            )
            return redirect("collections:preferences")
    return _render_preferences(request, preference=preference, tracking_form=form, status=422)
