"""Route templates (`/api/v1/users/{user_id}`) for logs and rate-limit buckets.

Since FastAPI 0.137 an included router is one `_IncludedRouter` entry in `app.routes`,
and `scope["route"].path` lacks the include prefixes; the prefixed route lives in
`scope["fastapi"]["effective_route_context"]`, and `effective_route_contexts()` lists an
included router's prefixed routes. Both layouts are read here, older FastAPI's flat
route list included, so nothing else depends on that detail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import Scope


def _template(route: Any) -> str | None:
    effective = getattr(route, "starlette_route", None) or route
    path = getattr(effective, "path", None)
    return path if isinstance(path, str) and path else None


def route_template(scope: Scope) -> str | None:
    """After routing: the template of the route that handled the request, or None."""
    fastapi_scope = scope.get("fastapi")
    if isinstance(fastapi_scope, dict):
        context = fastapi_scope.get("effective_route_context")
        if context is not None and (template := _template(context)):
            return template
    return _template(scope.get("route"))


class RouteTable:
    """Before routing: which route template the router will pick for a request.

    Matching walks the route list, so answers are remembered per (method, path):
    a service sees few distinct paths, and the memo is emptied when it holds
    MEMO_SIZE of them (paths with ids in them, or a client trying random ones).
    """

    MEMO_SIZE = 2048

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self._routes = routes  # the app's live list: routes added later are picked up
        self._size = -1
        self._flat: list[tuple[BaseRoute, str | None]] = []
        self._memo: dict[tuple[str, str, str], str | None] = {}

    def _flatten(self) -> list[tuple[BaseRoute, str | None]]:
        if len(self._routes) != self._size:
            flat: list[tuple[BaseRoute, str | None]] = []
            for route in self._routes:
                expand = getattr(route, "effective_route_contexts", None)
                if callable(expand):  # FastAPI >= 0.137: an included router
                    flat += [(context, _template(context)) for context in expand()]
                else:
                    flat.append((route, _template(route)))
            self._flat, self._size = flat, len(self._routes)
            self._memo.clear()
        return self._flat

    def match(self, scope: Scope) -> str | None:
        """The template of the first full match, else of the first path match with
        another method (the router answers it with 405), else None."""
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        flat = self._flatten()
        try:
            return self._memo[key]
        except KeyError:
            pass
        if len(self._memo) >= self.MEMO_SIZE:
            self._memo.clear()
        template = self._memo[key] = self._match(flat, scope)
        return template

    def allowed_methods(self, scope: Scope) -> list[str]:
        """Every method the routes at this path answer: the `Allow` header of a 405
        (RFC 9110 asks for the full set, not the first route's)."""
        methods: set[str] = set()
        for route, _ in self._flatten():
            match, _ = route.matches(scope)
            if match is not Match.NONE:
                methods.update(getattr(route, "methods", None) or ())
        return sorted(methods)

    @staticmethod
    def _match(flat: list[tuple[BaseRoute, str | None]], scope: Scope) -> str | None:
        partial: str | None = None
        for route, template in flat:
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return template
            if match is Match.PARTIAL and partial is None:
                partial = template
        return partial
