"""Liveness and readiness probes.

`/health/live` answers as long as the process serves requests. `/health/ready` checks
every backing service within `HEALTH_CHECK_TIMEOUT_S` and answers 503 problem+json
when one is down (MongoDB, and what the features list in `Feature.readiness_checks`:
Redis, when the service uses it), so a load balancer stops sending traffic to this
instance. It also
answers 503 from the start of shutdown (`app.state.ready`, see main.py) while the
connections are still open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from http import HTTPStatus
from typing import Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ..core.config import Settings
from ..core.errors import problem_content, problem_response
from ..db.dependencies import DatabaseDep

router = APIRouter(prefix="/health", tags=["health"])
logger = structlog.get_logger(__name__)

CheckResult = Literal["ok", "down"]


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok"] = "ok"
    checks: dict[str, CheckResult]


async def _check(name: str, probe: Awaitable[object], seconds: float) -> CheckResult:
    try:
        async with asyncio.timeout(seconds):
            await probe
    except Exception as exc:
        # Any failure means "not ready"; the reason goes to the log.
        logger.warning("readiness_check_failed", check=name, error=type(exc).__name__)
        return "down"
    return "ok"


@router.get("/live")
async def live() -> Liveness:
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    responses={
        503: {
            "description": "Not ready: shutting down, or a backing service is down",
            "content": problem_content(503),
        }
    },
)
async def ready(request: Request, database: DatabaseDep) -> Readiness | JSONResponse:
    if not getattr(request.app.state, "ready", False):
        return problem_response(
            request,
            HTTPStatus.SERVICE_UNAVAILABLE,
            detail="The service is shutting down.",
        )
    settings: Settings = request.app.state.settings
    timeout = settings.health_check_timeout_s
    probes = {
        "mongodb": database.ping(),
        **{
            name: check(request.app)
            for name, check in request.app.state.readiness_checks.items()
        },
    }
    results = await asyncio.gather(
        *(_check(name, probe, timeout) for name, probe in probes.items())
    )
    checks = dict(zip(probes, results, strict=True))
    if all(result == "ok" for result in checks.values()):
        return Readiness(checks=checks)
    return problem_response(
        request,
        HTTPStatus.SERVICE_UNAVAILABLE,
        detail="A backing service is down.",
        checks=checks,
    )
