from __future__ import annotations

from ..core.errors import ConflictError, NotFoundError


class UserNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("No user with this id.")


class EmailAlreadyRegisteredError(ConflictError):
    def __init__(self) -> None:
        super().__init__("A user with this email already exists.")
