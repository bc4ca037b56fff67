"""Error pages a person can read, in full pages and in htmx fragments.

An htmx request that fails must never swap an error page into the statement, nor
fail silently: its message is sent to the page's message area instead.
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget


def error_response(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    message: str,
    use_database: bool = True,
) -> HttpResponse:
    """An error page, or for htmx the message alone, sent to the message area.

    Without ``use_database`` the page is rendered without the request's context
    (user, messages, CSRF token), which need the database.
    """
    context = {"title": title, "message": message, "status": status}
    template_request = request if use_database else None
    if getattr(request, "htmx", False):
        html = render_to_string(
            "errors/error.html#error-message", context, request=template_request
        )
        response = HttpResponse(html, status=status)
        retarget(response, "#messages")
        reswap(response, "innerHTML")
    else:
        html = render_to_string("errors/error.html", context, request=template_request)
        response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, TooManyFieldsSent | RequestDataTooBig):
        message = _(
            "This request is too large: select fewer items (at most a few thousand at once) "
            "and try again. Nothing was changed."
        )
    else:
        message = _("This request could not be understood. Reload the page and try again.")
    return error_response(request, status=400, title=_("Bad request"), message=message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception and str(exception) else ""
    return error_response(
        request,
        status=403,
        title=_("Not allowed"),
        message=detail
        or _(
            "Your account is not allowed to do this, so nothing was changed. Ask an "
            "administrator for the right role if you need it."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(
        request,
        status=404,
        title=_("Not found"),
        message=_(
            "This page or record does not exist (any more). Go back to the customer list and "
            "look it up again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # Called while the exception is being handled: tell a database outage (the
    # server restarting, say) from a bug, and render without the database.
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DatabaseError) and "connection" in str(error).lower()
    ):
        response = error_response(
            request,
            status=503,
            title=_("Temporarily unavailable"),
            message=_(
                "The database cannot be reached at the moment, so nothing was changed. "
                "Try again in a minute."
            ),
            use_database=False,
        )
        response["Retry-After"] = "30"
        return response
    return error_response(
        request,
        status=500,
        title=_("Something went wrong"),
        message=_(
            "The server failed to complete this request and nothing was changed. Try again; "
            "if it happens again, tell your administrator the time it happened."
        ),
        use_database=False,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(
        request,
        status=403,
        title=_("Form expired"),
        message=_(
            "This form is out of date or was not sent by this site, so nothing was "
            "changed. Reload the page and try again."
        ),
    )


def method_not_allowed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    readable = error_response(
        request,
        status=405,
        title=_("Not available this way"),
        message=_(
            "This address only takes the product's own buttons and forms. Go back to the "
            "page and use the button there."
        ),
    )
    readable["Allow"] = response["Allow"]
    return readable
