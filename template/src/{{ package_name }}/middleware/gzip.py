"""Gzip for large responses, entered only when the client accepts it.

Starlette's `GZipMiddleware` wraps every response, even for clients that never ask for
gzip (most API clients); checking `Accept-Encoding` first keeps those requests free.
"""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


def _accepts_gzip(scope: Scope) -> bool:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    return any(
        name == b"accept-encoding" and b"gzip" in value for name, value in headers
    )


class GZipIfAcceptedMiddleware:
    def __init__(
        self, app: ASGIApp, *, minimum_size: int, compresslevel: int = 6
    ) -> None:
        self.app = app
        self._gzip = GZipMiddleware(
            app, minimum_size=minimum_size, compresslevel=compresslevel
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _accepts_gzip(scope):
            await self._gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
