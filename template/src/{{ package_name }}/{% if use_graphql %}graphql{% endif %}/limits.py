"""The limits of one operation, each refused before it runs with a GraphQL error
coded LIMIT_EXCEEDED (`extensions.limit` names the limit, `maximum` its value,
`actual` what the operation has).

- tokens (GRAPHQL_MAX_TOKENS): the parser stops at the first token over the limit
  (graphql-core's `max_tokens`), so a huge document costs no more than a large one;
- depth, aliases, directives and cost (GRAPHQL_MAX_DEPTH, GRAPHQL_MAX_ALIASES,
  GRAPHQL_MAX_DIRECTIVES, GRAPHQL_MAX_COST): measured in one walk of the parsed
  document (`cost.py`), after parsing and before graphql-core's validation rules,
  which are skipped when a limit refuses (the refusal is the cheapest answer).
  The cost depends on the variables (`first: $n`), which validation rules do not
  see: hence an extension rather than a rule.

The length of the document (GRAPHQL_MAX_DOCUMENT_LENGTH) is checked before
parsing, by the HTTP layer (`http.py`). In development the cost of each operation
is reported in the answer's `extensions.cost`.

The parsed document and graphql-core's validation of a document passing the limits
are remembered, by its text (`DocumentCache`, `ValidationCache`, both bounded):
clients send the same few documents again and again, and parsing and validating one
cost more than running a small query. (Strawberry's `ParserCache` raises syntax
errors from its hook, where they lose their `extensions.code`.) The limits are
measured on every request (the cost depends on the variables).

Strawberry's own QueryDepthLimiter and MaxAliasesLimiter are not used: they walk
every fragment spread anew, so a few hundred tokens of fragments spreading each
other twice take them minutes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    validate,
)
from strawberry.extensions import SchemaExtension

from ..core.config import Settings
from ..core.pagination import DEFAULT_PAGE_SIZE
from .cost import Measure, measure

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    max_document_length: int
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_directives: int
    max_cost: int
    default_page_size: int = DEFAULT_PAGE_SIZE
    report_cost: bool = False

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_document_length=settings.graphql_max_document_length,
            max_tokens=settings.graphql_max_tokens,
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_directives=settings.graphql_max_directives,
            max_cost=settings.graphql_max_cost,
            report_cost=settings.environment == "development",
        )

    def refusals(
        self, found: Measure, operation: OperationDefinitionNode
    ) -> list[GraphQLError]:
        checks = (
            ("depth", found.depth, self.max_depth, "is nested {} levels deep"),
            ("aliases", found.aliases, self.max_aliases, "has {} aliases"),
            ("directives", found.directives, self.max_directives, "has {} directives"),
            ("cost", found.cost, self.max_cost, "has a cost of {}"),
        )
        return [
            limit_exceeded(
                f"The operation {what.format(actual)}; the limit is {maximum}.",
                limit=limit,
                maximum=maximum,
                actual=actual,
                nodes=[operation],
            )
            for limit, actual, maximum, what in checks
            if actual > maximum
        ]


def limit_exceeded(
    message: str,
    *,
    limit: str,
    maximum: int,
    actual: int | None = None,
    nodes: list[Any] | None = None,
) -> GraphQLError:
    extensions: dict[str, Any] = {
        "code": LIMIT_EXCEEDED,
        "limit": limit,
        "maximum": maximum,
    }
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, nodes=nodes, extensions=extensions)


class DocumentCache:
    """The parsed documents of the last `size` texts (LRU), per token limit. A text
    that does not parse is not remembered: Strawberry parses it again and answers
    its syntax error as it does without the cache."""

    def __init__(self, size: int = 256) -> None:
        self.parse = lru_cache(maxsize=size)(_parse)


def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


class ValidationCache:
    """The validation errors of the last `size` document texts (LRU)."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._errors: OrderedDict[
            tuple[str, tuple[type[ASTValidationRule], ...]], list[GraphQLError]
        ] = OrderedDict()

    def errors(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        key = (query, rules)
        found = self._errors.get(key)
        if found is None:
            found = self._errors[key] = validate(schema, document, rules)
            if len(self._errors) > self._size:
                self._errors.popitem(last=False)
        else:
            self._errors.move_to_end(key)
        return found


class OperationLimits(SchemaExtension):
    """Parses an operation (once per document text, with `documents`), refuses it
    when it is over a limit before graphql-core validates it, then validates it
    (once per document text, with `validation`)."""

    def __init__(
        self,
        *,
        limits: Limits,
        documents: DocumentCache | None = None,
        validation: ValidationCache | None = None,
    ) -> None:
        self._limits = limits
        self._documents = documents
        self._validation = validation
        self._measured: Measure | None = None

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self._limits.max_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if self._documents is not None and context.query is not None:
            with suppress(GraphQLError):  # Strawberry's own parse reports it
                context.graphql_document = self._documents.parse(
                    context.query, self._limits.max_tokens
                )
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.pre_execution_errors is None:
            operation = get_operation_ast(document, context.operation_name)
            if operation is not None:
                self._measured = measure(
                    context.schema._schema,
                    document,
                    operation,
                    context.variables,
                    default_page_size=self._limits.default_page_size,
                )
                # Errors set before validation runs: Strawberry skips its own.
                if refusals := self._limits.refusals(self._measured, operation):
                    context.pre_execution_errors = refusals
                elif self._validation is not None and context.query is not None:
                    context.pre_execution_errors = self._validation.errors(
                        context.schema._schema,
                        context.query,
                        document,
                        context.validation_rules,
                    )
        yield

    def get_results(self) -> dict[str, Any]:
        if self._limits.report_cost and self._measured is not None:
            return {"cost": self._measured.cost}
        return {}
