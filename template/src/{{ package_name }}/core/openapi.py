"""The OpenAPI document, completed with what the layers around the routes enforce.

FastAPI documents what each route declares. What the login dependency, the
middleware and the error handlers answer is added here, per operation, so that the
document (and a client generated from it) is complete and honest:

- every error is the `Problem` model (`ValidationProblem` for 422) under
  `application/problem+json`, and under no other media type;
- operations behind the login dependency carry the login strategy's security
  requirement and 401; with a CSRF token (session login) their unsafe methods also
  carry 403;
- 422 only where there is input to refuse (parameters or a body); 400 (a body that
  cannot be decoded) and 413 where a body is read; 429 where the rate limiter counts
  the request; 503 where the operation needs MongoDB;
- operation ids are the route functions' names (`operation_id`), so generated
  clients read `register`, `me`, `update_user`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from .errors import REF_PREFIX, Problem, ValidationProblem, problem_content

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# FastAPI's own 422 models, replaced here by ValidationProblem.
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

Requirement = list[dict[str, list[str]]]


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its function's name (FastAPI's
    `generate_unique_id_function`). `complete_openapi` refuses duplicates."""
    return route.name


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityDoc:
    """How the login strategy is documented: its security schemes, the requirement
    of an authenticated operation, and what else it refuses on unsafe methods."""

    schemes: Mapping[str, dict[str, Any]]
    requirement: Requirement
    # Unsafe methods (POST, PUT, PATCH, DELETE), when they need more (the CSRF header).
    unsafe_requirement: Requirement | None = None
    # The 403 an unsafe method answers when that extra is missing, if any.
    unsafe_refusal: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenAPIFacts:
    """What the app enforces around its routes, as `create_app` assembled it."""

    security: SecurityDoc
    # The login dependency: an operation that depends on it is authenticated.
    authenticated_by: Callable[..., Any]
    # Dependencies that reach MongoDB: an operation that depends on one can answer 503.
    database_dependencies: Sequence[Callable[..., Any]] = ()
    rate_limited: bool = True
    unthrottled_prefixes: Sequence[str] = ()
    refused_hosts: bool = False  # ALLOWED_HOSTS set: any request may get a 400
    max_body_bytes: int | None = None


def problem_schemas() -> dict[str, dict[str, Any]]:
    """The components of the problem models (and what they reference)."""
    _, top = models_json_schema(
        [(Problem, "serialization"), (ValidationProblem, "serialization")],
        ref_template=REF_PREFIX + "{model}",
    )
    schemas: dict[str, dict[str, Any]] = top.get("$defs", {})
    return schemas


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    """Every callable of a route's dependency tree."""
    stack = [dependant]
    while stack:
        current = stack.pop()
        if current.call is not None:
            yield current.call
        stack.extend(current.dependencies)


def _route_contexts(app: FastAPI) -> dict[tuple[str, str], Any]:
    """(path, METHOD) -> the route as included (prefix and router dependencies
    applied): FastAPI >= 0.137 keeps included routers as one entry that lists its
    effective routes; older FastAPI has a flat list of APIRoutes."""
    found: dict[tuple[str, str], Any] = {}

    def walk(routes: Iterable[Any]) -> None:
        for route in routes:
            expand = getattr(route, "effective_route_contexts", None)
            if callable(expand):
                walk(expand())
            elif getattr(route, "dependant", None) is not None:
                for method in route.methods or ():
                    found[(route.path_format, method)] = route

    walk(app.router.routes)
    return found


def _add(
    responses: dict[str, Any],
    status: int,
    description: str,
    headers: dict[str, Any] | None = None,
) -> None:
    """Document `status`, or add `description` to the one the route declared."""
    entry = responses.setdefault(str(status), {})
    current = entry.get("description")
    if not current or current in (HTTPStatus(status).phrase, "Validation Error"):
        entry["description"] = description
    elif description not in current:
        entry["description"] = f"{current}; {description}"
    if headers:
        entry.setdefault("headers", {}).update(headers)


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _complete_operation(
    operation: dict[str, Any], method: str, path: str, route: Any, facts: OpenAPIFacts
) -> None:
    calls = set(_calls(route.dependant)) if route is not None else set()
    responses: dict[str, Any] = operation.setdefault("responses", {})
    takes_body = "requestBody" in operation
    takes_input = takes_body or bool(operation.get("parameters"))

    if facts.authenticated_by in calls:
        unsafe = method not in SAFE_METHODS
        operation["security"] = (
            facts.security.unsafe_requirement
            if unsafe and facts.security.unsafe_requirement is not None
            else facts.security.requirement
        )
        _add(responses, 401, "Not logged in, or the login has expired or ended")
        if unsafe and facts.security.unsafe_refusal:
            _add(responses, 403, facts.security.unsafe_refusal)
    if takes_input:
        _add(responses, 422, "The request is not valid")
    else:
        responses.pop("422", None)
    if takes_body:
        # FastAPI's answer to a body it cannot decode (not UTF-8, for one); JSON
        # that does not parse is a 422.
        _add(responses, 400, "The request body could not be read")
        limit = f" ({facts.max_body_bytes} bytes)" if facts.max_body_bytes else ""
        _add(responses, 413, f"The request body is over the size limit{limit}")
    if facts.rate_limited and not path.startswith(tuple(facts.unthrottled_prefixes)):
        _add(responses, 429, "Over the rate limit", RETRY_AFTER)
    if facts.refused_hosts:
        _add(responses, 400, "The Host header names a host this service does not serve")
    if calls & set(facts.database_dependencies):
        _add(responses, 503, "MongoDB is not reachable")

    for status, entry in responses.items():
        if status.isdigit() and int(status) >= 400:
            entry["content"] = problem_content(int(status))
    operation["responses"] = dict(sorted(responses.items()))


def _referenced(document: Any) -> set[str]:
    found: set[str] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                found.add(ref.removeprefix(REF_PREFIX))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def complete(document: dict[str, Any], app: FastAPI, facts: OpenAPIFacts) -> None:
    """Complete `document` (FastAPI's) in place; see the module docstring."""
    routes = _route_contexts(app)
    seen: dict[str, str] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            key = f"{method.upper()} {path}"
            if (other := seen.setdefault(operation["operationId"], key)) != key:
                raise RuntimeError(
                    f"operation id {operation['operationId']!r} of {key} is also "
                    f"the id of {other}: rename one of the route functions"
                )
            _complete_operation(
                operation,
                method.upper(),
                path,
                routes.get((path, method.upper())),
                facts,
            )
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.update(problem_schemas())
    schemes = components.setdefault("securitySchemes", {})
    schemes.clear()
    schemes.update(facts.security.schemes)
    # FastAPI's 422 models, unless something else uses them.
    fastapi_models = {
        name: schemas.pop(name, None) for name in _FASTAPI_VALIDATION_SCHEMAS
    }
    referenced = _referenced({"paths": document.get("paths", {}), "schemas": schemas})
    for name, schema in fastapi_models.items():
        if schema is not None and name in referenced:
            schemas[name] = schema
    components["schemas"] = dict(sorted(schemas.items()))


def complete_openapi(app: FastAPI, facts: OpenAPIFacts) -> None:
    """Serve the completed document: `app.openapi()` (and /openapi.json) build
    FastAPI's once, then complete it (FastAPI's documented extension point)."""
    generate = app.openapi
    completed: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        document = generate()  # FastAPI's, cached until the routes change
        if not completed or completed[0] is not document:
            complete(document, app, facts)
            completed[:] = [document]
        return document

    # FastAPI's documented way to change the document; mypy refuses assignments to
    # methods, hence the one ignore.
    app.openapi = openapi  # type: ignore[method-assign]
