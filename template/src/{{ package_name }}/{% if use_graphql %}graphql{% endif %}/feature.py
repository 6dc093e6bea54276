"""The GraphQL API as a feature: `/graphql`, mounted at the root when the app is built
(its schema's limits come from settings)."""

from __future__ import annotations

from ..core.feature import Feature
from . import router

FEATURE = Feature(name="graphql", install=router.install)
