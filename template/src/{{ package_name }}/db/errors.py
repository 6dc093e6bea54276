from __future__ import annotations


class TransactionsUnsupportedError(RuntimeError):
    """The server cannot run multi-document transactions (a standalone mongod).

    Raised instead of running the writes without a transaction. Run MongoDB as a
    replica set (a single-node one is enough: `mongod --replSet rs0`, then
    `rs.initiate()`) or a sharded cluster.
    """


# Server error code for "Transaction numbers are only allowed on a replica set member
# or mongos" (IllegalOperation).
ILLEGAL_OPERATION = 20
