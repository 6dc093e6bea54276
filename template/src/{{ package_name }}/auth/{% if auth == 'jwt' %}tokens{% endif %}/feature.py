"""Login with JWT access tokens and rotating refresh tokens."""

from __future__ import annotations

from ...core.feature import Feature
from . import dependencies, models, router

FEATURE = Feature(
    name="auth.tokens",
    documents=models.DOCUMENTS,
    routers=[router.router],
    public_routers=[router.public_router],
    install=dependencies.install,
)
