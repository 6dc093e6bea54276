"""Structured logging: one line per event on stdout, JSON outside development and a
console renderer in it.

The app logs through structlog's own pipeline (no stdlib `LogRecord` on the way: the
access log writes a line per request, so this path is kept short). Other libraries'
stdlib loggers (uvicorn, pymongo, httpx) go through a stdlib handler whose formatter
runs the same processors and renderer, so every line has the same shape: `event`,
`level`, `logger`, `timestamp`, the request id when there is one, and the fields.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import structlog

from .config import Settings


class StdoutLogger:
    """structlog's output: writes each rendered line to the *current* `sys.stdout`
    (looked up per line, so output redirected after start-up, as pytest's capture
    does, is followed) and keeps the logger's name for `add_logger_name`."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or "app"

    def msg(self, message: str) -> None:
        stream = sys.stdout
        stream.write(message + "\n")
        stream.flush()

    debug = info = warning = warn = error = critical = fatal = exception = log = msg


def _orjson_dumps(value: Any, **kwargs: Any) -> str:
    return orjson.dumps(value, **kwargs).decode()


def _drop_color_message(
    logger: Any, method_name: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    # uvicorn passes an ANSI-coloured copy of its messages as `extra`.
    event_dict.pop("color_message", None)
    return event_dict


def configure_logging(settings: Settings) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor
    if settings.json_logs:
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer(serializer=_orjson_dumps)
    else:
        renderer = structlog.dev.ConsoleRenderer()

    level = logging.getLevelNamesMapping()[settings.log_level]
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=StdoutLogger,
        # Not cached: a cached logger would keep the configuration it first saw, and
        # tests configure several apps in one process. It costs about 1µs a line.
        cache_logger_on_first_use=False,
    )

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                *shared,
                structlog.stdlib.ExtraAdder(),
                _drop_color_message,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # The app writes its own access log (middleware/access_log.py); uvicorn's would add
    # a second line per request, with the query string.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
