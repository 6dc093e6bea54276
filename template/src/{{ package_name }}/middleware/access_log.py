"""One log line per request: method, route template, status, duration, user id (and the
request id, bound by `RequestIdMiddleware`). Never headers, cookies, tokens, bodies or
query strings: the route template (`/api/v1/users/{user_id}`) rather than the path
where a route matched, the path (without its query string) where none did. The
layers below may add fields of their own to the line, in the request state's
`log_fields` (a dict of bounded values: an operation's name, never its content).

The same measurement goes to the `observers` given (the Prometheus request metrics,
when the service has them), so the log line and the metrics agree on every request
and the request is timed once. Paths under `unlogged_prefixes` (the health probes,
which orchestrators call every few seconds on every instance, unless
LOG_HEALTH_PROBES is set) are measured for the observers but get no line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.feature import RequestObserver
from ..core.routes import route_template

MAX_PATH_LENGTH = 256


def _route(scope: Scope) -> str:
    """The matched route's template, else the path (bounded: it is the client's)."""
    path: str = scope["path"]
    return route_template(scope) or path[:MAX_PATH_LENGTH]


class AccessLogMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        observers: Sequence[RequestObserver] = (),
        unlogged_prefixes: Sequence[str] = (),
    ) -> None:
        self.app = app
        self._observers = tuple(observers)
        self._unlogged = tuple(unlogged_prefixes)
        # Resolved once, when the app builds its middleware stack (after
        # configure_logging): a module-level proxy would look up the configuration on
        # every line.
        self._logger = structlog.get_logger(__name__).bind()
        self._log = self._logger.is_enabled_for(logging.INFO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        log = self._log and not scope["path"].startswith(self._unlogged)
        if not (log or self._observers):
            await self.app(scope, receive, send)
            return
        # The auth dependency records the user here (`request.state.user_id`).
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500  # what the server answers when the app fails before responding
        started = time.perf_counter()

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                # An int even when the app answered with an HTTPStatus (the problem
                # responses do): the console renderer would print its repr.
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            duration_s = time.perf_counter() - started
            for observer in self._observers:
                observer(scope, status, duration_s)
            if log:
                self._logger.info(
                    "request",
                    method=scope["method"],
                    route=_route(scope),
                    status=status,
                    duration_ms=round(duration_s * 1000, 2),
                    user_id=state.get("user_id"),
                    **state.get("log_fields", {}),
                )
