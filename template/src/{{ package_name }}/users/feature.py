"""The users feature: accounts and their documents, the users API, and the user
repository built when the database connects."""

from __future__ import annotations

from ..core.feature import Feature
from . import dependencies, models, router

FEATURE = Feature(
    name="users",
    documents=models.DOCUMENTS,
    routers=[router.router],
    lifespan=dependencies.lifespan,
)
