"""What one feature adds to the service: the `Feature` each feature module exports
(as `FEATURE`) and `features.py` lists. `main.py` builds the app from that list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from pymongo.monitoring import CommandListener, ConnectionPoolListener
from starlette.middleware import Middleware
from starlette.types import Scope

from .config import Settings
from .routes import RouteTable

Install = Callable[[FastAPI, Settings], None]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
ReadinessCheck = Callable[[FastAPI], Awaitable[object]]
# Called after every HTTP request with its scope, the status answered and the duration
# in seconds (by the access log middleware, which measures each request once).
RequestObserver = Callable[[Scope, int, float], None]
# pymongo monitoring listeners (metrics, tracing) of the app's MongoDB client.
EventListener = CommandListener | ConnectionPoolListener


@dataclass(frozen=True, slots=True, kw_only=True)
class Feature:
    name: str
    # Document models whose indexes are created at startup: the ODM's document
    # classes (collection specs with pymongo), as `db.indexes.ensure_indexes` takes.
    documents: Sequence[Any] = ()
    # Mounted under /api/v1 behind the login dependency (the default), or without it.
    routers: Sequence[APIRouter] = ()
    public_routers: Sequence[APIRouter] = ()
    # Mounted at the root, without login (/metrics).
    root_routers: Sequence[APIRouter] = ()
    # Path prefixes the rate limiter leaves alone.
    unthrottled_prefixes: Sequence[str] = ()
    # Builds the feature's process-wide services on `app.state`, in list order
    # (create_app): a feature may add to what an earlier one installed.
    install: Install | None = None
    # Entered after MongoDB is connected, in list order; left in reverse order.
    lifespan: Lifespan | None = None
    # Readiness probes (/health/ready) besides MongoDB's, by name.
    readiness_checks: Mapping[str, ReadinessCheck] | None = None
    mongodb_listeners: Callable[[FastAPI], Sequence[EventListener]] | None = None
    # Middleware layers just inside the request id (tracing), and observers of the
    # access log's measurement of each request (request metrics).
    middleware: Callable[[FastAPI, RouteTable], Sequence[Middleware]] | None = None
    request_observers: (
        Callable[[FastAPI, RouteTable], Sequence[RequestObserver]] | None
    ) = None
    # Called with each unhandled exception, after it is logged and answered with 500.
    error_reporters: Sequence[Callable[[BaseException], None]] = ()
