"""The admin billing summary: one section per feature that has something to report,
each an aggregation pipeline over that feature's collection, shared by every ODM.
Billing reports the revenue (below); subscriptions and refunds add theirs
(`<feature>/reports.py`) when they are installed (feature.py, `adds_to_billing`).

Each pipeline starts with a `$match` on the leading fields of an index declared in a
`models.py` (payments and refunds: status, currency, period; subscriptions: status,
price_id) and groups on one field, so the work is bounded by the matching documents,
not the collection.
"""

from __future__ import annotations

from .domain import PaymentStatus, Pipeline, SummarySection


def revenue_by_month(currency: str, since_period: str) -> Pipeline:
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


SUMMARY = SummarySection("revenue", "payments", revenue_by_month)  # models.PAYMENTS
