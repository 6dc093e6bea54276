"""Database errors: what the API answers when MongoDB cannot be reached."""

from __future__ import annotations

from http import HTTPStatus

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure, ExecutionTimeout

from ..core.config import Settings
from ..core.errors import problem_response

logger = structlog.get_logger(__name__)

# No server to talk to within MONGODB_SERVER_SELECTION_TIMEOUT_MS, a connection lost
# or timed out (AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError and the
# pool's WaitQueueTimeoutError are ConnectionFailures), or an operation over its
# time limit. Every ODM of the template surfaces the driver's own errors.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (ConnectionFailure, ExecutionTimeout)


class TransactionsUnsupportedError(RuntimeError):
    """The server cannot run multi-document transactions (a standalone mongod).

    Raised instead of running the writes without a transaction. Run MongoDB as a
    replica set (a single-node one is enough: `mongod --replSet rs0`, then
    `rs.initiate()`) or a sharded cluster.
    """


# Server error code for "Transaction numbers are only allowed on a replica set member
# or mongos" (IllegalOperation).
ILLEGAL_OPERATION = 20


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The driver's message names hosts and topology: it goes to the log only.
    logger.warning(
        "database_unavailable", error=type(exc).__name__, path=request.url.path
    )
    settings: Settings = request.app.state.settings
    return problem_response(
        request,
        HTTPStatus.SERVICE_UNAVAILABLE,
        detail="The database is not reachable. Try again shortly.",
        headers={"Retry-After": str(settings.retry_after_s)},
    )


def install_database_error_handlers(app: FastAPI) -> None:
    """503 problem+json with Retry-After while MongoDB is down, for every route."""
    for error in UNAVAILABLE_ERRORS:
        app.exception_handler(error)(_database_unavailable)
