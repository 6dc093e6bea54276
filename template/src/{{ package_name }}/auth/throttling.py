"""Login throttling: failed logins per account and attempts per client IP, counted in
moving windows by the `limits` library{% if use_redis %} in Redis, so every instance sees the same
counters{% else %} in process memory (one instance; choose use_redis for several){% endif %}.

Accounts are keyed by a hash of the normalised email, never the address itself. A
throttled attempt is refused before the password is checked, with the same answer
for known and unknown accounts.
"""

from __future__ import annotations

import hashlib
import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import {% if use_redis %}RedisStorage{% else %}MemoryStorage{% endif %}, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from ..core.config import Settings
from ..core.errors import TooManyRequestsError

THROTTLED = "Too many login attempts. Try again later."


def create_limits_storage(settings: Settings) -> Storage:
{%- if use_redis %}
    # limits keeps its own connection pool, through the same redis-py client library.
    return RedisStorage(
        f"async+{settings.redis_url}",
        implementation="redispy",
        key_prefix=f"{settings.redis_key_prefix}:throttle",
    )
{%- else %}
    del settings
    return MemoryStorage()
{%- endif %}


def _account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


class LoginThrottle:
    def __init__(self, storage: Storage, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._per_account: RateLimitItem = parse(settings.login_failures_per_account)
        self._per_ip: RateLimitItem = parse(settings.login_attempts_per_ip)

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def check(self, *, email: str, client_ip: str) -> None:
        """Count this attempt against the IP; refuse it if the IP or the account is
        over its limit."""
        if not await self._limiter.hit(self._per_ip, "ip", client_ip):
            retry = await self._retry_after(self._per_ip, "ip", client_ip)
            raise TooManyRequestsError(THROTTLED, retry_after_s=retry)
        account = _account_key(email)
        if not await self._limiter.test(self._per_account, "account", account):
            retry = await self._retry_after(self._per_account, "account", account)
            raise TooManyRequestsError(THROTTLED, retry_after_s=retry)

    async def record_failure(self, *, email: str) -> None:
        await self._limiter.hit(self._per_account, "account", _account_key(email))

    async def reset(self, *, email: str) -> None:
        await self._limiter.clear(self._per_account, "account", _account_key(email))
