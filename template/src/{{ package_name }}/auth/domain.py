"""Single-use tokens sent by email (email verification, password reset), as the
auth service sees them, and the repository interface every ODM implements.

Only a SHA-256 hash of a token is stored: a database leak does not hand out valid
links. Expired tokens are removed by a TTL index on `expires_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a token purpose, not a secret


@dataclass(frozen=True, slots=True)
class OneTimeToken:
    token_hash: str
    user_id: str
    purpose: TokenPurpose
    created_at: datetime
    expires_at: datetime


class OneTimeTokenRepository(Protocol):
    async def add(self, token: OneTimeToken) -> None: ...

    async def consume(
        self, token_hash: str, purpose: TokenPurpose, now: datetime
    ) -> str | None:
        """Atomically delete the unexpired token with this hash and purpose and return
        its user id; None when there is none (unknown, expired or already used)."""
        ...

    async def delete_for_user(self, user_id: str, purpose: TokenPurpose) -> None:
        """Invalidate every outstanding token of this purpose for the user."""
        ...
