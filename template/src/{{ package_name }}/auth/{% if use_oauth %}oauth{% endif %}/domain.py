"""Links between provider identities and users, as the OAuth service sees them, and
the repository interface every ODM implements. One provider subject links to one
user (unique index on provider + subject); a user may link several providers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OAuthAccount:
    id: str
    provider: str
    subject: str
    user_id: str
    email: str
    created_at: datetime


class OAuthAccountRepository(Protocol):
    async def get(self, provider: str, subject: str) -> OAuthAccount | None: ...

    async def add(self, account: OAuthAccount) -> bool:
        """Store the link; False when this provider subject is linked already (the
        unique index decides)."""
        ...

    async def remove(self, account: OAuthAccount) -> None:
        """Delete this link (by its id); nothing when it is gone already."""
        ...

    async def remove_for_user(self, user_id: str) -> None:
        """Delete every link of this user (its account is being deleted)."""
        ...
