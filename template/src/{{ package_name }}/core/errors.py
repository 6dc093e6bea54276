"""RFC 9457 problem details for every error the API returns.

Domain code raises `AppError` subclasses; framework errors (unknown route, wrong
method, invalid request) and unexpected exceptions are turned into the same
`application/problem+json` shape here. No stack trace or driver message reaches a
client: unexpected errors are logged with their traceback and answered with a
generic 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from .routes import RouteTable

PROBLEM_JSON = "application/problem+json"

logger = structlog.get_logger(__name__)


class Problem(BaseModel):
    """The problem details object (RFC 9457), as documented in OpenAPI."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class FieldError(BaseModel):
    """One refused part of the request: where (`["body", "email"]`), why, and the
    error type (pydantic's, e.g. `string_too_short`)."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    errors: list[FieldError]


class AppError(Exception):
    """Base for errors that map to a problem response."""

    status: int = HTTPStatus.INTERNAL_SERVER_ERROR
    title: str = "Internal Server Error"

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.headers = headers


class BadRequestError(AppError):
    status = HTTPStatus.BAD_REQUEST
    title = "Bad Request"


class UnauthorizedError(AppError):
    status = HTTPStatus.UNAUTHORIZED
    title = "Unauthorized"


class ForbiddenError(AppError):
    status = HTTPStatus.FORBIDDEN
    title = "Forbidden"


class NotFoundError(AppError):
    status = HTTPStatus.NOT_FOUND
    title = "Not Found"


class ConflictError(AppError):
    status = HTTPStatus.CONFLICT
    title = "Conflict"


class TooManyRequestsError(AppError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    title = "Too Many Requests"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(retry_after_s, 1))})
        self.retry_after_s = retry_after_s


class ServiceUnavailableError(AppError):
    status = HTTPStatus.SERVICE_UNAVAILABLE
    title = "Service Unavailable"


def problem_response(
    request: Request | None,
    status: int,
    *,
    detail: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """The problem+json response; `instance` is the request's path (left out where
    the request is not at hand: a CORS preflight refused inside Starlette)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if request is not None:
        body["instance"] = request.url.path
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


async def _app_error(request: Request, exc: AppError) -> JSONResponse:
    return problem_response(
        request, exc.status, title=exc.title, detail=exc.detail, headers=exc.headers
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        # Starlette names the methods of the first route at the path only.
        routes: RouteTable | None = getattr(request.app.state, "route_table", None)
        if routes is not None and (allowed := routes.allowed_methods(request.scope)):
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
    return problem_response(request, exc.status_code, detail=detail, headers=headers)


async def _validation_error(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    # Only location, message and type: the rejected input (which may be a password)
    # and the validator context are never echoed back.
    errors = [
        {
            "loc": list(err.get("loc", ())),
            "msg": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    return problem_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="The request is not valid.",
        errors=errors,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled_error", path=request.url.path, method=request.method)
    # Error reporting (Sentry, when chosen) hears of it here: the error ends with
    # this answer (middleware/answered_errors.py) and never reaches the server.
    for report in getattr(request.app.state, "error_reporters", ()):
        report(exc)
    return problem_response(
        request,
        HTTPStatus.INTERNAL_SERVER_ERROR,
        detail="An unexpected error occurred.",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.exception_handler(AppError)(_app_error)
    app.exception_handler(StarletteHTTPException)(_http_error)
    app.exception_handler(RequestValidationError)(_validation_error)
    app.exception_handler(Exception)(_unexpected_error)


# Declared once and attached to routers so OpenAPI documents the error shape. The
# models' schemas are added to the document's components by core/openapi.py, which
# also documents what the layers around the routes answer (401, 413, 422, 429, 503).
REF_PREFIX = "#/components/schemas/"


def problem_content(status: int) -> dict[str, Any]:
    """The `content` of an error response: the problem model under problem+json
    only, so a generated client parses it (there is no application/json body)."""
    model = ValidationProblem if status == HTTPStatus.UNPROCESSABLE_ENTITY else Problem
    return {PROBLEM_JSON: {"schema": {"$ref": REF_PREFIX + model.__name__}}}


def problem_responses(
    *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries declaring problem+json bodies for `statuses`, with
    the status phrase as description unless `descriptions` says when it happens."""
    return {
        status: {
            "description": (descriptions or {}).get(status, HTTPStatus(status).phrase),
            "content": problem_content(status),
        }
        for status in statuses
    }


PROBLEM_RESPONSES = problem_responses(500)
