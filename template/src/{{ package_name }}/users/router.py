"""REST endpoints of the users feature.

No authentication yet: `main.py` includes this router only where
`Settings.serve_users_api` allows it, at the point where the current-user
dependency will be attached.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from ..core.errors import PROBLEM_JSON, Problem
from ..core.pagination import DEFAULT_PAGE_SIZE, Page, PageSize
from . import service
from .dependencies import UserRepositoryDep
from .schemas import UserCreate, UserId, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "content": {PROBLEM_JSON: {}}}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Problem, "content": {PROBLEM_JSON: {}}}
}


@router.post("", status_code=status.HTTP_201_CREATED, responses=_CONFLICT)
async def create_user(
    data: UserCreate, users: UserRepositoryDep, request: Request, response: Response
) -> UserPublic:
    user = await service.create_user(users=users, data=data)
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id))
    return UserPublic.model_validate(user)


@router.get("")
async def list_users(
    users: UserRepositoryDep,
    cursor: Annotated[UserId | None, Query(description="next_cursor of the previous page")] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Page[UserPublic]:
    page, next_cursor = await service.list_users(users=users, cursor=cursor, limit=limit)
    return Page[UserPublic](
        items=[UserPublic.model_validate(user) for user in page], next_cursor=next_cursor
    )


@router.get("/{user_id}", responses=_NOT_FOUND)
async def get_user(user_id: UserId, users: UserRepositoryDep) -> UserPublic:
    return UserPublic.model_validate(await service.get_user(users=users, user_id=user_id))


@router.patch("/{user_id}", responses={**_NOT_FOUND, **_CONFLICT})
async def update_user(user_id: UserId, data: UserUpdate, users: UserRepositoryDep) -> UserPublic:
    user = await service.update_user(users=users, user_id=user_id, data=data)
    return UserPublic.model_validate(user)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND)
async def delete_user(user_id: UserId, users: UserRepositoryDep) -> None:
    await service.delete_user(users=users, user_id=user_id)
