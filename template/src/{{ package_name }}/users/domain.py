"""The user as the service layer sees it, and the repository interface every ODM
implements. Nothing here knows which ODM stores the data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypedDict


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    role: Role
    email_verified: bool
    # None for accounts that only sign in through an OAuth provider, and in users
    # served from the cache (users/cache.py): read it through get_by_email.
    password_hash: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class UserChanges(TypedDict, total=False):
    email: str
    name: str
    role: Role
    email_verified: bool
    password_hash: str
    updated_at: datetime


class UserRepository(Protocol):
    """Storage of users. `email` is unique: the database's unique index decides, and a
    clash raises `EmailAlreadyRegisteredError` from `create` and `update`."""

    async def create(self, user: User) -> None: ...

    async def get(self, user_id: str) -> User | None: ...

    async def get_many(self, user_ids: Sequence[str]) -> list[User]:
        """The users with these ids that exist, in no particular order: one query
        (for callers that batch their lookups)."""
        ...

    async def get_by_email(self, email: str) -> User | None:
        """The user with this (normalised) email, found through the unique index."""
        ...

    async def list_page(self, *, after: str | None, limit: int) -> list[User]:
        """Up to `limit` users with ids greater than `after`, in id order."""
        ...

    async def update(self, user_id: str, changes: UserChanges) -> User | None:
        """Apply `changes`; the updated user, or None when there is no such user."""
        ...

    async def delete(self, user_id: str) -> bool:
        """True when a user was deleted."""
        ...
