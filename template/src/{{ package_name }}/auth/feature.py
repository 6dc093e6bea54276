"""The account system shared by both auth strategies: registration, email
verification, password change and reset, and the services they use."""

from __future__ import annotations

from ..core.feature import Feature
from . import dependencies, models, router

FEATURE = Feature(
    name="auth",
    documents=models.DOCUMENTS,
    routers=[router.router],
    public_routers=[router.public_router],
    install=dependencies.install,
)
