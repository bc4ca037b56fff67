from __future__ import annotations

from django.http import HttpRequest

_SECTIONS = {
    "home": "home",
    "customers": "customers",
    "collections:promises": "customers",
    "collections:reminders": "customers",
    "collections:quick-promise": "customers",
    "collections:change-status": "customers",
    "collections:new-action": "customers",
    "collections:item-resolver": "customers",
    "collections:history": "customers",
    "collections:customer-comment": "customers",
    "collections:my-actions": "actions",
    "collections:action": "actions",
    "collections:action-done": "actions",
    "collections:action-reschedule": "actions",
    "collections:action-reassign": "actions",
}


def navigation(request: HttpRequest) -> dict[str, str]:
    """Which section of the main navigation the current page belongs to."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav": ""}
    if match.view_name in _SECTIONS:
        return {"nav": _SECTIONS[match.view_name]}
    if match.namespace == "collections":
        return {"nav": "manage"}
    return {"nav": _SECTIONS.get(match.namespace, "")}
