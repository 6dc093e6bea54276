"""The operation of a GraphQL request, as the access log and the request metrics name
it: its type (query, mutation) and name, never its document or variables.

Recorded on the request's state once the document is parsed (refused operations
included): `log_fields` adds `graphql_operation` and `graphql_operation_type` to
the request's access log line, `graphql_operation` is what the metrics read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import get_operation_ast
from strawberry.extensions import SchemaExtension

# A name is the client's: bounded before it reaches a log line or a label.
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Operation:
    type: str  # "query" or "mutation"
    name: str | None  # None for an anonymous operation


def recorded(state: dict[str, Any]) -> Operation | None:
    """The operation recorded on a request's state (the ASGI scope's), if any."""
    found = state.get("graphql_operation")
    return found if isinstance(found, Operation) else None


class RecordOperation(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        if document is None:  # a syntax error
            return
        definition = get_operation_ast(document, context.operation_name)
        if definition is None:
            return
        operation = Operation(
            type=definition.operation.value,
            name=definition.name.value[:MAX_NAME_LENGTH] if definition.name else None,
        )
        state = context.context.request.state
        state.graphql_operation = operation
        fields = getattr(state, "log_fields", None) or {}
        state.log_fields = {
            **fields,
            "graphql_operation": operation.name,
            "graphql_operation_type": operation.type,
        }
