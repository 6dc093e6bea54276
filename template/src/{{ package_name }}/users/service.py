"""Use cases of the users feature, written against the `UserRepository` interface."""

from __future__ import annotations

from ..core.ids import new_id
from ..core.time import utc_now
from .domain import User, UserChanges, UserRepository
from .exceptions import UserNotFoundError
from .schemas import UserCreate, UserUpdate


async def create_user(*, users: UserRepository, data: UserCreate) -> User:
    now = utc_now()
    user = User(id=new_id("usr"), email=data.email, name=data.name, created_at=now, updated_at=now)
    await users.create(user)
    return user


async def get_user(*, users: UserRepository, user_id: str) -> User:
    user = await users.get(user_id)
    if user is None:
        raise UserNotFoundError
    return user


async def list_users(
    *, users: UserRepository, cursor: str | None, limit: int
) -> tuple[list[User], str | None]:
    """One page of users and the cursor of the next page (None on the last page)."""
    found = await users.list_page(after=cursor, limit=limit + 1)
    page = found[:limit]
    next_cursor = page[-1].id if len(found) > limit else None
    return page, next_cursor


async def update_user(*, users: UserRepository, user_id: str, data: UserUpdate) -> User:
    changes = UserChanges(updated_at=utc_now())
    if data.email is not None:
        changes["email"] = data.email
    if data.name is not None:
        changes["name"] = data.name
    user = await users.update(user_id, changes)
    if user is None:
        raise UserNotFoundError
    return user


async def delete_user(*, users: UserRepository, user_id: str) -> None:
    if not await users.delete(user_id):
        raise UserNotFoundError
