"""Production entry point: `python -m <package>.serve` (the Dockerfile's command).

uvicorn on its own stops accepting connections the moment SIGTERM arrives, so a load
balancer that still routes to this instance sees refused connections until its next
health probe. Here the first SIGTERM (or Ctrl-C) only turns readiness to 503
(`/health/ready`) and keeps serving for SHUTDOWN_GRACE_S, long enough for the load
balancer to take the instance out; then uvicorn stops accepting connections, lets
the requests in flight finish (--timeout-graceful-shutdown) and runs the lifespan
shutdown, which closes the app's connections. A second signal stops at once.
"""

from __future__ import annotations

import argparse
import gc
import threading
from types import FrameType

import uvicorn
from fastapi import FastAPI

from .core.config import Settings
from .main import create_app


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI, grace_s: float) -> None:
        super().__init__(config)
        self._app = app
        self._grace_s = grace_s
        self._draining = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._draining or self._grace_s <= 0:
            super().handle_exit(sig, frame)
            return
        self._draining = True
        self._app.state.ready = False  # /health/ready answers 503 from now on
        timer = threading.Timer(self._grace_s, super().handle_exit, args=(sig, frame))
        timer.daemon = True
        timer.start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve the app with a graceful shutdown."
    )
    parser.add_argument("--host", default="0.0.0.0")  # noqa: S104 (a container's port)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--timeout-graceful-shutdown",
        type=int,
        default=20,
        help="seconds requests in flight may take after the grace period (default 20)",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    app = create_app(settings)
    # What exists now (modules, routes, schemas, settings) lives as long as the
    # process. Frozen, the garbage collector stops scanning it on every collection
    # and only looks at what requests allocate (about 10% more authenticated reads
    # per second in the template's benchmark). Garbage cycles are collected first.
    gc.collect()
    gc.freeze()
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        # The app decides whom to believe about the client address (TRUSTED_PROXIES).
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
        log_config=None,  # create_app configured logging (uvicorn's loggers included)
    )
    GracefulServer(config, app, settings.shutdown_grace_s).run()


if __name__ == "__main__":
    main()
