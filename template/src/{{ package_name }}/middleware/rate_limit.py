"""Rate limiting per client IP and route, with the `limits` library.

Each request counts against `(client IP, method, route template)` in a fixed window:
`/api/v1/users/{user_id}` is one bucket whatever the id, and paths that match no route
share one bucket. The auth actions (POST and other unsafe methods under the auth
prefix: login, register, password reset, refresh...) get the stricter limit; health
probes are exempt. Counters live in the storage given (Redis when the service uses it,
so every instance counts together; process memory otherwise).

With Redis, the count is a `WindowCounter` on the app's Redis client instead
(core/cache.py: `limits`' keys and counting, in one script that also reads ahead the
current user's cache entry, so an authenticated request costs one Redis round trip,
not two).

Over the limit: 429 problem+json with `Retry-After` and the `RateLimit-Limit`,
`RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy` headers. Requests under
the limit cost one storage round trip and carry no extra headers. If the storage is
unreachable the request is let through, and a warning logged when that starts (and a
line when the storage answers again): an outage of the counters does not become an
outage of the API.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from http import HTTPStatus
from typing import Protocol

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.client_ip import Network, resolve_client_ip
from ..core.errors import problem_response
from ..core.routes import RouteTable

logger = structlog.get_logger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UNMATCHED = "<unmatched>"


class WindowCounter(Protocol):
    async def hit(self, key: str, expiry_s: int, scope: Scope) -> tuple[int, float]:
        """Count a hit on `key` in a fixed window of `expiry_s` seconds that starts
        with its first hit: the count in the window and the seconds left in it."""
        ...


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteTable,
        storage: Storage,
        default_limit: str,
        auth_limit: str,
        auth_prefix: str,
        exempt_prefixes: Sequence[str] = (),
        trusted_proxies: Sequence[Network] = (),
        counter: WindowCounter | None = None,
    ) -> None:
        self.app = app
        self._routes = routes
        self._limiter = FixedWindowRateLimiter(storage)
        self._counter = counter  # counts instead of `storage` when given
        self._default: RateLimitItem = parse(default_limit)
        self._auth: RateLimitItem = parse(auth_limit)
        self._auth_prefix = auth_prefix
        self._exempt = tuple(exempt_prefixes)
        self._trusted_proxies = trusted_proxies
        self._storage_down = False

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
        window: tuple[int, float] | None = None  # the counter's answer
        try:
            if self._counter is None:
                allowed = await self._limiter.hit(item, *identifiers)
            else:
                window = await self._counter.hit(
                    item.key_for(*identifiers), item.get_expiry(), scope
                )
                allowed = window[0] <= item.amount
        except Exception as exc:  # fail open: see the module docstring
            if not self._storage_down:  # once per outage, not once per request
                self._storage_down = True
                logger.warning(
                    "rate_limit_storage_unavailable", error=type(exc).__name__
                )
            allowed = True
        else:
            if self._storage_down:
                self._storage_down = False
                logger.info("rate_limit_storage_available")
        if allowed:
            await self.app(scope, receive, send)
            return
        await self._refuse(item, identifiers, window, scope, receive, send)

    async def _refuse(
        self,
        item: RateLimitItem,
        identifiers: tuple[str, ...],
        window: tuple[int, float] | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        if window is None:
            stats = await self._limiter.get_window_stats(item, *identifiers)
            remaining, left_s = stats.remaining, stats.reset_time - time.time()
        else:
            remaining, left_s = max(0, item.amount - window[0]), window[1]
        reset_s = str(max(1, math.ceil(left_s)))
        headers = {
            "Retry-After": reset_s,
            "RateLimit-Limit": str(item.amount),
            "RateLimit-Remaining": str(remaining),
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
