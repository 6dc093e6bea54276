"""Subscriptions and invoices as billing reads them (see billing/stripe_objects.py).

Subscription periods moved from the subscription to its items in API 2025-03-31,
and invoices name their subscription under `parent` since then: both shapes are
read, since an endpoint renders events in the API version it was created with.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..stripe_objects import StripeObject, metadata, stripe_id


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    id: str
    customer: str
    status: str
    price_id: str | None
    current_period_end: int | None
    cancel_at_period_end: bool
    trial_end: int | None
    metadata: dict[str, str]

    @classmethod
    def from_dict(cls, obj: StripeObject) -> SubscriptionInfo:
        items = (obj.get("items") or {}).get("data") or []
        item: StripeObject = items[0] if items else {}
        price = item.get("price") or item.get("plan") or obj.get("plan")
        period_end = item.get("current_period_end", obj.get("current_period_end"))
        return cls(
            id=str(obj["id"]),
            customer=str(stripe_id(obj.get("customer"))),
            status=str(obj["status"]),
            price_id=stripe_id(price),
            current_period_end=None if period_end is None else int(period_end),
            cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
            trial_end=obj.get("trial_end"),
            metadata=metadata(obj),
        )


@dataclass(frozen=True, slots=True)
class InvoiceInfo:
    id: str
    customer: str | None
    subscription: str | None
    status: str | None
    amount_paid: int
    amount_due: int
    currency: str
    paid_at: int | None

    @classmethod
    def from_dict(cls, obj: StripeObject) -> InvoiceInfo:
        parent = obj.get("parent") or {}
        details = parent.get("subscription_details") or {}
        subscription = stripe_id(details.get("subscription")) or stripe_id(
            obj.get("subscription")
        )
        transitions = obj.get("status_transitions") or {}
        return cls(
            id=str(obj["id"]),
            customer=stripe_id(obj.get("customer")),
            subscription=subscription,
            status=obj.get("status"),
            amount_paid=int(obj.get("amount_paid") or 0),
            amount_due=int(obj.get("amount_due") or 0),
            currency=str(obj.get("currency") or ""),
            paid_at=transitions.get("paid_at"),
        )
