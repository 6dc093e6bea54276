"""Security headers on every response.

The API answers JSON, never pages, so its Content-Security-Policy allows nothing and
no framing. Swagger UI at `/docs` is kept: that page loads its script and styles from
the jsDelivr CDN with an inline bootstrap script, so the docs paths (and only those)
get a policy that allows exactly that. HSTS is sent in production only, where the
service is reached over HTTPS (usually through a TLS-terminating proxy).
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"

Headers = list[tuple[bytes, bytes]]


class SecurityHeadersMiddleware:
    def __init__(
        self, app: ASGIApp, *, hsts: bool, docs_paths: Collection[str] = ()
    ) -> None:
        self.app = app
        common: Headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
        ]
        if hsts:
            common.append((b"strict-transport-security", HSTS.encode()))
        self._api = [*common, (b"content-security-policy", API_CSP.encode())]
        self._docs = [*common, (b"content-security-policy", DOCS_CSP.encode())]
        self._docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._docs if scope["path"] in self._docs_paths else self._api

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: Headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in extra if header[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
