"""Project-wide middleware."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from settings.errors import method_not_allowed


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login required everywhere, and an expired session never swaps a login page
    into a fragment nor silently drops a form.

    - An htmx request follows redirects inside XMLHttpRequest, so the plain
      redirect would put the whole login page where a statement fragment belongs:
      such a request instead tells htmx to load the login page in full, coming
      back afterwards to the page the person was on.
    - A form posted without a session (it expired while the page was open) gets
      401 and the login page saying that nothing was changed; redirecting would
      lose what happened.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if getattr(request, "htmx", False):
            next_path = _local_path(request.htmx.current_url_abs_path or request.get_full_path())
            login = redirect_to_login(
                next_path,
                self.get_login_url(view_func),
                self.get_redirect_field_name(view_func),
            )
            # Say on the login page why it came up in the middle of the work.
            response = HttpResponseClientRedirect(f"{login['Location']}&expired=1")
            response.status_code = 401
            return response
        if request.method in ("GET", "HEAD"):
            return super().handle_no_permission(request, view_func)
        referer = request.headers.get("Referer", "")
        next_path = (
            _local_path(referer)
            if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()})
            else "/"
        )
        html = render_to_string(
            "registration/signed_out.html", {"next": next_path}, request=request
        )
        return HttpResponse(html, status=401)


def _local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class ReadableErrorsMiddleware:
    """Give the bare 405 answers of Django's method decorators a readable page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            return method_not_allowed(request, response)
        return response
