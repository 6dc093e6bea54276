"""The refunds' section of the admin summary (see billing/reports.py)."""

from __future__ import annotations

from ..domain import Pipeline, SummarySection
from .domain import RefundStatus

COLLECTION = "refunds"  # where models.py stores them; _id: ref_<ULID>


def refunds_by_month(currency: str, since_period: str) -> Pipeline:
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


SUMMARY = SummarySection("refunds", COLLECTION, refunds_by_month)
