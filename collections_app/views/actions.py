"""My actions: the signed-in officer's open follow-ups."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from collections_app.models import Action
from collections_app.selectors import open_actions_for
from collections_app.services.actions import ActionError, complete_action

TEMPLATE = "collections_app/my_actions.html"


def _get_action_for_user(request: HttpRequest, pk: int) -> Action:
    """An action the user may work: their own, or anybody's for an administrator."""
    action = get_object_or_404(Action.objects.select_related("customer"), pk=pk)
    if action.assigned_to_id != request.user.pk and not request.user.has_perm(
        "collections_app.complete_any_action"
    ):
        raise PermissionDenied(_("This action is assigned to somebody else."))
    return action


def _render_actions(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    actions = list(open_actions_for(user=request.user))
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    context = {
        "actions": actions,
        "overdue_count": sum(1 for action in actions if action.due_date < today),
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


@require_POST
@permission_required("collections_app.change_action", raise_exception=True)
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get_action_for_user(request, pk)
    try:
        complete_action(action=action, user=request.user)
    except ActionError as error:
        messages.warning(request, error.text)
        return _render_actions(request, status=409)
    else:
        messages.success(
            request,
            _("“%(title)s” for %(customer)s is done.")
            % {
                "title": action.title,
                "customer": action.customer.name,
            },
        )
    if request.htmx:
        return _render_actions(request)
    return redirect("collections:my-actions")
