"""Tools to run the product for real in tests, load tests and benchmarks: a
throwaway PostgreSQL cluster, app servers under gunicorn, an HTTP client."""
