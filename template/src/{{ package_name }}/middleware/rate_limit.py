"""Rate limiting per client IP and route, with the `limits` library.

Each request counts against `(client IP, method, route template)` in a fixed window:
`/api/v1/users/{user_id}` is one bucket whatever the id, and paths that match no route
share one bucket. The auth actions (POST and other unsafe methods under the auth
prefix: login, register, password reset, refresh...) get the stricter limit; health
probes are exempt. Counters live in the storage given (Redis when the service uses it,
so every instance counts together; process memory otherwise).

Over the limit: 429 problem+json with `Retry-After` and the `RateLimit-Limit`,
`RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` headers. Requests under
the limit cost one storage round trip and carry no extra headers. If the storage is
unreachable the request is let through and a warning logged: an outage of the
counters does not become an outage of the API.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from http import HTTPStatus

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.client_ip import Network, resolve_client_ip
from ..core.errors import problem_response
from ..core.routes import RouteTable

logger = structlog.get_logger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNMATCHED = "<unmatched>"


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        storage: Storage,
        default_limit: str,
        auth_limit: str,
        auth_prefix: str,
        exempt_prefixes: Sequence[str] = (),
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.app = app
        self._routes = RouteTable(routes)
        self._limiter = FixedWindowRateLimiter(storage)
        self._default: RateLimitItem = parse(default_limit)
        self._auth: RateLimitItem = parse(auth_limit)
        self._auth_prefix = auth_prefix
        self._exempt = tuple(exempt_prefixes)
        self._trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self._exempt):
            await self.app(scope, receive, send)
            return
        method: str = "GET" if scope["method"] == "HEAD" else scope["method"]
        template = self._routes.match(scope) or UNMATCHED
        auth_action = method not in SAFE_METHODS and template.startswith(
            self._auth_prefix
        )
        item = self._auth if auth_action else self._default
        identifiers = (
            "http",
            resolve_client_ip(scope, self._trusted_proxies),
            method,
            template,
        )
        try:
            allowed = await self._limiter.hit(item, *identifiers)
        except Exception as exc:  # fail open: see the module docstring
            logger.warning("rate_limit_storage_unavailable", error=type(exc).__name__)
            allowed = True
        if allowed:
            await self.app(scope, receive, send)
            return
        await self._refuse(item, identifiers, scope, receive, send)

    async def _refuse(
        self,
        item: RateLimitItem,
        identifiers: tuple[str, ...],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        reset_s = str(max(1, math.ceil(stats.reset_time - time.time())))
        headers = {
            "Retry-After": reset_s,
            "RateLimit-Limit": str(item.amount),
            "RateLimit-Remaining": str(stats.remaining),
            "RateLimit-Reset": reset_s,
            "RateLimit-Policy": f"{item.amount};w={item.get_expiry()}",
        }
        response = problem_response(
            Request(scope),
            HTTPStatus.TOO_MANY_REQUESTS,
            detail="Too many requests. Try again later.",
            headers=headers,
        )
        await response(scope, receive, send)
