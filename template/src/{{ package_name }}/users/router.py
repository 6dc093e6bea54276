"""REST endpoints of the users feature. Every route needs a logged-in user (the router
is included with the current-user dependency); users see and edit themselves, admins
manage everyone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from ..auth.dependencies import (
    AdminUser,
    CurrentUser,
    ForgetUserDep,
    PasswordHasherDep,
    RevokeAllDep,
)
from ..core.errors import problem_responses
from ..core.pagination import DEFAULT_PAGE_SIZE, Page, PageSize
from . import service
from .dependencies import UserRepositoryDep
from .schemas import UserCreate, UserId, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=problem_responses(401))


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=problem_responses(403, 409)
)
async def create_user(
    data: UserCreate,
    admin: AdminUser,
    users: UserRepositoryDep,
    hasher: PasswordHasherDep,
    request: Request,
    response: Response,
) -> UserPublic:
    """Create an account (admins)."""
    user = await service.create_user(
        users=users,
        email=data.email,
        name=data.name,
        password_hash=await hasher.hash(data.password),
        role=data.role,
    )
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id))
    return UserPublic.model_validate(user)


@router.get("", responses=problem_responses(403))
async def list_users(
    admin: AdminUser,
    users: UserRepositoryDep,
    cursor: Annotated[
        UserId | None, Query(description="next_cursor of the previous page")
    ] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Page[UserPublic]:
    """All users in creation order (admins)."""
    page, next_cursor = await service.list_users(
        users=users, cursor=cursor, limit=limit
    )
    return Page[UserPublic](
        items=[UserPublic.model_validate(user) for user in page],
        next_cursor=next_cursor,
    )


@router.get("/{user_id}", responses=problem_responses(404))
async def get_user(
    user_id: UserId, actor: CurrentUser, users: UserRepositoryDep
) -> UserPublic:
    user = await service.get_user(users=users, user_id=user_id, actor=actor)
    return UserPublic.model_validate(user)


@router.patch("/{user_id}", responses=problem_responses(403, 404, 409))
async def update_user(
    user_id: UserId,
    data: UserUpdate,
    actor: CurrentUser,
    users: UserRepositoryDep,
    revoke_all: RevokeAllDep,
) -> UserPublic:
    """Change the fields sent. A role change (admins only) ends the user's logins."""
    user = await service.update_user(
        users=users, user_id=user_id, data=data, actor=actor, revoke_all=revoke_all
    )
    return UserPublic.model_validate(user)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404),
)
async def delete_user(
    user_id: UserId,
    actor: CurrentUser,
    users: UserRepositoryDep,
    forget_user: ForgetUserDep,
) -> None:
    await service.delete_user(
        users=users, user_id=user_id, actor=actor, forget_user=forget_user
    )
