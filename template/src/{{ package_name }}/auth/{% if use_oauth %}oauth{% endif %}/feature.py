"""Sign-in with external providers (OAuth 2 / OpenID Connect)."""

from __future__ import annotations

from ...core.feature import Feature
from . import dependencies, models, router

FEATURE = Feature(
    name="auth.oauth",
    documents=models.DOCUMENTS,
    public_routers=[router.public_router],
    install=dependencies.install,
)
