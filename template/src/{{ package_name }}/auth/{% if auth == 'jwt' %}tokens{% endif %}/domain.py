"""Refresh tokens in families, as the token service sees them, and the repository
interface every ODM implements.

A login starts a family; every refresh rotates: the presented token is marked used
and a new one of the same family is issued. Presenting a used token again means it
leaked (or a client replays it): the whole family is revoked. Only SHA-256 hashes of
the opaque tokens are stored. Tokens and families expire through TTL indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class RefreshFamily:
    id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RefreshToken:
    token_hash: str
    family_id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class RefreshTokenRepository(Protocol):
    async def add_family(self, family: RefreshFamily) -> None: ...

    async def get_family(self, family_id: str) -> RefreshFamily | None: ...

    async def add_token(self, token: RefreshToken) -> None: ...

    async def get_token(self, token_hash: str) -> RefreshToken | None: ...

    async def mark_used(self, token_hash: str, now: datetime) -> bool:
        """Mark the token used if it is not yet: True when this call marked it (so two
        concurrent refreshes with one token cannot both win)."""
        ...

    async def revoke_family(self, family_id: str, now: datetime) -> None: ...

    async def revoke_user_families(self, user_id: str, now: datetime) -> None:
        """Revoke every family of the user ("log out everywhere")."""
        ...
