"""Liveness and readiness probes.

`/health/live` answers as long as the process serves requests. `/health/ready` checks
every backing service within `HEALTH_CHECK_TIMEOUT_S` and answers 503 problem+json
when one is down, so a load balancer stops sending traffic to this instance. It also
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
from ..core.errors import PROBLEM_JSON, Problem, problem_response
from ..db.dependencies import DatabaseDep
{%- if use_redis %}
from ..core.redis import RedisDep
{%- endif %}

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
    responses={503: {"model": Problem, "content": {PROBLEM_JSON: {}}}},
)
async def ready(
    request: Request,
    database: DatabaseDep,
{%- if use_redis %}
    redis: RedisDep,
{%- endif %}
) -> Readiness | JSONResponse:
    if not getattr(request.app.state, "ready", False):
        return problem_response(
            request,
            HTTPStatus.SERVICE_UNAVAILABLE,
            detail="The service is shutting down.",
        )
    settings: Settings = request.app.state.settings
    timeout = settings.health_check_timeout_s
    names = ["mongodb"{% if use_redis %}, "redis"{% endif %}]
    results = await asyncio.gather(
        _check("mongodb", database.ping(), timeout),
{%- if use_redis %}
        _check("redis", redis.ping(), timeout),
{%- endif %}
    )
    checks = dict(zip(names, results, strict=True))
    if all(result == "ok" for result in checks.values()):
        return Readiness(checks=checks)
    return problem_response(
        request,
        HTTPStatus.SERVICE_UNAVAILABLE,
        detail="A backing service is down.",
        checks=checks,
    )
