from __future__ import annotations

import pytest

from collections_app.services import imports


@pytest.fixture(params=["copy", "orm"])
def engine(request, monkeypatch):
    """Run an import test through both ways of importing: COPY and SQL (what
    PostgreSQL uses) and Python with the ORM (what other databases use). They
    must give the same answers."""
    monkeypatch.setattr(imports, "_uses_copy", lambda: request.param == "copy")
    return request.param
