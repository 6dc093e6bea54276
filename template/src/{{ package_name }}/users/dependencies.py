from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..db.dependencies import DatabaseDep
from .domain import UserRepository
from .repository import MongoUserRepository


def get_user_repository(database: DatabaseDep) -> UserRepository:
    return MongoUserRepository(database)


UserRepositoryDep = Annotated[UserRepository, Depends(get_user_repository)]
