"""Keeps an error that has been answered from closing the client's connection.

Starlette's `ServerErrorMiddleware` answers an unhandled exception with the 500
problem (core/errors.py, which also logs it with the request id) and then raises it
again, so that servers can log it. uvicorn then logs it a second time and closes the
connection, without `Connection: close`: a client reusing the keep-alive connection
sees "server disconnected" on its next request. Here an exception that comes after a
complete response stops: the response was sent, the error logged, and the connection
stays usable. An exception before the response is complete still reaches the server,
which must close a connection whose response is cut short.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class AnsweredErrorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Outside HTTP (lifespan, websockets) no message is a response body: an
        # exception always goes on.
        answered = False

        async def send_and_note(message: Message) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get(
                "more_body", False
            ):
                answered = True

        try:
            await self.app(scope, receive, send_and_note)
        except Exception:
            if not answered:
                raise
