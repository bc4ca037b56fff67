"""``make bench``: the product's figures at scale, each against a floor measured
in the same run on the same database.

    python -m tooling.bench [--quick] [--only quick_promise,customer_list,...]

It starts a throwaway PostgreSQL cluster, migrates it, fills it with the ledger
generator (``generate_ledger``: 100,000 customers, 1,000,000 items and a few
big accounts; far fewer with ``--quick``), then measures each figure as the
median of repeated runs after a warm-up, the product and its floor alternating
so that both see the same machine:

- the SQL floor: a quick promise written by hand in SQL on one psycopg
  connection, in one transaction, with the same database effect;
- the framework floor: a minimal signed-in Django page (``/bench/floor/``,
  served only by the bench's own gunicorn) through the same middleware.

It prints one table and writes it as JSON (``artifacts/bench.json``). Figures
are groups in ``tooling.bench.figures.FIGURES``: add one there.
"""
