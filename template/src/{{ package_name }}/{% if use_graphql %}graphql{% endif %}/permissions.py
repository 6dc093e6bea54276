"""Who may run a field: Strawberry permission classes, so that resolvers hold no
checks of their own. A refusal carries the same AppError REST raises (401, 403 and
their messages), which `errors.py` turns into `extensions.code`."""

from __future__ import annotations

from typing import Any

from graphql import OperationType
from strawberry.permission import BasePermission

from ..core.errors import ForbiddenError
from ..users.domain import Role
from .context import Info


class IsAuthenticated(BasePermission):
    message = "Authentication required."

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        mutation = info.operation.operation is OperationType.MUTATION
        await info.context.user(mutation=mutation)  # raises the 401/403 itself
        return True


class IsAdmin(BasePermission):
    message = "This needs the admin role."

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        mutation = info.operation.operation is OperationType.MUTATION
        user = await info.context.user(mutation=mutation)
        if user.role is not Role.ADMIN:
            raise ForbiddenError(f"This needs the {Role.ADMIN.value} role.")
        return True
