"""The current session and user, from the session cookie, with CSRF protection: an
unsafe request (POST, PUT, PATCH, DELETE) must repeat the session's CSRF token in the
CSRF header (synchroniser token pattern). SameSite=Lax cookies already keep most
cross-site requests out; the token closes the rest."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request, Response

from ...core.config import Settings
from ...core.dependencies import SettingsDep
from ...core.errors import ForbiddenError, UnauthorizedError
from ...core.openapi import SecurityDoc
from ...db.dependencies import DatabaseDep
from ...users.domain import User, UserRepository
from ..service import RevokeAll
from . import service
from .domain import Session, SessionRepository
from .repository import MongoSessionRepository

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_REFUSAL = "The CSRF token is missing or invalid."
COOKIE_SCHEME = "sessionCookie"
CSRF_SCHEME = "csrfToken"


def openapi_security(settings: Settings) -> SecurityDoc:
    """The security schemes authenticated operations declare (core/openapi.py): the
    session cookie, and on unsafe methods the CSRF header too."""
    return SecurityDoc(
        schemes={
            COOKIE_SCHEME: {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.session_cookie_name,
                "description": "The HttpOnly session cookie set by POST /auth/login",
            },
            CSRF_SCHEME: {
                "type": "apiKey",
                "in": "header",
                "name": settings.csrf_header_name,
                "description": (
                    "The session's csrf_token (from POST /auth/login or "
                    "GET /auth/session), on POST, PUT, PATCH and DELETE"
                ),
            },
        },
        requirement=[{COOKIE_SCHEME: []}],
        unsafe_requirement=[{COOKIE_SCHEME: [], CSRF_SCHEME: []}],
        unsafe_refusal=CSRF_REFUSAL,
    )


async def get_sessions(database: DatabaseDep) -> SessionRepository:
    return MongoSessionRepository(database)


SessionsDep = Annotated[SessionRepository, Depends(get_sessions)]


async def get_current_session(
    request: Request, response: Response, sessions: SessionsDep, settings: SettingsDep
) -> Session:
    return await current_session(
        request,
        response,
        sessions=sessions,
        settings=settings,
        unsafe=request.method not in SAFE_METHODS,
    )


async def current_session(
    request: Request,
    response: Response,
    *,
    sessions: SessionRepository,
    settings: Settings,
    unsafe: bool,
) -> Session:
    """The session of the request's cookie, else 401; an `unsafe` request (one that
    changes something) must also present the session's CSRF token, else 403."""
    raw_id = request.cookies.get(settings.session_cookie_name)
    session = None
    if raw_id:
        session = await service.resolve(
            sessions=sessions, settings=settings, response=response, raw_id=raw_id
        )
    if session is None:
        raise UnauthorizedError("Authentication required.")
    if unsafe:
        presented = request.headers.get(settings.csrf_header_name, "")
        if not hmac.compare_digest(presented.encode(), session.csrf_token.encode()):
            raise ForbiddenError(CSRF_REFUSAL)
    return session


CurrentSession = Annotated[Session, Depends(get_current_session)]


async def get_current_user(request: Request, session: CurrentSession) -> User:
    return await user_of(request, session)


async def user_of(request: Request, session: Session) -> User:
    # Runs on every authenticated request: the user repository (built once, in the
    # lifespan) is read from `app.state` rather than resolved as a sub-dependency.
    users: UserRepository = request.app.state.user_repository
    user = await users.get(session.user_id)
    if user is None:
        raise UnauthorizedError("The account no longer exists.")
    request.state.user_id = user.id  # for the access log line
    return user


async def get_revoke_all(sessions: SessionsDep) -> RevokeAll:
    """How the account service ends every login of a user: delete all its sessions."""

    async def revoke_all(user_id: str) -> None:
        await sessions.delete_for_user(user_id)

    return revoke_all
