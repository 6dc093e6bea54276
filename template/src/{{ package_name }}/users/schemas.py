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
from pydantic.json_schema import SkipJsonSchema

from ..auth.passwords import Password
from ..core.ids import id_pattern
from .domain import Role

UserId = Annotated[str, StringConstraints(pattern=id_pattern("usr"))]

# Addresses are stored lower-cased so that the unique index treats
# Ada@Example.com and ada@example.com as the same user.
NormalizedEmail = Annotated[
    EmailStr,
    AfterValidator(str.lower),
    # What email-validator refuses besides the syntax, for the OpenAPI document.
    Field(
        description=(
            "An address on a public domain: special-use names (.test, .local, "
            ".localhost, .invalid, .onion, .arpa) are refused"
        ),
        json_schema_extra={"maxLength": 254},
    ),
]
# No control characters (NUL, newlines, escapes: C0, DEL and C1): names end up in
# emails, logs and other systems' UIs.
DisplayName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f-\x9f]*$",
    ),
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

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    # Optional, but not nullable: null is refused (below), so the schema has no null.
    email: NormalizedEmail | SkipJsonSchema[None] = None
    name: DisplayName | SkipJsonSchema[None] = None
    role: Role | SkipJsonSchema[None] = Field(default=None, description="admins only")

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
