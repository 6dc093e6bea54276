"""Starlette's trusted-host and CORS middleware, with their refusals answered as
problem+json like every other error of the API (theirs are plain text).

The checks themselves stay Starlette's: host parsing and wildcard patterns, origin,
method and header matching.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.errors import problem_response


class _Refusal:
    """The `send` handed to Starlette's host check: it reaches the app only for an
    allowed host (with the real `send`); anything the check sends itself is its
    plain-text refusal, which is dropped and answered again as a problem."""

    __slots__ = ("downstream", "refused")

    def __init__(self, downstream: Send) -> None:
        self.downstream = downstream
        self.refused = False

    async def __call__(self, message: Message) -> None:
        self.refused = True


class TrustedHostProblemMiddleware:
    """400 problem+json for a Host header this service does not serve."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        # No www. redirect: API clients call the host they are configured with.
        self._check = TrustedHostMiddleware(
            self._allowed, allowed_hosts=allowed_hosts, www_redirect=False
        )

    async def _allowed(self, scope: Scope, receive: Receive, send: Send) -> None:
        downstream = send.downstream if isinstance(send, _Refusal) else send
        await self.app(scope, receive, downstream)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _Refusal(send)
        await self._check(scope, receive, refusal)
        if refusal.refused:
            response = problem_response(
                Request(scope),
                HTTPStatus.BAD_REQUEST,
                detail="The Host header names a host this service does not serve.",
            )
            await response(scope, receive, send)


class CORSProblemMiddleware(CORSMiddleware):
    """Starlette's CORS middleware; a refused preflight is a 400 problem+json that
    names what was refused (origin, method, headers)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != HTTPStatus.BAD_REQUEST:
            return response
        reason = bytes(response.body).decode()  # "Disallowed CORS origin, method"
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        return problem_response(
            None, HTTPStatus.BAD_REQUEST, detail=f"{reason}.", headers=headers
        )
