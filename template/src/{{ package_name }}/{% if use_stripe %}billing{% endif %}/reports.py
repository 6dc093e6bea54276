"""Aggregation pipelines of the admin billing summary, shared by every ODM.

Each starts with a `$match` on the leading fields of an index declared in
`models.py` (subscriptions: status, price_id; payments and refunds: status,
currency, period) and groups on one field, so the work is bounded by the matching
documents, not the collection.
"""

from __future__ import annotations

from typing import Any

from .domain import PaymentStatus, RefundStatus, SubscriptionStatus

# Subscriptions that exist from the business's point of view (not canceled or
# never started), counted per price and status.
REPORTED_SUBSCRIPTION_STATUSES = [
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.UNPAID,
    SubscriptionStatus.PAUSED,
]

SUBSCRIPTIONS_BY_PRICE: list[dict[str, Any]] = [
    {
        "$match": {
            "status": {
                "$in": [status.value for status in REPORTED_SUBSCRIPTION_STATUSES]
            }
        }
    },
    {
        "$group": {
            "_id": "$price_id",
            "total": {"$sum": 1},
            **{
                status.value: {
                    "$sum": {"$cond": [{"$eq": ["$status", status.value]}, 1, 0]}
                }
                for status in REPORTED_SUBSCRIPTION_STATUSES
            },
        }
    },
    {"$sort": {"_id": 1}},
]


def revenue_by_month(currency: str, since_period: str) -> list[dict[str, Any]]:
    """Successful payments per month: gross amount, what was refunded of it since,
    and how many."""
    return [
        {
            "$match": {
                "status": PaymentStatus.SUCCEEDED.value,
                "currency": currency,
                "period": {"$gte": since_period},
            }
        },
        {
            "$group": {
                "_id": "$period",
                "gross": {"$sum": "$amount_captured"},
                "refunded": {"$sum": "$amount_refunded"},
                "payments": {"$sum": 1},
            }
        },
        {"$sort": {"_id": 1}},
    ]


def refunds_by_month(currency: str, since_period: str) -> list[dict[str, Any]]:
    """Refunds we issued per month of the request (pending ones included: the money
    is committed), with their total amount."""
    return [
        {
            "$match": {
                "status": {
                    "$in": [RefundStatus.PENDING.value, RefundStatus.SUCCEEDED.value]
                },
                "currency": currency,
                "period": {"$gte": since_period},
            }
        },
        {
            "$group": {
                "_id": "$period",
                "amount": {"$sum": "$amount"},
                "refunds": {"$sum": 1},
            }
        },
        {"$sort": {"_id": 1}},
    ]
