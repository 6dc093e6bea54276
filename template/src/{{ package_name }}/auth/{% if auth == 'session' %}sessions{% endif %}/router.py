"""Login and logout with server-side sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from ...core.dependencies import ClientIp, SettingsDep
from ...core.errors import problem_responses
from ...users.dependencies import UserRepositoryDep
from .. import service as auth_service
from ..dependencies import CurrentUser, LoginThrottleDep, PasswordHasherDep
from ..schemas import LoginRequest
from . import service
from .dependencies import CurrentSession, SessionsDep
from .schemas import SessionInfo

public_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/auth", tags=["auth"])


@public_router.post("/login", responses=problem_responses(401, 429))
async def login(
    data: LoginRequest,
    users: UserRepositoryDep,
    hasher: PasswordHasherDep,
    throttle: LoginThrottleDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    ip: ClientIp,
    request: Request,
    response: Response,
) -> SessionInfo:
    """Check the credentials and start a session: the id goes into an HttpOnly cookie,
    the CSRF token into the body."""
    user = await auth_service.authenticate(
        users=users,
        hasher=hasher,
        throttle=throttle,
        email=data.email,
        password=data.password,
        client_ip=ip,
    )
    return await service.start_session(
        sessions=sessions,
        settings=settings,
        response=response,
        user=user,
        presented_id=request.cookies.get(settings.session_cookie_name),
    )


@router.get("/session")
async def current_session(session: CurrentSession, user: CurrentUser) -> SessionInfo:
    """The current session's CSRF token and expiry (for a reloaded page)."""
    return SessionInfo.model_validate(
        {
            "user": user,
            "csrf_token": session.csrf_token,
            "expires_at": session.expires_at,
        },
        from_attributes=True,
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    session: CurrentSession,
    sessions: SessionsDep,
    settings: SettingsDep,
    response: Response,
) -> None:
    await service.end_session(
        sessions=sessions, settings=settings, response=response, session=session
    )


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_everywhere(
    user: CurrentUser, sessions: SessionsDep, settings: SettingsDep, response: Response
) -> None:
    """End every session of the current user, on every device."""
    await service.end_all_sessions(
        sessions=sessions, settings=settings, response=response, user_id=user.id
    )
