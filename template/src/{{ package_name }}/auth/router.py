"""Account endpoints common to both auth strategies: registration, current user,
password change, email verification and password reset."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from ..core.dependencies import SettingsDep
from ..core.errors import problem_responses
from ..users.dependencies import UserRepositoryDep
from ..users.schemas import UserPublic
from . import service
from .dependencies import (
    CurrentUser,
    EmailSenderDep,
    OneTimeTokensDep,
    PasswordHasherDep,
    RevokeAllDep,
)
from .schemas import (
    REGISTER_ACCEPTED,
    RESEND_ACCEPTED,
    RESET_ACCEPTED,
    Accepted,
    EmailRequest,
    PasswordChangeRequest,
    PasswordResetConfirm,
    RegisterRequest,
    TokenRequest,
)

public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


@public_router.post(
    "/register",
    status_code=status.HTTP_202_ACCEPTED,
    # Documented per status: 202 is the default answer, 201 and 409 come only with
    # REGISTRATION_REVEALS_ACCOUNTS.
    response_model=None,
    responses={
        202: {"model": Accepted, "description": "Accepted: a message was sent"},
        201: {
            "model": UserPublic,
            "description": "Created (only with REGISTRATION_REVEALS_ACCOUNTS)",
        },
        **problem_responses(409),
    },
)
async def register(
    data: RegisterRequest,
    users: UserRepositoryDep,
    hasher: PasswordHasherDep,
    tokens: OneTimeTokensDep,
    mailer: EmailSenderDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> Accepted | UserPublic:
    """Create an account and mail an email verification link.

    By default the answer is 202 whether the address is new or has an account (its
    owner is mailed instead), so registration does not tell which addresses have
    accounts. With REGISTRATION_REVEALS_ACCOUNTS: 201 with the account, or 409."""
    user = await service.register(
        users=users,
        hasher=hasher,
        tokens=tokens,
        mailer=mailer,
        settings=settings,
        email=data.email,
        name=data.name,
        password=data.password,
    )
    if user is None or not settings.registration_reveals_accounts:
        return Accepted(detail=REGISTER_ACCEPTED)
    response.status_code = status.HTTP_201_CREATED
    response.headers["Location"] = str(request.url_for("get_user", user_id=user.id))
    return UserPublic.model_validate(user)


@public_router.post(
    "/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400),
)
async def verify_email(
    data: TokenRequest, users: UserRepositoryDep, tokens: OneTimeTokensDep
) -> None:
    await service.confirm_email(users=users, tokens=tokens, raw_token=data.token)


@public_router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(
    data: EmailRequest,
    users: UserRepositoryDep,
    tokens: OneTimeTokensDep,
    mailer: EmailSenderDep,
    settings: SettingsDep,
) -> Accepted:
    """Mail a reset link. The answer is the same whether or not the address has an
    account."""
    await service.request_password_reset(
        users=users, tokens=tokens, mailer=mailer, settings=settings, email=data.email
    )
    return Accepted(detail=RESET_ACCEPTED)


@public_router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400),
)
async def confirm_password_reset(
    data: PasswordResetConfirm,
    users: UserRepositoryDep,
    hasher: PasswordHasherDep,
    tokens: OneTimeTokensDep,
    revoke_all: RevokeAllDep,
) -> None:
    """Set a new password with a reset link's token; every login of the account ends."""
    await service.reset_password(
        users=users,
        hasher=hasher,
        tokens=tokens,
        raw_token=data.token,
        new_password=data.new_password,
        revoke_all=revoke_all,
    )


@router.get("/me")
async def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(400),
)
async def change_password(
    data: PasswordChangeRequest,
    user: CurrentUser,
    users: UserRepositoryDep,
    hasher: PasswordHasherDep,
    revoke_all: RevokeAllDep,
) -> None:
    """Change the password; every login of the account ends, this one included."""
    await service.change_password(
        users=users,
        hasher=hasher,
        user=user,
        current_password=data.current_password,
        new_password=data.new_password,
        revoke_all=revoke_all,
    )


@router.post("/verify-email/resend", status_code=status.HTTP_202_ACCEPTED)
async def resend_verification(
    user: CurrentUser,
    tokens: OneTimeTokensDep,
    mailer: EmailSenderDep,
    settings: SettingsDep,
) -> Accepted:
    await service.resend_verification_email(
        user=user, tokens=tokens, mailer=mailer, settings=settings
    )
    return Accepted(detail=RESEND_ACCEPTED)
