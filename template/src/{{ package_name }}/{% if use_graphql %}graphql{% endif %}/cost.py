"""What an operation asks for, measured from its document before it runs: its cost,
depth, aliases and directives (`limits.py` refuses the operations over a limit).

The cost is the number of objects the operation may return: 1 for each object
field (per object of its parent), 0 for scalars and enums. A list field returns
`first` objects (its argument, a literal or a variable; the default page size when
absent), and so do the lists directly inside a field that takes `first` (the
`edges` and `nodes` of a connection). So `users(first: 10) { edges { node { id } } }`
costs 1 + 10 * (1 + 1) = 21. Inline fragments on several types are added up (an
upper bound), `@skip` and `@include` are assumed to include.

Depth is the nesting of fields with selections (`{ me { id } }` is 1). Aliases and
directives are counted where they are written, once per use of their fragment.
Introspection fields (`__schema`, `__type`, `__typename`) cost nothing and add no
depth; their aliases and directives count.

Each fragment is measured once (per page size it is spread under) and reused at its
other spreads, so the walk takes time in proportion to the document's size however
often its fragments spread each other; counting every spread anew, as the naive
walk does, takes time exponential in the number of fragments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
)

PAGE_ARGUMENT = "first"


@dataclass(frozen=True, slots=True)
class Measure:
    cost: int = 0
    depth: int = 0
    aliases: int = 0
    directives: int = 0


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    *,
    default_page_size: int,
) -> Measure:
    """The measure of `operation` (one of `document`'s) with these variables."""
    walk = _Walk(schema, document, operation, variables or {}, default_page_size)
    found = walk.selections(operation.selection_set, _root(schema, operation), None)
    directives = len(operation.directives or ()) + sum(
        len(variable.directives or ())
        for variable in operation.variable_definitions or ()
    )
    return Measure(
        cost=found.cost,
        depth=found.depth,
        aliases=found.aliases,
        directives=found.directives + directives,
    )


def _root(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> GraphQLObjectType | None:
    return schema.get_root_type(operation.operation)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        default_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        # A variable's value: the one sent, else its default in the operation.
        self.variables: dict[str, Any] = {
            definition.variable.name.value: (
                int(definition.default_value.value)
                if isinstance(definition.default_value, IntValueNode)
                else None
            )
            for definition in operation.variable_definitions or ()
        }
        self.variables.update(variables)
        self.default_page_size = default_page_size
        self.measured: dict[tuple[str, int | None], Measure] = {}
        self.entered: set[str] = set()  # fragments being measured (cycles)

    def selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        page: int | None,
    ) -> Measure:
        """`page`: the page size of the connection whose fields these are."""
        if selection_set is None:
            return Measure()
        cost = depth = aliases = directives = 0
        for selection in selection_set.selections:
            directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                found = self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                found = self.selections(
                    selection.selection_set,
                    self.schema.get_type(condition.name.value) if condition else parent,
                    page,
                )
            elif isinstance(selection, FragmentSpreadNode):
                found = self.spread(selection.name.value, page)
            else:  # pragma: no cover (the three kinds of selection)
                continue
            cost += found.cost
            depth = max(depth, found.depth)
            aliases += found.aliases
            directives += found.directives
        return Measure(cost=cost, depth=depth, aliases=aliases, directives=directives)

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None
    ) -> Measure:
        alias = 1 if node.alias else 0
        name = node.name.value
        definition = (
            parent.fields.get(name)
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
            else None
        )
        if name.startswith("__") or definition is None:
            # Introspection, or a field validation will refuse: counted for its
            # aliases and directives only.
            inner = self.selections(node.selection_set, None, None)
            return Measure(aliases=alias + inner.aliases, directives=inner.directives)
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return Measure(aliases=alias)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        paged = PAGE_ARGUMENT in definition.args
        first = self.first(node) if paged else None
        if not is_list:
            size = 1
        elif first is not None:
            size = first
        elif page is not None:
            size = page
        else:
            size = self.default_page_size
        inner = self.selections(
            node.selection_set, named, first if paged and not is_list else None
        )
        return Measure(
            cost=size * (1 + inner.cost),
            depth=1 + inner.depth,
            aliases=alias + inner.aliases,
            directives=inner.directives,
        )

    def spread(self, name: str, page: int | None) -> Measure:
        key = (name, page)
        found = self.measured.get(key)
        if found is not None:
            return found
        fragment = self.fragments.get(name)
        if fragment is None or name in self.entered:
            return Measure()  # unknown or cyclic: validation refuses the document
        self.entered.add(name)
        inner = self.selections(
            fragment.selection_set,
            self.schema.get_type(fragment.type_condition.name.value),
            page,
        )
        self.entered.discard(name)
        found = self.measured[key] = Measure(
            cost=inner.cost,
            depth=inner.depth,
            aliases=inner.aliases,
            directives=inner.directives + len(fragment.directives or ()),
        )
        return found

    def first(self, node: FieldNode) -> int:
        """The page size a field asks for: its `first`, else the default."""
        value: Any = None
        for argument in node.arguments or ():
            if argument.name.value == PAGE_ARGUMENT:
                if isinstance(argument.value, VariableNode):
                    value = self.variables.get(argument.value.name.value)
                elif isinstance(argument.value, IntValueNode):
                    value = int(argument.value.value)
                break
        if isinstance(value, int) and not isinstance(value, bool):
            return max(value, 0)
        return self.default_page_size
