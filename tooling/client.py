"""A small HTTP client that signs in like a browser.

It keeps cookies itself and says it came through HTTPS (X-Forwarded-Proto), so
that the production settings (Secure cookies, HTTPS only) apply unchanged on a
loopback test server.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float
    set_cookies: list[str]


class Client:
    def __init__(self, base_url: str, *, timeout: float = 30):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def _conn(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self._connection

    def request(
        self, method: str, path: str, data=None, headers: dict[str, str] | None = None
    ) -> Response:
        body = urlencode(data, doseq=True) if data is not None else None
        sent = {
            "X-Forwarded-Proto": "https",
            "Host": f"{self.host}:{self.port}",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
            sent["Referer"] = f"https://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        try:
            connection = self._conn()
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            content = raw.read().decode("utf-8", errors="replace")
        except (http.client.HTTPException, OSError):
            self.close()
            raise
        elapsed = time.perf_counter() - started
        set_cookies = [
            value for header, value in raw.getheaders() if header.lower() == "set-cookie"
        ]
        for value in set_cookies:
            cookie = SimpleCookie()
            cookie.load(value)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if raw.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, dict(raw.getheaders()), content, elapsed, set_cookies)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data, **kwargs) -> Response:
        return self.request("POST", path, data, **kwargs)

    def login(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        token = _CSRF.search(page.body).group(1)
        response = self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if response.status != 302:
            raise RuntimeError(f"sign-in of {username} failed: {response.status}")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
