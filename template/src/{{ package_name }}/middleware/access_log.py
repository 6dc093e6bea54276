"""One log line per request: method, route template, status, duration, user id (and the
request id, bound by `RequestIdMiddleware`). Never headers, cookies, tokens, bodies or
query strings: the route template (`/api/v1/users/{user_id}`) rather than the path
where a route matched, the path (without its query string) where none did."""

from __future__ import annotations

import logging
import time
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .routes import route_template

logger = structlog.get_logger(__name__)
MAX_PATH_LENGTH = 256


def _route(scope: Scope) -> str:
    """The matched route's template, else the path (bounded: it is the client's)."""
    path: str = scope["path"]
    return route_template(scope) or path[:MAX_PATH_LENGTH]


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not logger.is_enabled_for(logging.INFO):
            await self.app(scope, receive, send)
            return
        # The auth dependency records the user here (`request.state.user_id`).
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500  # what the server answers when the app fails before responding
        started = time.perf_counter()

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            logger.info(
                "request",
                method=scope["method"],
                route=_route(scope),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                user_id=state.get("user_id"),
            )
