"""The subscriptions' section of the admin summary (see billing/reports.py): every
subscription that exists from the business's point of view, counted per price and
status."""

from __future__ import annotations

from ..domain import Pipeline, SummarySection
from .domain import SubscriptionStatus

COLLECTION = "subscriptions"  # where models.py stores them; _id: Stripe's id

# Not canceled, and not a start that never completed.
REPORTED_STATUSES = [
    SubscriptionStatus.TRIALING,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
    SubscriptionStatus.UNPAID,
    SubscriptionStatus.PAUSED,
]


def subscriptions_by_price(currency: str, since_period: str) -> Pipeline:
    """Every current subscription, whatever its currency and start."""
    del currency, since_period
    return [
        {"$match": {"status": {"$in": [status.value for status in REPORTED_STATUSES]}}},
        {
            "$group": {
                "_id": "$price_id",
                "total": {"$sum": 1},
                **{
                    status.value: {
                        "$sum": {"$cond": [{"$eq": ["$status", status.value]}, 1, 0]}
                    }
                    for status in REPORTED_STATUSES
                },
            }
        },
        {"$sort": {"_id": 1}},
    ]


SUMMARY = SummarySection("subscriptions", COLLECTION, subscriptions_by_price)
