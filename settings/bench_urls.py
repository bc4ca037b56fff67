"""The product's URLs plus the benchmark's framework floor.

``make bench`` compares the product's pages with the cheapest page Django can
serve a signed-in officer: this view, rendering a small template through the
same middleware. The URL exists only when the settings say
``BENCH_FLOOR_VIEW=True`` (the bench's own app server does); it is never
reachable by default.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from settings.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@require_GET
def framework_floor(request: HttpRequest) -> HttpResponse:
    """Signed in (the login-required middleware sees to it), a small template."""
    return render(request, "bench/floor.html")


urlpatterns = [*urlpatterns, path("bench/floor/", framework_floor, name="bench-floor")]
