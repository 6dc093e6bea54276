"""Server-side sessions, as the session service sees them, and the repository
interface every ODM implements.

The cookie carries a random session id; only its SHA-256 hash is stored, with the
user, the CSRF token and a sliding expiry (removed by a TTL index on `expires_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Session:
    id_hash: str
    user_id: str
    csrf_token: str
    created_at: datetime
    last_renewed_at: datetime
    expires_at: datetime


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, id_hash: str, now: datetime) -> Session | None:
        """The session if it exists and has not expired at `now`."""
        ...

    async def renew(self, id_hash: str, now: datetime, expires_at: datetime) -> None:
        """Slide the expiry (sets `last_renewed_at` to `now`)."""
        ...

    async def delete(self, id_hash: str) -> None: ...

    async def delete_for_user(self, user_id: str) -> None:
        """End every session of the user ("log out everywhere", password change)."""
        ...
