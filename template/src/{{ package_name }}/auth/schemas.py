"""Request and response bodies of the auth endpoints, with the password policy."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..users.schemas import DisplayName, NormalizedEmail
from .passwords import Password, PasswordAttempt

# The answers that say the same whatever the address (no account enumeration).
REGISTER_ACCEPTED = "We sent a message to this address: follow it to continue."
RESET_ACCEPTED = "If the address belongs to an account, we sent it a message."
RESEND_ACCEPTED = "If the address is not verified yet, we sent it a new link."

OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=256)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(_Strict):
    email: NormalizedEmail
    name: DisplayName
    password: Password

    @model_validator(mode="after")
    def _password_is_not_the_email(self) -> RegisterRequest:
        if (
            self.password.lower() == self.email
            or self.password.lower() == self.email.split("@")[0]
        ):
            raise ValueError("the password must not be the email address")
        return self


class LoginRequest(_Strict):
    email: NormalizedEmail
    password: PasswordAttempt


class PasswordChangeRequest(_Strict):
    current_password: PasswordAttempt
    new_password: Password


class EmailRequest(_Strict):
    email: NormalizedEmail


class TokenRequest(_Strict):
    token: OpaqueToken


class PasswordResetConfirm(_Strict):
    token: OpaqueToken
    new_password: Password


class Accepted(BaseModel):
    detail: str = Field(
        examples=["If the address belongs to an account, we sent it a message."]
    )
