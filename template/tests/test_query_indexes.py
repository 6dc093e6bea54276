"""Every query the service sends to MongoDB is on an index it declares.

The session-wide `query_log` fixture (tests/query_log.py) hears every command of
the apps the tests create; this module runs after every other test (conftest.py
orders it last) and checks each query shape they made the service send against the
indexes the features declare beside their models (tests/index_coverage.py has the
rules). Where MONGODB_URI is a real MongoDB, each captured query is also explained
against a fresh database holding the declared indexes, and a collection scan fails.
Run without the rest of the suite there is nothing to check, and those tests skip.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from pymongo.synchronous.database import Database

from .index_coverage import (
    ID_INDEX,
    Direction,
    IndexSpec,
    Query,
    Verdict,
    check,
    explainable,
    winning_stages,
)
from .query_log import CapturedQuery, QueryLog, declared_indexes

# Sorts done in memory on purpose, by query shape, each with why the sorted set is
# small. Everything else the service sorts comes out of an index in order. An entry
# that no longer describes an in-memory sort fails the test.
IN_MEMORY_SORTS: dict[str, str] = {}

# Collections of the tests, not of the service, that tests reach through the app's
# own client (so the query log hears them): left out.
TEST_COLLECTIONS = {
    # test_transactions.py tests the transaction helper on two collections of its own.
    "ledger",
    "balances",
}


def findings(
    log: QueryLog, declared: dict[str, list[IndexSpec]], report: list[str] | None = None
) -> tuple[list[str], list[str]]:
    """The captured query shapes no declared index serves, and the allow-list entries
    that no longer describe an in-memory sort; every verdict goes to `report`."""
    uncovered: list[str] = []
    stale: list[str] = []
    for shape, captured in sorted(log.queries.items()):
        if captured.query.collection in TEST_COLLECTIONS:
            continue
        indexes = declared.get(captured.query.collection)
        verdict = check(captured.query, indexes or [ID_INDEX])
        if report is not None:
            report.append(f"{'ok  ' if verdict.ok else 'FAIL'} {shape}: {verdict.how}")
        allowed = IN_MEMORY_SORTS.get(shape)
        if allowed is not None and (verdict.ok or not verdict.covered):
            stale.append(f"{shape}: {verdict.how}")
        if verdict.ok or (allowed is not None and verdict.covered):
            continue
        uncovered.append(describe(captured, verdict, indexes))
    return uncovered, stale


def describe(
    captured: CapturedQuery, verdict: Verdict, indexes: list[IndexSpec] | None
) -> str:
    declared = (
        ", ".join(index.describe() for index in indexes)
        if indexes
        else "none: no feature declares this collection"
    )
    return (
        f"{captured.query.shape}\n    {verdict.how}\n    declared on "
        f"{captured.query.collection}: {declared}\n    sent {captured.count} "
        f"time(s), first by {captured.first_test}"
    )


def test_every_query_the_service_sent_is_on_a_declared_index(
    query_log: QueryLog,
) -> None:
    if not query_log.queries:
        pytest.skip("no query was captured: this test checks the suite's queries")
    report: list[str] = []
    uncovered, stale = findings(query_log, declared_indexes(), report)
    print("\n".join(report))
    queries = sum(
        c.count
        for c in query_log.queries.values()
        if c.query.collection not in TEST_COLLECTIONS
    )
    print(
        f"index coverage: {queries} queries of "
        f"{len(report)} shapes checked "
        f"({sum(query_log.commands.values())} commands captured: "
        f"{dict(query_log.commands.most_common())})"
    )
    assert not query_log.unclassified, (
        "commands neither checked nor known to carry no query (classify them in "
        f"tests/index_coverage.py): {query_log.unclassified}"
    )
    assert not uncovered, (
        f"{len(uncovered)} of {len(report)} query shapes the service "
        "sent are not on a declared index (declare one beside the model, or change "
        "the query):\n" + "\n".join(uncovered)
    )
    assert not stale, "IN_MEMORY_SORTS entries to remove:\n" + "\n".join(stale)


@pytest.mark.requires_mongodb
async def test_every_query_plan_uses_an_index(
    query_log: QueryLog, app: FastAPI, raw_db: Database[dict[str, object]]
) -> None:
    """The same queries explained by a real MongoDB: no winning plan scans a whole
    collection. The app's startup created the declared indexes in this test's
    database; each captured command is explained there with its own values."""
    captured = [
        c
        for c in query_log.queries.values()
        if c.query.collection not in TEST_COLLECTIONS
        # A $lookup's join is explained with the aggregation it belongs to.
        and c.query.operation != "$lookup"
    ]
    if not captured:
        pytest.skip("no query was captured: this test checks the suite's queries")
    existing = set(raw_db.list_collection_names())
    for collection in sorted({c.query.collection for c in captured} - existing):
        raw_db.create_collection(collection)
    scans: list[str] = []
    for entry in captured:
        for command in explainable(entry.command_name, entry.command):
            explained = raw_db.command("explain", command, verbosity="queryPlanner")
            stages = winning_stages(explained)
            if "COLLSCAN" in stages:
                scans.append(f"{entry.query.shape}: {' > '.join(stages)}")
    assert not scans, "collection scans:\n" + "\n".join(scans)


# --- the rules themselves ---------------------------------------------------------

USERS = [
    ID_INDEX,
    IndexSpec("users_email_unique", (("email", 1),), unique=True),
    IndexSpec("by_role_created", (("role", 1), ("created_at", -1))),
    IndexSpec(
        "intent_unique",
        (("intent", 1),),
        unique=True,
        partial={"intent": {"$type": "string"}},
    ),
]


def verdict(
    filter_: dict[str, object],
    sort: tuple[tuple[str, Direction], ...] = (),
    *,
    limited: bool = False,
) -> Verdict:
    return check(Query("users", "find", filter_, sort, limited=limited), USERS)


def test_a_filter_on_no_index_is_named_with_its_collection() -> None:
    log = QueryLog()
    query = Query("users", "find", {"name": "Ada", "created_at": {"$gt": 1}})
    log.queries[query.shape] = CapturedQuery(query, "find", {}, "tests/x.py::t")

    uncovered, _ = findings(log, {"users": USERS})

    assert uncovered[0].startswith("find users {created_at: {$gt: ?}, name: ?}")
    assert "first by tests/x.py::t" in uncovered[0]


def test_a_leading_prefix_is_needed() -> None:
    assert verdict({"role": "admin", "name": "Ada"}).ok
    assert not verdict({"created_at": {"$gt": 1}}).covered  # second key only
    assert verdict({"_id": {"$in": ["a", "b"]}}).ok
    assert not verdict({"email": {"$ne": "a@example.com"}}).covered
    assert not verdict({}).covered


def test_a_sort_is_on_the_index_or_reported() -> None:
    assert verdict({"role": "admin"}, (("created_at", -1),)).ok
    assert verdict({"role": "admin"}, (("created_at", 1),)).ok  # walked backwards
    in_memory = verdict({"role": "admin"}, (("email", 1),))
    assert (in_memory.covered, in_memory.sort_covered) == (True, False)
    # No filter: a limited walk of an index in order, not an unbounded one.
    assert verdict({}, (("_id", 1),), limited=True).ok
    assert not verdict({}, (("_id", 1),)).ok


def test_a_partial_index_serves_only_the_filters_that_prove_its_filter() -> None:
    assert verdict({"intent": {"$eq": "pi_123", "$type": "string"}}).ok
    assert verdict(
        {"intent": {"$in": ["pi_1", "pi_2"]}, "$and": [{"intent": {"$type": "string"}}]}
    ).ok
    # True by BSON type bracketing, but MongoDB's planner cannot tell: a COLLSCAN.
    assert not verdict({"intent": "pi_123"}).covered
    assert not verdict({"intent": None}).covered


def test_each_or_branch_may_use_its_own_index() -> None:
    assert verdict({"$or": [{"email": "a@example.com"}, {"_id": "usr_1"}]}).ok
    assert not verdict({"$or": [{"email": "a@example.com"}, {"name": "Ada"}]}).covered


def test_a_collection_scan_is_found_in_every_explain_layout() -> None:
    classic = {
        "queryPlanner": {
            "winningPlan": {"stage": "UPDATE", "inputStage": {"stage": "COLLSCAN"}},
            "rejectedPlans": [{"stage": "FETCH", "inputStage": {"stage": "IXSCAN"}}],
        }
    }
    slot_based = {"queryPlanner": {"winningPlan": {"queryPlan": {"stage": "COLLSCAN"}}}}
    aggregation = {
        "stages": [
            {"$cursor": {"queryPlanner": {"winningPlan": {"stage": "IXSCAN"}}}},
            {"$group": {"_id": "$status"}},
        ]
    }
    rejected_only = {
        "queryPlanner": {
            "winningPlan": {"stage": "EXPRESS_IXSCAN"},
            "rejectedPlans": [{"stage": "COLLSCAN"}],
        }
    }

    assert winning_stages(classic) == ["UPDATE", "COLLSCAN"]
    assert winning_stages(slot_based) == ["COLLSCAN"]
    assert winning_stages(aggregation) == ["IXSCAN"]
    assert winning_stages(rejected_only) == ["EXPRESS_IXSCAN"]


def test_a_write_is_explained_one_statement_at_a_time_outside_its_session() -> None:
    sent = {
        "update": "users",
        "ordered": True,
        "lsid": {"id": "session"},
        "txnNumber": 3,
        "$db": "service",
        "updates": [{"q": {"_id": "a"}, "u": {}}, {"q": {"_id": "b"}, "u": {}}],
    }

    assert list(explainable("update", sent)) == [
        {"update": "users", "ordered": True, "updates": [{"q": {"_id": "a"}, "u": {}}]},
        {"update": "users", "ordered": True, "updates": [{"q": {"_id": "b"}, "u": {}}]},
    ]
