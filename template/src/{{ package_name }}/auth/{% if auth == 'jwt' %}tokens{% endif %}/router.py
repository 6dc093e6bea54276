"""Login, refresh and logout with JWT access tokens and rotating refresh tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from ...core.dependencies import ClientIp, SettingsDep
from ...core.errors import problem_responses
from ...users.dependencies import UserRepositoryDep
from .. import service as auth_service
from ..dependencies import CurrentUser, LoginThrottleDep, PasswordHasherDep
from ..schemas import LoginRequest
from . import service
from .dependencies import RefreshTokensDep, TokenCodecDep
from .schemas import RefreshRequest, TokenPair

public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


@public_router.post("/login", responses=problem_responses(401, 429))
async def login(
    data: LoginRequest,
    users: UserRepositoryDep,
    hasher: PasswordHasherDep,
    throttle: LoginThrottleDep,
    tokens: RefreshTokensDep,
    codec: TokenCodecDep,
    settings: SettingsDep,
    ip: ClientIp,
) -> TokenPair:
    user = await auth_service.authenticate(
        users=users,
        hasher=hasher,
        throttle=throttle,
        email=data.email,
        password=data.password,
        client_ip=ip,
    )
    return await service.start_family(
        tokens=tokens, codec=codec, user_id=user.id, ttl_s=settings.refresh_token_ttl_s
    )


@public_router.post("/refresh", responses=problem_responses(401))
async def refresh(
    data: RefreshRequest, tokens: RefreshTokensDep, codec: TokenCodecDep
) -> TokenPair:
    """Exchange a refresh token for a new pair. Each refresh token works once."""
    return await service.rotate(
        tokens=tokens, codec=codec, raw_token=data.refresh_token
    )


@public_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(data: RefreshRequest, tokens: RefreshTokensDep) -> None:
    """Revoke the refresh token's family. Access tokens already issued stay valid
    until they expire (ACCESS_TOKEN_TTL_S)."""
    await service.revoke(tokens=tokens, raw_token=data.refresh_token)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_everywhere(user: CurrentUser, tokens: RefreshTokensDep) -> None:
    """Revoke every refresh token of the current user, on every device."""
    await service.revoke_all(tokens=tokens, user_id=user.id)
