"""My actions (overdue, today, upcoming) and one action's page: reschedule,
reassign, complete with an outcome (resolving its disputes)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from collections_app.forms import CompleteActionForm, ReassignForm, RescheduleForm
from collections_app.models import Action
from collections_app.selectors import (
    action_buckets,
    action_detail,
    assignable_users,
    resolution_statuses,
)
from collections_app.services.actions import (
    ActionError,
    complete_action,
    reassign_action,
    reschedule_action,
)
from collections_app.services.errors import ServiceError

TEMPLATE = "collections_app/my_actions.html"
ACTION_TEMPLATE = "collections_app/action.html"
#: The action page's region that its forms refresh.
PANEL = "action-panel"


def _may_work(request: HttpRequest, action: Action) -> bool:
    """Officers work their own actions, administrators anybody's."""
    return action.assigned_to_id == request.user.pk or request.user.has_perm(
        "collections_app.complete_any_action"
    )


def _get_action_for_user(request: HttpRequest, pk: int) -> Action:
    """An action the user may work: their own, or anybody's for an administrator."""
    action = get_object_or_404(Action.objects.select_related("customer"), pk=pk)
    if not _may_work(request, action):
        raise PermissionDenied(_("This action is assigned to somebody else."))
    return action


def _render_actions(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "buckets": action_buckets(user=request.user, today=today),
        "today": today,
        "fragment": fragment,
    }
    template = f"{TEMPLATE}#action-list" if fragment else TEMPLATE
    return render(request, template, context, status=status)


@never_cache
@require_GET
@permission_required("collections_app.view_action", raise_exception=True)
def my_actions(request: HttpRequest) -> HttpResponse:
    return _render_actions(request)


def _render_action(
    request: HttpRequest, pk: int, *, forms: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    """The action's page, or its panel for htmx, with the forms given (bound,
    with their errors) or fresh ones."""
    action = action_detail(pk=pk)
    may_work = action.is_open and _may_work(request, action)
    may_resolve = (
        may_work
        and action.disputed_count > 0
        and request.user.has_perm("collections_app.change_item_status")
    )
    forms = forms or {}
    users = assignable_users()
    context = {
        "action": action,
        "may_work": may_work,
        "today": timezone.localdate(),
        "reschedule_form": forms.get("reschedule")
        or RescheduleForm(prefix="reschedule", initial={"due_date": action.due_date}),
        "reassign_form": forms.get("reassign")
        or ReassignForm(
            prefix="reassign", users=users, initial={"assigned_to": action.assigned_to_id}
        ),
        "complete_form": forms.get("complete")
        or CompleteActionForm(
            prefix="complete", resolutions=resolution_statuses() if may_resolve else None
        ),
        "fragment": bool(request.htmx) and not request.htmx.history_restore_request,
    }
    template = f"{ACTION_TEMPLATE}#{PANEL}" if context["fragment"] else ACTION_TEMPLATE
    return render(request, template, context, status=status)


@never_cache
@require_GET
@permission_required("collections_app.view_action", raise_exception=True)
def action_page(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Action.objects.only("pk"), pk=pk)
    return _render_action(request, pk)


def _after_change(request: HttpRequest, action: Action, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return _render_action(request, action.pk)
    return redirect("collections:action", action.pk)


def _refused(request: HttpRequest, action: Action, name: str, form: Form) -> HttpResponse:
    return _render_action(request, action.pk, forms={name: form}, status=422)


@require_POST
@permission_required("collections_app.change_action", raise_exception=True)
def action_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request, pk)
    form = RescheduleForm(request.POST, prefix="reschedule")
    if form.is_valid():
        try:
            action = reschedule_action(
                action=action, due_date=form.cleaned_data["due_date"], user=request.user
            )
        except ServiceError as error:
            form.add_error(None, error.text)
        else:
            return _after_change(
                request,
                action,
                _("“%(title)s” is now due on %(date)s.")
                % {
                    "title": action.title,
                    "date": formats.date_format(action.due_date, "SHORT_DATE_FORMAT"),
                },
            )
    return _refused(request, action, "reschedule", form)


@require_POST
@permission_required("collections_app.change_action", raise_exception=True)
def action_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request, pk)
    form = ReassignForm(request.POST, prefix="reassign", users=assignable_users())
    if form.is_valid():
        try:
            action = reassign_action(
                action=action, assignee=form.cleaned_data["assigned_to"], user=request.user
            )
        except ServiceError as error:
            form.add_error(None, error.text)
        else:
            assignee = action.assigned_to
            return _after_change(
                request,
                action,
                _("“%(title)s” is now assigned to %(name)s.")
                % {"title": action.title, "name": assignee.get_full_name() or assignee},
            )
    return _refused(request, action, "reassign", form)


@require_POST
@permission_required("collections_app.change_action", raise_exception=True)
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete an action: from My actions (one click), or from its page with an
    outcome note and, for a dispute, the status that resolves its items."""
    action = _get_action_for_user(request, pk)
    from_page = bool(request.htmx) and request.htmx.target == PANEL
    may_resolve = request.user.has_perm("collections_app.change_item_status")
    form = CompleteActionForm(
        request.POST,
        prefix="complete",
        resolutions=resolution_statuses() if may_resolve else None,
    )
    if not form.is_valid():
        if from_page or not request.htmx:
            return _refused(request, action, "complete", form)
        messages.error(request, " ".join(form.errors.get("__all__", [])) or _("Check the form."))
        return _render_actions(request, status=422)
    try:
        result = complete_action(
            action=action,
            user=request.user,
            note=form.cleaned_data["note"],
            resolution=form.cleaned_data.get("resolution"),
        )
    except ActionError as error:
        if from_page:
            form.add_error(None, error.text)
            return _render_action(request, action.pk, forms={"complete": form}, status=409)
        messages.warning(request, error.text)
        return _render_actions(request, status=409)
    messages.success(request, result.summary())
    if from_page:
        return _render_action(request, action.pk)
    if request.htmx:
        return _render_actions(request)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("collections:my-actions")
