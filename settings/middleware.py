"""Project-wide middleware."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login required everywhere, and an expired session never swaps a login page
    into a fragment.

    An htmx request follows redirects inside XMLHttpRequest, so the plain redirect
    to the login page would put the whole login page where a statement fragment
    belongs. Such a request instead tells htmx to load the login page in full,
    coming back afterwards to the page the person was on.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        current = request.htmx.current_url_abs_path or request.get_full_path()
        # Only ever come back to a page of this site.
        parts = urlsplit(current)
        next_path = parts.path + (f"?{parts.query}" if parts.query else "")
        login = redirect_to_login(
            next_path,
            self.get_login_url(view_func),
            self.get_redirect_field_name(view_func),
        )
        response = HttpResponseClientRedirect(login["Location"])
        response.status_code = 401
        return response
