"""Starting, resolving, renewing and ending server-side sessions.

The cookie holds a random session id; MongoDB holds its SHA-256 hash, so a database
leak yields no usable cookie. Every login gets a new id and ends the session the
browser presented (no fixation). Expiry slides: a session used after
SESSION_RENEW_AFTER_S is extended to SESSION_TTL_S from then, at most one write per
renewal period.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import Response

from ...core.config import Settings
from ...core.time import utc_now
from ...users.domain import User
from ...users.schemas import UserPublic
from ..service import hash_token
from .domain import Session, SessionRepository
from .schemas import SessionInfo


def set_session_cookie(response: Response, settings: Settings, raw_id: str) -> None:
    response.set_cookie(
        settings.session_cookie_name,
        raw_id,
        max_age=settings.session_ttl_s,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="lax",
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        settings.session_cookie_name,
        httponly=True,
        secure=settings.session_cookie_secure,
        samesite="lax",
        path="/",
    )


async def start_session(
    *,
    sessions: SessionRepository,
    settings: Settings,
    response: Response,
    user: User,
    presented_id: str | None,
) -> SessionInfo:
    """A fresh session for `user`; the session id the client presented, if any, ends."""
    if presented_id:
        await sessions.delete(hash_token(presented_id))
    now = utc_now()
    raw_id = secrets.token_urlsafe(32)
    session = Session(
        id_hash=hash_token(raw_id),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_renewed_at=now,
        expires_at=now + timedelta(seconds=settings.session_ttl_s),
    )
    await sessions.add(session)
    set_session_cookie(response, settings, raw_id)
    return SessionInfo(
        user=UserPublic.model_validate(user),
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
    )


async def resolve(
    *, sessions: SessionRepository, settings: Settings, response: Response, raw_id: str
) -> Session | None:
    """The live session for this cookie value, renewed when due."""
    now = utc_now()
    session = await sessions.get(hash_token(raw_id), now)
    if session is None:
        return None
    if now - session.last_renewed_at >= timedelta(
        seconds=settings.session_renew_after_s
    ):
        expires_at = now + timedelta(seconds=settings.session_ttl_s)
        await sessions.renew(session.id_hash, now, expires_at)
        set_session_cookie(response, settings, raw_id)
    return session


async def end_session(
    *,
    sessions: SessionRepository,
    settings: Settings,
    response: Response,
    session: Session,
) -> None:
    await sessions.delete(session.id_hash)
    clear_session_cookie(response, settings)


async def end_all_sessions(
    *,
    sessions: SessionRepository,
    settings: Settings,
    response: Response,
    user_id: str,
) -> None:
    """Log out everywhere: every session of the user ends, this one included."""
    await sessions.delete_for_user(user_id)
    clear_session_cookie(response, settings)
