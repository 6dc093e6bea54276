from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from ...users.schemas import UserPublic


class SessionInfo(BaseModel):
    """Answer to a login. The session id itself travels only in the HttpOnly cookie;
    `csrf_token` goes into the X-CSRF-Token header of every unsafe request."""

    user: UserPublic
    csrf_token: str
    expires_at: datetime
