from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A request the product refuses, with a message a person can act on.

    Raised before anything is written, or from inside the transaction so that
    nothing written is kept.
    """

    @property
    def text(self) -> str:
        return " ".join(self.messages)
