"""Connection options shared by every MongoDB client the service creates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.config import Settings
from ..core.feature import EventListener

# pymongo monitoring listeners (metrics, tracing) a client reports to.
EventListeners = Sequence[EventListener]


def client_options(
    settings: Settings, event_listeners: EventListeners = ()
) -> dict[str, Any]:
    """Keyword arguments for `AsyncMongoClient`, `MongoClient` and Motor alike.

    The pool is per process: size it for the concurrency of one worker. Datetimes are
    read back timezone-aware (UTC).
    """
    options: dict[str, Any] = {
        "appname": settings.app_name,
        "maxPoolSize": settings.mongodb_max_pool_size,
        "minPoolSize": settings.mongodb_min_pool_size,
        "connectTimeoutMS": settings.mongodb_connect_timeout_ms,
        "serverSelectionTimeoutMS": settings.mongodb_server_selection_timeout_ms,
        "retryWrites": settings.mongodb_retry_writes,
        "tz_aware": True,
    }
    if settings.mongodb_socket_timeout_ms is not None:
        options["socketTimeoutMS"] = settings.mongodb_socket_timeout_ms
    if event_listeners:
        options["event_listeners"] = list(event_listeners)
    return options
