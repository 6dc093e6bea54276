"""Which declared index serves a query: the rules of the index-coverage test
(tests/test_query_indexes.py), without a server.

A query is what one statement of a command asks of one collection: the filter of a
find, of each update or delete statement, of a findAndModify, count or distinct, the
leading `$match` of an aggregation (and the join key of each `$lookup`), with its
sort. It is on an index when a declared index can bound its scan: the index's first
key is constrained by the filter with an equality, `$in` or a range (a leading-prefix
match; the filter's other fields are checked on the documents that index finds), a
partial index only when the filter provably implies its `partialFilterExpression`
(by MongoDB's own rules, below), a sparse one only when the filter cannot match a
document without the key. Each branch of a
top-level `$or` may use its own index instead. A sort is on that index when the
index yields the documents in that order once its equality-bound keys are skipped; a
filter-less query may also walk an index in sort order when it is limited. What
fails these rules is reported by its shape: the filter with its values replaced by
`?`, so that one finding stands for every request of that kind.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson.regex import Regex

# Commands that carry no query of a collection (or carry one the checks cannot
# improve on: an insert writes, a getMore continues a checked find). Anything else
# the service sends and this module does not know fails the test, so that a new kind
# of command is classified rather than silently unchecked.
NOT_QUERIES = frozenset(
    {
        "abortTransaction",
        "buildInfo",
        "collMod",
        "collStats",
        "commitTransaction",
        "create",
        "createIndexes",
        "dbStats",
        "drop",
        "dropDatabase",
        "dropIndexes",
        "endSessions",
        "getMore",
        "hello",
        "insert",
        "isMaster",
        "ismaster",
        "killCursors",
        "listCollections",
        "listDatabases",
        "listIndexes",
        "ping",
        "serverStatus",
    }
)
QUERY_COMMANDS = frozenset(
    {"find", "update", "delete", "findAndModify", "count", "distinct", "aggregate"}
)

Direction = int | str  # 1, -1, or a special index type ("text", "hashed", ...)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """One declared index: its keys in order and the options that limit its use."""

    name: str
    keys: tuple[tuple[str, Direction], ...]
    unique: bool = False
    sparse: bool = False
    partial: Mapping[str, Any] | None = None

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> IndexSpec:
        """From an `IndexModel.document` (a `createIndexes` entry)."""
        keys = tuple((str(name), _direction(d)) for name, d in document["key"].items())
        return cls(
            name=str(document.get("name") or "_".join(f"{k}_{d}" for k, d in keys)),
            keys=keys,
            unique=bool(document.get("unique")),
            sparse=bool(document.get("sparse")),
            partial=document.get("partialFilterExpression"),
        )

    def describe(self) -> str:
        return f"{self.name} ({', '.join(_key(k, d) for k, d in self.keys)})"


ID_INDEX = IndexSpec("_id_", (("_id", 1),), unique=True)


def _direction(value: object) -> Direction:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return 1 if value > 0 else -1
    raise TypeError(f"unexpected index direction {value!r}")


def _key(name: str, direction: Direction) -> str:
    return f"{name}: {direction}"


# --- queries -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    collection: str
    operation: str  # find, updateOne, updateMany, deleteOne, ..., aggregate, $lookup
    filter: Mapping[str, Any]
    sort: tuple[tuple[str, Direction], ...] = ()
    limited: bool = False

    @property
    def shape(self) -> str:
        """The query with its values replaced by `?`: the key of a finding."""
        text = f"{self.operation} {self.collection} {shape_of(self.filter)}"
        if self.sort:
            text += " sort {" + ", ".join(_key(k, d) for k, d in self.sort) + "}"
        return text


def queries_in(command_name: str, command: Mapping[str, Any]) -> list[Query]:
    """The queries of one command as sent (a `CommandStartedEvent.command`)."""
    if command_name == "find":
        return [
            Query(
                str(command["find"]),
                "find",
                command.get("filter") or {},
                _sort(command.get("sort")),
                limited=bool(command.get("limit")) or bool(command.get("singleBatch")),
            )
        ]
    if command_name == "update":
        return [
            Query(
                str(command["update"]),
                "updateMany" if statement.get("multi") else "updateOne",
                statement.get("q") or {},
                _sort(statement.get("sort")),
                limited=not statement.get("multi"),
            )
            for statement in command["updates"]
        ]
    if command_name == "delete":
        return [
            Query(
                str(command["delete"]),
                "deleteOne" if statement.get("limit") == 1 else "deleteMany",
                statement.get("q") or {},
                limited=statement.get("limit") == 1,
            )
            for statement in command["deletes"]
        ]
    if command_name == "findAndModify":
        collection = command.get("findAndModify", command.get("findandmodify"))
        return [
            Query(
                str(collection),
                "findAndModify",
                command.get("query") or {},
                _sort(command.get("sort")),
                limited=True,
            )
        ]
    if command_name in ("count", "distinct"):
        return [
            Query(
                str(command[command_name]),
                command_name,
                command.get("query") or {},
            )
        ]
    if command_name == "aggregate":
        return _aggregation_queries(command)
    raise ValueError(f"not a query command: {command_name}")


def _aggregation_queries(command: Mapping[str, Any]) -> list[Query]:
    collection = command["aggregate"]
    if not isinstance(collection, str):
        # `aggregate: 1` runs on the database ($currentOp, $documents, ...).
        return []
    pipeline: Sequence[Mapping[str, Any]] = command.get("pipeline") or []
    stages = [(next(iter(stage)), stage[next(iter(stage))]) for stage in pipeline]
    # The leading $match stages (MongoDB merges them) and the $sort right after them
    # are what the planner can answer from an index; a $limit after the sort bounds it.
    matches: list[Mapping[str, Any]] = []
    position = 0
    while position < len(stages) and stages[position][0] == "$match":
        matches.append(stages[position][1])
        position += 1
    sort: tuple[tuple[str, Direction], ...] = ()
    if position < len(stages) and stages[position][0] == "$sort":
        sort = _sort(stages[position][1])
        position += 1
    limited = position < len(stages) and stages[position][0] == "$limit"
    merged: Mapping[str, Any]
    if not matches:
        merged = {}
    elif len(matches) == 1:
        merged = matches[0]
    else:
        merged = {"$and": matches}
    queries = [Query(collection, "aggregate", merged, sort, limited=limited)]
    for name, spec in stages:
        if name == "$lookup" and "foreignField" in spec:
            queries.append(
                Query(str(spec["from"]), "$lookup", {str(spec["foreignField"]): "?"})
            )
    return queries


def _sort(spec: object) -> tuple[tuple[str, Direction], ...]:
    if not spec:
        return ()
    if isinstance(spec, Mapping):
        items = list(spec.items())
    elif isinstance(spec, Sequence) and not isinstance(spec, str):
        items = [tuple(item) for item in spec]
    else:
        raise TypeError(f"unexpected sort {spec!r}")
    result: list[tuple[str, Direction]] = []
    for name, direction in items:
        if isinstance(direction, Mapping):  # {"$meta": "textScore"}
            result.append((str(name), "$meta"))
        else:
            result.append((str(name), _direction(direction)))
    return tuple(result)


def shape_of(value: object) -> str:
    """A filter with its values replaced by `?` (operators and field names kept,
    fields in sorted order; null stays visible, since indexes treat it apart)."""
    if isinstance(value, Mapping):
        # A `$type` stays written out: it decides whether a partial index serves.
        parts = [
            f"{key}: {json.dumps(value[key]) if key == '$type' else shape_of(value[key])}"
            for key in sorted(value)
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list | tuple):
        shapes = sorted({shape_of(item) for item in value})
        return "[" + ", ".join(shapes) + "]"
    if value is None:
        return "null"
    return "?"


# --- what a filter lets an index bound ----------------------------------------------


class Bound(enum.IntEnum):
    """How narrowly a predicate bounds an index on its field (larger is narrower)."""

    NONE = 0  # $ne, $nin, $not, $exists, $type, unanchored $regex, $size ...
    RANGE = 1  # $gt/$gte/$lt/$lte, an anchored case-sensitive $regex
    IN = 2  # $in of several values, $elemMatch, $all
    POINT = 3  # equality with one value (null included)


@dataclass(frozen=True, slots=True)
class Predicate:
    bound: Bound
    conditions: tuple[object, ...]  # each as written: a value or an operator document


@dataclass(slots=True)
class Conjunction:
    """A filter as a conjunction: one predicate per field, the $or lists beside it,
    and whether it has top-level clauses no index can bound ($expr, $where, $nor)."""

    fields: dict[str, Predicate] = field(default_factory=dict)
    alternatives: list[list[Mapping[str, Any]]] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)

    def add(self, name: str, predicate: Predicate) -> None:
        if (known := self.fields.get(name)) is not None:
            predicate = Predicate(
                max(known.bound, predicate.bound),
                known.conditions + predicate.conditions,
            )
        self.fields[name] = predicate

    def points(self) -> set[str]:
        return {n for n, p in self.fields.items() if p.bound is Bound.POINT}


def conjunction_of(filter_: Mapping[str, Any]) -> Conjunction:
    conjunction = Conjunction()
    _collect(filter_, conjunction)
    return conjunction


def _collect(filter_: Mapping[str, Any], into: Conjunction) -> None:
    for name, condition in filter_.items():
        if name == "$and":
            for clause in condition:
                _collect(clause, into)
        elif name == "$or":
            into.alternatives.append(list(condition))
        elif name.startswith("$"):
            into.opaque.append(name)
        else:
            into.add(name, Predicate(_bound(condition), (condition,)))


def _is_operator_document(condition: object) -> bool:
    return (
        isinstance(condition, Mapping)
        and bool(condition)
        and all(str(key).startswith("$") for key in condition)
    )


def _bound(condition: object) -> Bound:
    if isinstance(condition, re.Pattern | Regex):
        return _regex_bound(condition.pattern, str(getattr(condition, "flags", "")))
    if not _is_operator_document(condition):
        return Bound.POINT  # a value, null, or an embedded document compared whole
    assert isinstance(condition, Mapping)
    best = Bound.NONE
    for operator, operand in condition.items():
        if operator == "$eq":
            bound = Bound.POINT
        elif operator == "$in":
            bound = Bound.POINT if len(operand) == 1 else Bound.IN
        elif operator in ("$elemMatch", "$all"):
            bound = Bound.IN
        elif operator in ("$gt", "$gte", "$lt", "$lte"):
            bound = Bound.RANGE
        elif operator == "$regex":
            bound = _regex_bound(operand, str(condition.get("$options", "")))
        else:
            bound = Bound.NONE
        best = max(best, bound)
    return best


def _regex_bound(pattern: object, options: str) -> Bound:
    text = pattern.pattern if isinstance(pattern, re.Pattern | Regex) else pattern
    if isinstance(text, str) and text.startswith("^") and "i" not in options:
        return Bound.RANGE
    return Bound.NONE


# --- partial and sparse indexes --------------------------------------------------------
#
# MongoDB uses a partial index only when it can prove, predicate by predicate, that the
# filter matches a subset of the index's `partialFilterExpression` (its
# `expression::isSubsetOf`). The proof is narrower than the logic: an equality on a
# string does not prove `{$type: "string"}`, although BSON type bracketing makes it
# true, so a query meant for a "unique when set" index repeats the `$type` condition.

_COMPARISONS = ("$eq", "$gt", "$gte", "$lt", "$lte")
# Operators that never match a document without the field.
_EXISTS_PROOFS = frozenset({"$elemMatch", "$mod", "$regex", "$size", "$type"})


def _operators(condition: object) -> list[tuple[str, object]]:
    """A field's condition as (operator, operand) pairs; a plain value is `$eq`."""
    if isinstance(condition, re.Pattern | Regex):
        return [("$regex", condition)]
    if not _is_operator_document(condition):
        return [("$eq", condition)]
    assert isinstance(condition, Mapping)
    return [(str(op), arg) for op, arg in condition.items() if op != "$options"]


def _canonical_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def _compare(left: object, right: object) -> int | None:
    """-1, 0 or 1 for two values MongoDB compares (of one canonical type)."""
    if _canonical_type(left) != _canonical_type(right):
        return None
    try:
        greater = bool(left > right)  # type: ignore[operator]
        less = bool(left < right)  # type: ignore[operator]
    except TypeError:
        return 0 if left == right else None
    return int(greater) - int(less)


def _type_set(argument: object) -> frozenset[str]:
    items = argument if isinstance(argument, list | tuple) else [argument]
    return frozenset(str(item) for item in items)


def _proves(operator: str, operand: object, required: str, argument: object) -> bool:
    """Whether `{f: {operator: operand}}` matches only documents that
    `{f: {required: argument}}` matches, as far as MongoDB's planner can tell."""
    if operator == "$in":
        return (
            isinstance(operand, list)
            and bool(operand)
            and all(_proves("$eq", value, required, argument) for value in operand)
        )
    if required == "$exists":
        if not argument:
            return False
        if operator in _COMPARISONS:
            return operand is not None
        return operator in _EXISTS_PROOFS or (operator == "$exists" and bool(operand))
    if required == "$type":
        return operator == "$type" and _type_set(operand) == _type_set(argument)
    if required == "$in":
        return isinstance(argument, list) and any(
            _proves(operator, operand, "$eq", value) for value in argument
        )
    if required in _COMPARISONS and operator in _COMPARISONS:
        order = _compare(operand, argument)
        if order is None:
            return False
        if operator == required and order == 0:
            return True
        if required in ("$lt", "$lte") and operator in ("$lt", "$lte", "$eq"):
            return order <= 0 if required == "$lte" else order < 0
        if required in ("$gt", "$gte") and operator in ("$gt", "$gte", "$eq"):
            return order >= 0 if required == "$gte" else order > 0
    return False


def _proven(required: Mapping[str, Any], conjunction: Conjunction) -> bool:
    """Whether the filter provably implies a partial filter expression."""
    for name, condition in required.items():
        if name == "$and":
            if not all(_proven(clause, conjunction) for clause in condition):
                return False
            continue
        if name == "$or":
            if not any(_proven(clause, conjunction) for clause in condition):
                return False
            continue
        predicate = conjunction.fields.get(name)
        if predicate is None:
            return False
        offered = [pair for c in predicate.conditions for pair in _operators(c)]
        for operator, argument in _operators(condition):
            if not any(_proves(op, arg, operator, argument) for op, arg in offered):
                return False
    return True


def _partial_allows(index: IndexSpec, conjunction: Conjunction) -> bool:
    return index.partial is None or _proven(index.partial, conjunction)


def _sparse_allows(index: IndexSpec, conjunction: Conjunction) -> bool:
    # A sparse index lacks the documents without its keys: usable only when the
    # filter cannot match such a document.
    if not index.sparse:
        return True
    predicate = conjunction.fields.get(index.keys[0][0])
    return predicate is not None and any(
        _proves(operator, operand, "$exists", True)
        for condition in predicate.conditions
        for operator, operand in _operators(condition)
    )


# --- the verdict -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    covered: bool  # the filter is bounded by an index (or a limited index-order walk)
    sort_covered: bool  # the sort needs no in-memory sort stage
    how: str  # which index, or why none

    @property
    def ok(self) -> bool:
        return self.covered and self.sort_covered


def leading_prefix(index: IndexSpec, conjunction: Conjunction) -> int:
    """How many leading keys of `index` the filter bounds (the scan's key prefix)."""
    length = 0
    for name, _ in index.keys:
        predicate = conjunction.fields.get(name)
        if predicate is None or predicate.bound is Bound.NONE:
            break
        length += 1
        if predicate.bound is Bound.RANGE:
            break  # later keys no longer narrow the scan to one interval
    return length


def usable(index: IndexSpec, conjunction: Conjunction) -> bool:
    return (
        leading_prefix(index, conjunction) > 0
        and _partial_allows(index, conjunction)
        and _sparse_allows(index, conjunction)
    )


def provides_sort(
    index: IndexSpec, points: set[str], sort: Sequence[tuple[str, Direction]]
) -> bool:
    """Whether walking `index` yields the documents in `sort` order, with the fields
    the filter fixes to one value skipped (on either side)."""
    wanted = [(name, d) for name, d in sort if name not in points]
    if not wanted:
        return True
    relation: int | None = None
    position = 0
    for name, direction in index.keys:
        if position == len(wanted):
            break
        sort_name, sort_direction = wanted[position]
        if name == sort_name:
            if not isinstance(direction, int) or not isinstance(sort_direction, int):
                return False
            if relation is None:
                relation = direction * sort_direction
            elif direction * sort_direction != relation:
                return False
            position += 1
        elif name not in points:
            return False
    return position == len(wanted)


def check(query: Query, indexes: Sequence[IndexSpec]) -> Verdict:
    """Whether `query` is on one of `indexes` (the collection's declared indexes,
    `_id` included), and how."""
    return _check(conjunction_of(query.filter), query, indexes)


def _check(
    conjunction: Conjunction, query: Query, indexes: Sequence[IndexSpec]
) -> Verdict:
    candidates = [index for index in indexes if usable(index, conjunction)]
    points = conjunction.points()
    if candidates:
        best = max(candidates, key=lambda index: leading_prefix(index, conjunction))
        if not query.sort or _remaining_sort(query.sort, points) == []:
            return Verdict(True, True, f"on {best.describe()}")
        for index in sorted(
            candidates, key=lambda index: -leading_prefix(index, conjunction)
        ):
            if provides_sort(index, points, query.sort):
                return Verdict(True, True, f"on {index.describe()}, sorted by it")
        return Verdict(
            True,
            False,
            f"on {best.describe()}, but sorted in memory (no index has this order)",
        )
    for alternatives in conjunction.alternatives:
        # Each branch of an $or may use an index of its own (then the sort is in
        # memory unless there is none to do).
        verdicts = [
            _check(_merged(conjunction, branch), query, indexes)
            for branch in alternatives
        ]
        if all(v.covered for v in verdicts):
            sort_covered = not _remaining_sort(query.sort, points)
            return Verdict(
                True,
                sort_covered,
                "each $or branch on an index: "
                + "; ".join(v.how for v in verdicts)
                + ("" if sort_covered else "; sorted in memory"),
            )
    if (
        not conjunction.fields
        and not conjunction.alternatives
        and not conjunction.opaque
    ):
        # No filter: a walk of an index in sort order, bounded by the limit.
        if query.sort and query.limited:
            for index in indexes:
                if (
                    index.partial is None
                    and not index.sparse
                    and provides_sort(index, set(), query.sort)
                ):
                    return Verdict(
                        True,
                        True,
                        f"a limited walk of {index.describe()} in sort order",
                    )
        return Verdict(False, not query.sort, "no filter: a collection scan")
    unusable = [index for index in indexes if leading_prefix(index, conjunction) > 0]
    if unusable:
        return Verdict(False, not query.sort, "; ".join(map(_why_unusable, unusable)))
    return Verdict(
        False,
        not query.sort,
        "no declared index starts with a field this filter bounds",
    )


def _why_unusable(index: IndexSpec) -> str:
    if index.partial is not None:
        return (
            f"{index.describe()} is partial and this filter does not repeat its "
            f"partialFilterExpression {json.dumps(index.partial, default=str)} "
            "(MongoDB's planner proves it predicate by predicate)"
        )
    return f"{index.describe()} is sparse and this filter may match a missing key"


def _remaining_sort(
    sort: Sequence[tuple[str, Direction]], points: set[str]
) -> list[tuple[str, Direction]]:
    return [(name, d) for name, d in sort if name not in points]


def _merged(conjunction: Conjunction, branch: Mapping[str, Any]) -> Conjunction:
    merged = Conjunction(dict(conjunction.fields), list(conjunction.alternatives[1:]))
    _collect(branch, merged)
    return merged


# --- explain (a real MongoDB) ----------------------------------------------------------

# Fields of a command as sent that belong to the session, the transaction or the
# connection, not to the query: left out of the explained command.
_SESSION_FIELDS = frozenset(
    {
        "$db",
        "$clusterTime",
        "$readPreference",
        "lsid",
        "txnNumber",
        "startTransaction",
        "autocommit",
        "readConcern",
        "writeConcern",
        "apiVersion",
        "apiStrict",
        "apiDeprecationErrors",
        "maxTimeMS",
        "comment",
    }
)


def explainable(
    command_name: str, command: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    """The command as `explain` takes it: one statement at a time for update and
    delete, without the session's fields."""
    body = {key: value for key, value in command.items() if key not in _SESSION_FIELDS}
    if command_name in ("update", "delete"):
        statements = "updates" if command_name == "update" else "deletes"
        for statement in body[statements]:
            yield {**body, statements: [statement]}
        return
    if command_name == "aggregate":
        body["cursor"] = {}
    yield body


def winning_stages(explained: object, *, in_winning_plan: bool = False) -> list[str]:
    """The stage names of the winning plans in an `explain` answer (of a find, a
    write, or each part of an aggregation), rejected plans left out."""
    stages: list[str] = []
    if isinstance(explained, Mapping):
        for key, value in explained.items():
            if key == "rejectedPlans":
                continue
            if key == "stage" and in_winning_plan and isinstance(value, str):
                stages.append(value)
            stages.extend(
                winning_stages(
                    value, in_winning_plan=in_winning_plan or key == "winningPlan"
                )
            )
    elif isinstance(explained, list):
        for item in explained:
            stages.extend(winning_stages(item, in_winning_plan=in_winning_plan))
    return stages
