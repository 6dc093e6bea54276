"""Request and response bodies of the billing API that every Stripe feature shares
(never the ODM documents); each feature adds its own in `<feature>/schemas.py`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..core.ids import id_pattern
from .domain import PaymentSource, PaymentStatus

PaymentId = Annotated[str, StringConstraints(pattern=id_pattern("pay"))]
# A name from settings (STRIPE_PRICES, STRIPE_PLANS).
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# A PaymentMethod collected by Stripe.js on the client (never card numbers).
PaymentMethodId = Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9_]{1,250}$")]
# How many months the admin summary covers.
SummaryMonths = Annotated[int, Query(ge=1, le=36)]


class PaymentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source: PaymentSource
    status: PaymentStatus
    amount: int | None = Field(description="in the currency's smallest unit (cents)")
    currency: str
    amount_refunded: int
    disputed: bool
    description: str | None
    last_error_code: str | None = Field(description="why the last attempt failed")
    created_at: datetime


class SubscriptionsByPrice(BaseModel):
    price_id: str | None
    total: int
    trialing: int
    active: int
    past_due: int
    unpaid: int
    paused: int


class RevenueMonth(BaseModel):
    month: str
    gross: int
    refunded: int
    payments: int


class RefundsMonth(BaseModel):
    month: str
    amount: int
    refunds: int


class BillingSummaryPublic(BaseModel):
    currency: str
    subscriptions: list[SubscriptionsByPrice]
    revenue: list[RevenueMonth]
    refunds: list[RefundsMonth]

    @classmethod
    def of(
        cls, currency: str, summary: dict[str, list[dict[str, Any]]]
    ) -> BillingSummaryPublic:
        """From the rows of each section (`service.summary`); without the
        subscriptions or refunds feature, its section is not there (empty)."""
        return cls(
            currency=currency,
            subscriptions=[
                SubscriptionsByPrice(
                    price_id=row["_id"], **{k: v for k, v in row.items() if k != "_id"}
                )
                for row in summary.get("subscriptions", [])
            ],
            revenue=[
                RevenueMonth(
                    month=row["_id"],
                    gross=row["gross"],
                    refunded=row["refunded"],
                    payments=row["payments"],
                )
                for row in summary["revenue"]
            ],
            refunds=[
                RefundsMonth(
                    month=row["_id"], amount=row["amount"], refunds=row["refunds"]
                )
                for row in summary.get("refunds", [])
            ],
        )
