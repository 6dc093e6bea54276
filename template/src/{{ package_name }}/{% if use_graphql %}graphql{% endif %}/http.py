"""/graphql over HTTP, as the GraphQL-over-HTTP specification says, with the
refusals a public endpoint needs. Strawberry's router parses and executes (its
hooks are overridden here, not rewritten); this class decides what is accepted and
how the answer is sent:

- one route, GET and POST, left out of the OpenAPI document: no websocket route
  (no subscriptions), no multipart uploads, no batches (a JSON array is refused);
- the answer is `application/graphql-response+json` when the Accept header names
  it (at least as preferred as application/json), else `application/json`, and 406
  when Accept allows neither. With graphql-response+json, an answer without `data`
  (the document or its variables were refused before it ran) is a 400; with
  application/json every well-formed request gets 200, errors or not, as the
  specification has it;
- POST bodies are `application/json` (415 otherwise); GET is for queries: a
  mutation over GET is a 405 with `Allow: POST`;
- CSRF: a browser sends a GET, or a POST whose content type is "simple" (text/plain,
  a form encoding), to another site without asking it first (no CORS preflight), so
  such a request is refused unless it carries a header a cross-site page cannot set
  without a preflight (`GraphQL-Preflight: 1`, `X-Requested-With`, Apollo's
  `Apollo-Require-Preflight`, `Authorization`). GraphiQL's page itself (a GET from a
  browser, no query) is not an operation and needs none;
- documents longer than GRAPHQL_MAX_DOCUMENT_LENGTH are refused before parsing,
  and with trusted documents (`documents.py`) only those run;
- refusals are GraphQL answers too: `{"errors": [{"message", "extensions": {"code"}}]}`.

The 413 for bodies over MAX_BODY_BYTES comes from the body limit middleware
(problem+json, like every other route), and the rate limiter counts /graphql as one
route (middleware/rate_limit.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from ..core.docs import inline_script_sources
from .context import Context, get_context
from .documents import TrustedDocuments
from .limits import LIMIT_EXCEEDED

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# Content types a page may POST to another site without a CORS preflight ("" is
# none at all).
SIMPLE_CONTENT_TYPES = frozenset(
    {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
)
PREFLIGHT_HEADERS = (
    "graphql-preflight",
    "x-requested-with",
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "authorization",
)


def graphiql_policy(html: str) -> str:
    """GraphiQL's page loads React and its own scripts and styles from unpkg (pinned
    by SRI in Strawberry's page) and starts with one inline script, allowed by its
    hash; the API's policy (middleware/security_headers.py) allows none of that. The
    IDE is a development tool (off in staging and production): offline, explore the
    schema through `schema.graphql` or a desktop client instead."""
    scripts = " ".join(["https://unpkg.com", *inline_script_sources(html)])
    return (
        f"default-src 'none'; script-src {scripts}; "
        "style-src 'unsafe-inline' https://unpkg.com; font-src https://unpkg.com data:; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


class RequestError(HTTPException):
    """A request refused before its operation runs, answered as a GraphQL error.

    `document_refused`: the request was well-formed but its document is refused
    (too long, not trusted): a GraphQL request error, 200 with application/json.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
        document_refused: bool = False,
    ) -> None:
        super().__init__(status, message)
        self.code = code
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})
        self.document_refused = document_refused


def response_media_type(accept: str | None) -> str:
    """The media type of the answer to a request with this Accept header."""
    if not accept:
        return JSON
    exact: dict[str, float] = {}
    for media_range in accept.split(","):
        media, parameters = parse_content_type(media_range)
        try:
            quality = float(parameters.get("q", "1"))
        except ValueError:
            quality = 0.0
        exact[media] = max(exact.get(media, 0.0), quality)
    graphql_response = exact.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json_quality = next(
        (exact[media] for media in (JSON, "application/*", "*/*") if media in exact),
        0.0,
    )
    if graphql_response > 0 and graphql_response >= json_quality:
        return GRAPHQL_RESPONSE_JSON
    if json_quality > 0:
        return JSON
    raise RequestError(
        406,
        f"This endpoint answers {GRAPHQL_RESPONSE_JSON} or {JSON}: "
        "the Accept header allows neither.",
        code="NOT_ACCEPTABLE",
    )


def refuse_cross_site(request: AsyncHTTPRequestAdapter) -> None:
    """Refuses what a cross-site page can send without a CORS preflight."""
    content_type, _ = parse_content_type(request.content_type or "")
    if content_type not in SIMPLE_CONTENT_TYPES:
        return
    if any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
        return
    raise RequestError(
        400,
        "This request may be a cross-site request forgery: send operations as POST "
        f"with Content-Type: {JSON}, or add a GraphQL-Preflight: 1 header.",
        code="CSRF_PREVENTED",
    )


class GraphQLHTTPRouter(GraphQLRouter[Context, None]):
    """Strawberry's FastAPI router, with this module's rules."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        path: str,
        ide: bool,
        max_document_length: int,
        documents: TrustedDocuments | None = None,
    ) -> None:
        super().__init__(
            schema,
            path=path,
            graphql_ide="graphiql" if ide else None,
            context_getter=get_context,
            subscription_protocols=(),
            multipart_uploads_enabled=False,
        )
        self._max_document_length = max_document_length
        self._documents = documents
        # Strawberry's three routes (GET, POST, websocket) make way for this one.
        self.routes.clear()
        # The context from Strawberry's dependency (the request's sub-response in
        # it). A default, not an Annotated hint: the hint would be a string (future
        # annotations) naming a local FastAPI cannot resolve.
        context_dependency = Depends(self.context_getter)

        async def graphql(
            request: Request, context: Context = context_dependency
        ) -> Response:
            return await self.answer(request, context)

        self.add_api_route(
            path, graphql, methods=["GET", "POST"], include_in_schema=False
        )

    async def answer(self, request: Request, context: Context) -> Response:
        adapter = self.request_adapter_class(request)
        media_type = JSON
        try:
            if self.should_render_graphql_ide(adapter):
                if self.graphql_ide:
                    return await self.render_graphql_ide(request)
                raise RequestError(404, "Not Found", code="NOT_FOUND")
            media_type = response_media_type(request.headers.get("accept"))
            refuse_cross_site(adapter)
            request_data = await self.parse_http_body(adapter)
            result = await self._execute(request, adapter, context, request_data)
        except RequestError as error:
            return self._refusal(error, media_type, context)
        except HTTPException as error:  # Strawberry's: the request is malformed
            refusal = RequestError(error.status_code, error.reason, code="BAD_REQUEST")
            return self._refusal(refusal, media_type, context)
        body = await self.process_result(request, result)
        status = 400 if media_type != JSON and "data" not in body else 200
        return self._respond(
            body,
            status=context.http_response.status_code or status,
            media_type=media_type,
            context=context,
        )

    async def _execute(
        self,
        request: Request,
        adapter: AsyncHTTPRequestAdapter,
        context: Context,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await self.execute_single(
                request=request,
                request_adapter=adapter,
                sub_response=context.http_response,
                context=context,
                root_value=None,
                request_data=request_data,
            )
        except HTTPException as error:
            cause = error.__cause__
            if (
                isinstance(cause, InvalidOperationTypeError)
                and cause.operation_type is OperationType.MUTATION
            ):
                raise RequestError(
                    405,
                    "Mutations are only accepted over POST.",
                    code="METHOD_NOT_ALLOWED",
                    headers={"Allow": "POST"},
                ) from None
            raise

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return super().should_render_graphql_ide(request) and (
            "documentId" not in request.query_params
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        html = self.graphql_ide_html
        return HTMLResponse(
            html, headers={"Content-Security-Policy": graphiql_policy(html)}
        )

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData:
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type != JSON:
                raise RequestError(
                    415,
                    f"Send operations as {JSON} (this endpoint takes no other "
                    "content type, multipart uploads included).",
                    code="UNSUPPORTED_MEDIA_TYPE",
                )
        data = await super().parse_http_body(request)
        if isinstance(data, list):  # refused by _validate_batch_request already
            raise _batch_refused()
        if data.query is None:
            return await self._persisted(request, data)
        if len(data.query) > self._max_document_length:
            raise RequestError(
                400,
                f"The document has {len(data.query)} characters; the limit is "
                f"{self._max_document_length}.",
                code=LIMIT_EXCEEDED,
                extensions={
                    "limit": "length",
                    "maximum": self._max_document_length,
                    "actual": len(data.query),
                },
                document_refused=True,
            )
        if self._documents is not None and not self._documents.trusts(data.query):
            raise RequestError(
                400,
                "This service runs trusted documents only: send the documentId of "
                "one of its documents.",
                code="PERSISTED_QUERY_NOT_IN_LIST",
                document_refused=True,
            )
        return data

    async def _persisted(
        self, request: AsyncHTTPRequestAdapter, data: GraphQLRequestData
    ) -> GraphQLRequestData:
        """The request with the document its `documentId` names (or Apollo's
        `extensions.persistedQuery.sha256Hash`); as it is without either."""
        if request.method == "GET":
            document_id: object = request.query_params.get("documentId")
        else:
            body = self.decode_json(await request.get_body())
            document_id = body.get("documentId") if isinstance(body, dict) else None
        persisted = (data.extensions or {}).get("persistedQuery")
        if document_id is None and isinstance(persisted, dict):
            document_id = persisted.get("sha256Hash")
        if document_id is None:
            return data  # Strawberry answers that the query is missing
        if not isinstance(document_id, str):
            raise RequestError(400, "documentId must be a string.", code="BAD_REQUEST")
        if self._documents is None:
            raise RequestError(
                400,
                "This service takes documents, not document ids: send the query.",
                code="PERSISTED_QUERY_NOT_SUPPORTED",
                document_refused=True,
            )
        data.query = self._documents.get(document_id)
        if data.query is None:
            raise RequestError(
                400,
                f"No trusted document has the id {document_id[:80]!r}.",
                code="PERSISTED_QUERY_NOT_FOUND",
                document_refused=True,
            )
        return data

    def _validate_batch_request(self, *args: Any, **kwargs: Any) -> None:
        raise _batch_refused()

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = json.loads(data)
        except (ValueError, RecursionError):
            raise RequestError(
                400, "The request is not valid JSON.", code="BAD_REQUEST"
            ) from None
        if not isinstance(decoded, dict | list):
            raise RequestError(400, "Expected a JSON object.", code="BAD_REQUEST")
        return decoded

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        body = process_result(result)
        if isinstance(result, PreExecutionError) or _variables_refused(result):
            body.pop("data", None)  # refused before it ran: a request error
        return body

    def _refusal(
        self, error: RequestError, media_type: str, context: Context
    ) -> Response:
        status = error.status_code
        if error.document_refused and media_type == JSON:
            status = 200
        body = {
            "errors": [
                {
                    "message": error.reason,
                    "extensions": {"code": error.code, **error.extensions},
                }
            ]
        }
        return self._respond(
            body,
            status=status,
            media_type=media_type,
            context=context,
            headers=error.headers,
        )

    def _respond(
        self,
        body: object,
        *,
        status: int,
        media_type: str,
        context: Context,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        response = Response(
            self.encode_json(body),
            status_code=status,
            media_type=media_type,
            headers=headers,
        )
        # What resolvers set on the context's response (cookies, mostly).
        response.headers.raw.extend(context.http_response.headers.raw)
        return response


def _batch_refused() -> RequestError:
    return RequestError(
        400,
        "Batching is off: send one operation per request (a JSON object, not an "
        "array).",
        code="BATCHING_NOT_SUPPORTED",
    )


def _variables_refused(result: ExecutionResult) -> bool:
    """Whether graphql-core refused the variables (it coerces them before executing:
    errors without a path, no data), which the specification counts as a request
    error, like a refused document."""
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )
