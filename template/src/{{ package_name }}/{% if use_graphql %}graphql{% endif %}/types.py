"""What every feature's GraphQL module uses: how it hands its fields to the schema
(`Operations`), Relay-style connections over the cursors REST pages with, and the
`DateTime` scalar, written as REST writes its datetimes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError
from pydantic import BaseModel, TypeAdapter, ValidationError
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


_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


def _write_datetime(value: datetime) -> str:
    # pydantic's JSON form, the one REST's answers carry: `Z` for UTC, where
    # Strawberry's own DateTime (isoformat) writes `+00:00`.
    written: str = _DATETIME.dump_python(value, mode="json")
    return written


def _read_datetime(value: object) -> datetime:
    # What REST's pydantic models accept in a string (`Z` or an offset). A
    # GraphQLError, not pydantic's: graphql-core words it as a variable's refusal.
    if isinstance(value, str):
        try:
            return _DATETIME.validate_python(value)
        except ValidationError:
            pass
    raise GraphQLError(
        f"DateTime cannot represent {value!r}: expected an ISO 8601 date and time "
        "such as 2026-01-01T00:00:00Z."
    )


# The schema's `datetime` (StrawberryConfig.scalar_map, in router.py's CONFIG).
DATE_TIME = strawberry.scalar(
    name="DateTime",
    description="A date and time in ISO 8601, written as the REST API writes it: "
    "UTC with `Z`, and microseconds when there are any "
    "(`2026-01-01T09:30:00.250000Z`). Inputs take `Z` or an offset (`+02:00`).",
    serialize=_write_datetime,
    parse_value=_read_datetime,
)


@strawberry.type(description="Where a page of a connection ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether another page follows (ask for it with `after: "
        "endCursor`)."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last edge; null for an empty page."
    )


@strawberry.type(description="An item of a page and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="Pass it as `after` to get the items that follow this one."
    )
    node: T = strawberry.field(description="The item.")


@strawberry.type(
    description="One page of a list (Relay-style): ask for the next with "
    "`after: pageInfo.endCursor` while `pageInfo.hasNextPage`."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The page's items with their cursors, in the list's order."
    )
    # A list, not a resolver: `@strawberry.field(description=...)` is untyped.
    nodes: list[T] = strawberry.field(
        description="The page's items, without their cursors."
    )
    page_info: PageInfo = strawberry.field(description="Where the page ends.")


# The paging arguments of every list field, as REST's `limit` and `cursor`.
First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many items: 1 to {MAX_PAGE_SIZE} (BAD_USER_INPUT "
        f"otherwise), {DEFAULT_PAGE_SIZE} when left out."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="The `pageInfo.endCursor` of the previous page; omit it for "
        "the first page."
    ),
]


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
    edges = [Edge(cursor=cursor(item), node=node(item)) for item in items]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
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
