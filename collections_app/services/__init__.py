"""The business rules of the collection work. Views and commands call these."""

from collections_app.services.errors import ServiceError
from collections_app.services.quick_promise import (
    QuickPromiseError,
    QuickPromiseResult,
    apply_quick_promise,
)

__all__ = ["QuickPromiseError", "QuickPromiseResult", "ServiceError", "apply_quick_promise"]
