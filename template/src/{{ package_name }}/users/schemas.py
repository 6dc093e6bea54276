"""Request and response bodies of the users API (never the ODM documents)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from ..auth.passwords import Password
from ..core.ids import id_pattern
from .domain import Role

UserId = Annotated[str, StringConstraints(pattern=id_pattern("usr"))]

# Addresses are stored lower-cased so that the unique index treats
# Ada@Example.com and ada@example.com as the same user.
NormalizedEmail = Annotated[EmailStr, AfterValidator(str.lower)]
DisplayName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]


class UserCreate(BaseModel):
    """An account created by an admin (people sign themselves up at /auth/register)."""

    model_config = ConfigDict(extra="forbid")

    email: NormalizedEmail
    name: DisplayName
    password: Password
    role: Role = Role.USER


class UserUpdate(BaseModel):
    """Partial update: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    email: NormalizedEmail | None = None
    name: DisplayName | None = None
    role: Role | None = Field(default=None, description="admins only")

    @model_validator(mode="after")
    def _not_empty(self) -> UserUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    role: Role
    email_verified: bool
    created_at: datetime
    updated_at: datetime
