"""What every feature's GraphQL module uses: how it hands its fields to the schema
(`Operations`), and Relay-style connections over the cursors REST pages with."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError
from strawberry.utils.str_converters import to_camel_case

from ..core.errors import BadRequestError
from ..core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

T = TypeVar("T")
S = TypeVar("S")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Operations:
    """A feature's root fields: its Query and Mutation types (either may be None).
    `schema.py` merges those of every feature into the schema's roots."""

    query: type | None = None
    mutation: type | None = None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def page_size(first: int | None) -> int:
    """`first`, bounded as REST bounds `limit`: larger values are refused."""
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequestError(f"first must be between 1 and {MAX_PAGE_SIZE}.")
    return size


def connection(
    items: Sequence[S],
    next_cursor: str | None,
    *,
    node: Callable[[S], T],
    cursor: Callable[[S], str],
) -> Connection[T]:
    """A connection from one page of a service's list (its items and the cursor of
    the next page, None on the last)."""
    return Connection(
        edges=[Edge(cursor=cursor(item), node=node(item)) for item in items],
        page_info=PageInfo(
            has_next_page=next_cursor is not None,
            end_cursor=cursor(items[-1]) if items else None,
        ),
    )


def parse(model: type[M], value: object, *, argument: str = "input") -> M:
    """A GraphQL input validated by the REST schema `model` (the same rules, the same
    messages). Fields left out stay out (a partial update sends only what changes);
    a refusal's field paths start at the argument's name and name the fields as the
    schema does (`["input", "newPassword"]`), which `errors.py` reports as
    BAD_USER_INPUT with the messages and types REST gives."""
    data = _sent(value)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Each error again, under its own type and message (a custom error: pydantic
        # cannot rebuild some of its own types, such as value_error, from their dict).
        errors: list[Any] = [
            {
                "type": PydanticCustomError(error["type"], error["msg"]),
                "loc": (argument, *(_graphql_name(part) for part in error["loc"])),
                "input": error["input"],
            }
            for error in exc.errors(include_url=False)
        ]
        raise ValidationError.from_exception_data(exc.title, errors) from None


def _graphql_name(part: int | str) -> int | str:
    # The schema camel-cases field names (auto_camel_case), so clients know them so.
    return to_camel_case(part) if isinstance(part, str) else part


def _sent(value: object) -> object:
    if isinstance(value, list):
        return [_sent(item) for item in value]
    # An input object (an enum's members carry the definition too: they are values).
    if hasattr(value, "__strawberry_definition__") and not isinstance(value, Enum):
        return {
            name: _sent(item)
            for name, item in vars(value).items()
            if item is not strawberry.UNSET
        }
    return value
