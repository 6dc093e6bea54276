"""Login throttling: failed logins per account and attempts per client IP, counted in
moving windows by the `limits` library, in the storage the rate limiter uses too
(`core/limits.py`).

Accounts are keyed by a hash of the normalised email, never the address itself. A
throttled attempt is refused before the password is checked, with the same answer
for known and unknown accounts.

When that storage cannot be reached (Redis down), the counting goes on in this
instance's memory rather than failing the login or letting every attempt through:
brute force stays throttled, per instance, until the storage answers again.
"""

from __future__ import annotations

import hashlib
import math
import time

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from ..core.config import Settings
from ..core.errors import TooManyRequestsError

THROTTLED = "Too many login attempts. Try again later."

logger = structlog.get_logger(__name__)


def _account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


class LoginThrottle:
    def __init__(self, storage: Storage, settings: Settings) -> None:
        self._shared = MovingWindowRateLimiter(storage)
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._per_account: RateLimitItem = parse(settings.login_failures_per_account)
        self._per_ip: RateLimitItem = parse(settings.login_attempts_per_ip)

    async def _hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        try:
            return await self._shared.hit(item, *identifiers)
        except StorageError as exc:
            self._fell_back(exc)
            return await self._local.hit(item, *identifiers)

    async def _test(self, item: RateLimitItem, *identifiers: str) -> bool:
        try:
            return await self._shared.test(item, *identifiers)
        except StorageError as exc:
            self._fell_back(exc)
            return await self._local.test(item, *identifiers)

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        try:
            stats = await self._shared.get_window_stats(item, *identifiers)
        except StorageError:
            stats = await self._local.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    @staticmethod
    def _fell_back(exc: StorageError) -> None:
        logger.warning(
            "login_throttle_storage_unavailable",
            error=type(exc.storage_error).__name__,
            fallback="memory",
        )

    async def check(self, *, email: str, client_ip: str) -> None:
        """Count this attempt against the IP; refuse it if the IP or the account is
        over its limit."""
        if not await self._hit(self._per_ip, "ip", client_ip):
            retry = await self._retry_after(self._per_ip, "ip", client_ip)
            raise TooManyRequestsError(THROTTLED, retry_after_s=retry)
        account = _account_key(email)
        if not await self._test(self._per_account, "account", account):
            retry = await self._retry_after(self._per_account, "account", account)
            raise TooManyRequestsError(THROTTLED, retry_after_s=retry)

    async def record_failure(self, *, email: str) -> None:
        await self._hit(self._per_account, "account", _account_key(email))

    async def reset(self, *, email: str) -> None:
        account = _account_key(email)
        await self._local.clear(self._per_account, "account", account)
        try:
            await self._shared.clear(self._per_account, "account", account)
        except StorageError as exc:
            self._fell_back(exc)
