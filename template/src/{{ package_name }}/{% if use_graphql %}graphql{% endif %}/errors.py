"""GraphQL errors as clients can act on them: every error carries `extensions.code`.

The services raise the same exceptions for GraphQL as for REST (`core/errors.py`),
so the code follows the status REST would answer. Invalid input carries the field
path of each refused value (the same pydantic validation REST uses). Syntax errors
are GRAPHQL_PARSE_FAILED, other refused documents GRAPHQL_VALIDATION_FAILED (and
variables their GraphQL types refuse, such as an Int sent "x"), and the
limits of `limits.py` LIMIT_EXCEEDED (the token limit included, which the parser
reports as a syntax error). Anything unexpected is masked ("Internal server
error"), logged once with its traceback and the request id, and given to the error
reporters (Sentry, when chosen); no driver or Stripe message reaches a client.
Outside development, graphql-core's "Did you mean ...?" suggestions are removed
too: they would describe the schema to a client that cannot introspect it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import structlog
from graphql import GraphQLError, GraphQLSyntaxError
from pydantic import ValidationError
from strawberry.extensions import SchemaExtension

from ..core.errors import AppError, TooManyRequestsError
from ..db.errors import UNAVAILABLE_ERRORS
from .limits import limit_exceeded

logger = structlog.get_logger(__name__)

INTERNAL_ERROR = "Internal server error"
DATABASE_UNAVAILABLE = "The database is not reachable. Try again shortly."
# graphql-core's validation messages name fields and types the client did not ask for.
_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")
_TOO_MANY_TOKENS = re.compile(r"Document contains more than (\d+) tokens")

CODES: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "BAD_USER_INPUT",
    HTTPStatus.UNAUTHORIZED: "UNAUTHENTICATED",
    HTTPStatus.PAYMENT_REQUIRED: "PAYMENT_REQUIRED",
    HTTPStatus.FORBIDDEN: "FORBIDDEN",
    HTTPStatus.NOT_FOUND: "NOT_FOUND",
    HTTPStatus.CONFLICT: "CONFLICT",
    HTTPStatus.UNPROCESSABLE_ENTITY: "BAD_USER_INPUT",
    HTTPStatus.TOO_MANY_REQUESTS: "RATE_LIMITED",
    HTTPStatus.BAD_GATEWAY: "SERVICE_UNAVAILABLE",
    HTTPStatus.SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
    HTTPStatus.GATEWAY_TIMEOUT: "SERVICE_UNAVAILABLE",
}


def _with(error: GraphQLError, message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Each refused value: its path in the input (`["input", "email"]`), why, and
    pydantic's error type, as REST's `errors` list has them."""
    return [
        {
            "path": [str(part) for part in item["loc"]],
            "message": item["msg"],
            "type": item["type"],
        }
        for item in exc.errors(include_url=False, include_context=False)
    ]


class ErrorCodes(SchemaExtension):
    """Turns the errors of an operation into coded, client-safe ones."""

    def __init__(self, *, development: bool, retry_after_s: int) -> None:
        self._development = development
        self._retry_after_s = retry_after_s

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [self.convert(error) for error in result.errors]

    def convert(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(error, GraphQLSyntaxError):
            return self._syntax_error(error)
        # Validation and the limits, said as they are; and the variables graphql-core
        # refused before execution (no path), where the original is the type's own
        # refusal (an Int sent "x", a DateTime that is no date), not a failure.
        if original is None or (isinstance(original, GraphQLError) and not error.path):
            message = error.message
            if not self._development:
                message = _SUGGESTION.sub("", message)
            code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
            return _with(error, message, **{**(error.extensions or {}), "code": code})
        if isinstance(original, TooManyRequestsError):
            return _with(
                error,
                original.detail or original.title,
                code="RATE_LIMITED",
                retryAfter=max(original.retry_after_s, 1),
            )
        if isinstance(original, AppError):
            code = CODES.get(original.status, "INTERNAL_SERVER_ERROR")
            extra: dict[str, Any] = {}
            retry_after = (original.headers or {}).get("Retry-After", "")
            if retry_after.isdigit():  # a 503 or 409 REST answers with Retry-After
                extra["retryAfter"] = int(retry_after)
            return _with(error, original.detail or original.title, code=code, **extra)
        if isinstance(original, ValidationError):
            return _with(
                error,
                "The input is invalid.",
                code="BAD_USER_INPUT",
                fields=field_errors(original),
            )
        if isinstance(original, UNAVAILABLE_ERRORS):
            logger.warning("database_unavailable", error=type(original).__name__)
            return _with(
                error,
                DATABASE_UNAVAILABLE,
                code="SERVICE_UNAVAILABLE",
                retryAfter=self._retry_after_s,
            )
        logger.error(
            "graphql_unhandled_exception",
            path=[str(part) for part in error.path or ()],
            exc_info=original,
        )
        # Error reporting (Sentry, when chosen) hears of it as of a REST 500.
        state = getattr(self.execution_context.context, "state", None)
        for report in getattr(state, "error_reporters", ()):
            report(original)
        return _with(error, INTERNAL_ERROR, code="INTERNAL_SERVER_ERROR")

    def _syntax_error(self, error: GraphQLSyntaxError) -> GraphQLError:
        if found := _TOO_MANY_TOKENS.search(error.message):
            maximum = int(found.group(1))
            refusal = limit_exceeded(
                f"The document has more than {maximum} tokens; the limit is {maximum}.",
                limit="tokens",
                maximum=maximum,
            )
            return _with(error, refusal.message, **(refusal.extensions or {}))
        return _with(error, error.message, code="GRAPHQL_PARSE_FAILED")
