"""Error pages a person can read, in full pages and in htmx fragments.

An htmx request that fails must never swap an error page into the statement, nor
fail silently: its message is sent to the page's message area instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget


def _error_response(request: HttpRequest, *, status: int, title: str, message: str):
    context = {"title": title, "message": message, "status": status}
    if getattr(request, "htmx", False):
        html = render_to_string("errors/error.html#error-message", context, request=request)
        response = HttpResponse(html, status=status)
        retarget(response, "#messages")
        reswap(response, "innerHTML")
        return response
    html = render_to_string("errors/error.html", context, request=request)
    return HttpResponse(html, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else ""
    return _error_response(
        request,
        status=403,
        title=_("Not allowed"),
        message=detail
        or _(
            "Your account is not allowed to do this. Ask an administrator for the "
            "right role if you need it."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_response(
        request,
        status=403,
        title=_("Form expired"),
        message=_(
            "This form is out of date or was not sent by this site, so nothing was "
            "changed. Reload the page and try again."
        ),
    )
