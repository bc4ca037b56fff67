"""The PostgreSQL connection's server options."""

from __future__ import annotations

import re

#: A ``-c jit=…`` (or ``--jit=…``) among libpq's ``options``.
_JIT = re.compile(r"(?:^|\s)(?:-c\s*|--)jit\s*=")


def server_options(given: str | None, environment_options: str | None) -> str:
    """libpq's ``options`` for the app's connections: what the deployment gives
    (``?options=`` in DATABASE_URL, else the ``PGOPTIONS`` variable, which libpq
    reads only when no ``options`` is given), with PostgreSQL's JIT compilation
    off unless the deployment says otherwise.

    JIT compiles a query whose estimated cost passes ``jit_above_cost``, and the
    ORM's update of the promises a quick promise replaces is estimated far above
    its real work: 1 ms of work, 22 to 34 ms of compiling, on each quick promise
    of 1,000 items; the customer list sorted by overdue amount spent half its
    time compiling. The import turns it on for its million-row statements.
    """
    options = (given if given is not None else environment_options or "").strip()
    if _JIT.search(options):
        return options
    return f"{options} -c jit=off".strip()
