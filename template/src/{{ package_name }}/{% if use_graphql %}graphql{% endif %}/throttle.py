"""The auth mutations count against RATE_LIMIT_AUTH, as their REST twins do.

REST's rate limiter gives every unsafe request under /api/v1/auth/ the stricter auth
limit, per client IP and route. Over GraphQL one request can carry several auth
mutations (aliases), so the count is taken per mutation field instead: each `login`,
`register`, password reset... of a document is one hit on `(client IP, field)`,
checked before its resolver runs. Over the limit, that field (and every later one)
answers RATE_LIMITED with `retryAfter`; the account throttling of login comes on top,
as in REST. Like the middleware, an unreachable counter storage lets the call through.
"""

from __future__ import annotations

import math
import time
from typing import Any

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from strawberry.permission import BasePermission

from ..core.client_ip import resolve_client_ip
from ..core.config import Settings
from ..core.errors import TooManyRequestsError
from .context import Info

logger = structlog.get_logger(__name__)


class AuthActionLimiter:
    """The per-IP window counter of the auth mutations (one per app: `install`)."""

    def __init__(self, storage: Storage, settings: Settings) -> None:
        self._limiter = FixedWindowRateLimiter(storage)
        self._item: RateLimitItem = parse(settings.rate_limit_auth)
        self._enabled = settings.rate_limit_enabled
        self._settings = settings
        self._storage_down = False

    async def hit(self, info: Info) -> None:
        """Count one call of the current field; TooManyRequestsError when over."""
        if not self._enabled:
            return
        scope = info.context.http_request.scope
        identifiers = (
            "graphql",
            resolve_client_ip(scope, self._settings.trusted_proxies),
            info.field_name,
        )
        try:
            allowed = await self._limiter.hit(self._item, *identifiers)
            if not allowed:
                stats = await self._limiter.get_window_stats(self._item, *identifiers)
        except Exception as exc:  # fail open, as middleware/rate_limit.py does
            if not self._storage_down:
                self._storage_down = True
                logger.warning(
                    "rate_limit_storage_unavailable", error=type(exc).__name__
                )
            return
        self._storage_down = False
        if not allowed:
            retry_after_s = max(1, math.ceil(stats.reset_time - time.time()))
            raise TooManyRequestsError(
                "Too many requests. Try again later.", retry_after_s=retry_after_s
            )


class AuthAction(BasePermission):
    """Put on every auth mutation: counts it against RATE_LIMIT_AUTH per client IP."""

    message = "Too many requests. Try again later."

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        limiter: AuthActionLimiter = info.context.state.graphql_auth_limiter
        await limiter.hit(info)
        return True
