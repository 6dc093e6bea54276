"""Use cases of the users feature, written against the `UserRepository` interface."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..core.errors import ForbiddenError
from ..core.ids import new_id
from ..core.time import utc_now
from .domain import Role, User, UserChanges, UserRepository
from .exceptions import UserNotFoundError
from .schemas import UserUpdate

# Ends every login of the user with this id (auth's strategy provides it).
EndLogins = Callable[[str], Awaitable[None]]


async def create_user(
    *,
    users: UserRepository,
    email: str,
    name: str,
    password_hash: str | None,
    role: Role = Role.USER,
    email_verified: bool = False,
) -> User:
    now = utc_now()
    user = User(
        id=new_id("usr"),
        email=email,
        name=name,
        role=role,
        email_verified=email_verified,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    await users.create(user)
    return user


async def get_user(*, users: UserRepository, user_id: str, actor: User) -> User:
    """The user, if `actor` may see it: itself, or anyone for an admin. Others get
    the same 404 as a missing id, so ids of other accounts cannot be probed."""
    if user_id == actor.id:
        return actor
    user = await users.get(user_id) if actor.is_admin else None
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


async def update_user(
    *,
    users: UserRepository,
    user_id: str,
    data: UserUpdate,
    actor: User,
    revoke_all: EndLogins,
) -> User:
    """Apply the change. A role change (admins only) ends the user's logins
    (`revoke_all`), so that no session outlives a change of privileges."""
    target = await get_user(users=users, user_id=user_id, actor=actor)
    changes = UserChanges(updated_at=utc_now())
    if data.role is not None and data.role != target.role:
        if not actor.is_admin:
            raise ForbiddenError("Only admins can change roles.")
        changes["role"] = data.role
    if data.email is not None and data.email != target.email:
        changes["email"] = data.email
        changes["email_verified"] = False  # the new address is not proven yet
    if data.name is not None:
        changes["name"] = data.name
    user = await users.update(user_id, changes)
    if user is None:
        raise UserNotFoundError
    if "role" in changes:
        await revoke_all(user.id)
    return user


async def change_role(
    *, users: UserRepository, user_id: str, role: Role, revoke_all: EndLogins
) -> User:
    """Give the user `role` and end its logins, as `update_user` does for an admin
    (the command line's promote and demote, where no user acts). The repository's
    write drops the cached user, so the new role applies to the next request."""
    user = await users.update(user_id, UserChanges(role=role, updated_at=utc_now()))
    if user is None:
        raise UserNotFoundError
    await revoke_all(user.id)
    return user


async def delete_user(
    *, users: UserRepository, user_id: str, actor: User, forget_user: EndLogins
) -> None:
    """Delete the user, then what `forget_user` removes with it (its logins, its
    linked sign-in identities)."""
    await get_user(users=users, user_id=user_id, actor=actor)
    if not await users.delete(user_id):
        raise UserNotFoundError
    await forget_user(user_id)
