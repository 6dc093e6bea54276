"""Login with server-side sessions: an HttpOnly cookie and CSRF tokens."""

from __future__ import annotations

from ...core.feature import Feature
from . import models, router

FEATURE = Feature(
    name="auth.sessions",
    documents=models.DOCUMENTS,
    routers=[router.router],
    public_routers=[router.public_router],
)
