"""Reading Stripe objects: the plain dicts of verified webhook events and of the
gateway's API answers, turned into the few values the billing code uses.

Readers accept the current API shape and the older ones: a webhook endpoint renders
events in the API version it was created with, which can be older than the version
this service pins for its own requests (subscription periods moved from the
subscription to its items in 2025-03-31; invoices name their subscription under
`parent` since then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

StripeObject = dict[str, Any]


def stripe_id(value: object) -> str | None:
    """The id of a reference that may be an id or an expanded object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def period_of(timestamp: int) -> str:
    """The UTC month ("YYYY-MM") of a Stripe timestamp."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m")


def metadata(obj: StripeObject) -> dict[str, str]:
    value = obj.get("metadata") or {}
    return {str(key): str(item) for key, item in value.items()}


@dataclass(frozen=True, slots=True)
class StripeEvent:
    id: str
    type: str
    created: int
    object: StripeObject

    @classmethod
    def from_dict(cls, event: StripeObject) -> StripeEvent:
        return cls(
            id=str(event["id"]),
            type=str(event["type"]),
            created=int(event["created"]),
            object=dict(event["data"]["object"]),
        )


@dataclass(frozen=True, slots=True)
class PaymentIntentInfo:
    id: str
    status: str
    amount: int
    amount_received: int
    currency: str
    client_secret: str | None
    next_action: str | None  # e.g. "redirect_to_url", "use_stripe_sdk"
    last_error_code: str | None
    metadata: dict[str, str]

    @classmethod
    def from_dict(cls, obj: StripeObject) -> PaymentIntentInfo:
        error = obj.get("last_payment_error") or {}
        next_action = obj.get("next_action") or {}
        status = str(obj["status"])
        amount = int(obj["amount"])
        # (Shapes without amount_received: a succeeded intent received its amount.)
        received = obj.get("amount_received", amount if status == "succeeded" else 0)
        return cls(
            id=str(obj["id"]),
            status=status,
            amount=amount,
            amount_received=int(received or 0),
            currency=str(obj["currency"]),
            client_secret=obj.get("client_secret"),
            next_action=next_action.get("type"),
            last_error_code=error.get("decline_code") or error.get("code"),
            metadata=metadata(obj),
        )


@dataclass(frozen=True, slots=True)
class CheckoutSessionInfo:
    id: str
    url: str | None
    mode: str
    status: str | None  # open, complete, expired
    payment_status: str  # paid, unpaid, no_payment_required
    amount_total: int | None
    currency: str | None
    payment_intent: str | None
    subscription: str | None
    metadata: dict[str, str]

    @classmethod
    def from_dict(cls, obj: StripeObject) -> CheckoutSessionInfo:
        return cls(
            id=str(obj["id"]),
            url=obj.get("url"),
            mode=str(obj.get("mode") or "payment"),
            status=obj.get("status"),
            payment_status=str(obj.get("payment_status") or "unpaid"),
            amount_total=obj.get("amount_total"),
            currency=obj.get("currency"),
            payment_intent=stripe_id(obj.get("payment_intent")),
            subscription=stripe_id(obj.get("subscription")),
            metadata=metadata(obj),
        )


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


@dataclass(frozen=True, slots=True)
class ChargeInfo:
    id: str
    payment_intent: str | None
    amount_captured: int
    amount_refunded: int

    @classmethod
    def from_dict(cls, obj: StripeObject) -> ChargeInfo:
        return cls(
            id=str(obj["id"]),
            payment_intent=stripe_id(obj.get("payment_intent")),
            amount_captured=int(obj.get("amount_captured") or obj.get("amount") or 0),
            amount_refunded=int(obj.get("amount_refunded") or 0),
        )


@dataclass(frozen=True, slots=True)
class RefundInfo:
    id: str
    status: str
    amount: int
    currency: str
    payment_intent: str | None

    @classmethod
    def from_dict(cls, obj: StripeObject) -> RefundInfo:
        return cls(
            id=str(obj["id"]),
            status=str(obj.get("status") or "pending"),
            amount=int(obj["amount"]),
            currency=str(obj["currency"]),
            payment_intent=stripe_id(obj.get("payment_intent")),
        )


@dataclass(frozen=True, slots=True)
class DisputeInfo:
    id: str
    charge: str
    payment_intent: str | None
    amount: int
    currency: str
    reason: str
    status: str

    @classmethod
    def from_dict(cls, obj: StripeObject) -> DisputeInfo:
        return cls(
            id=str(obj["id"]),
            charge=str(stripe_id(obj.get("charge"))),
            payment_intent=stripe_id(obj.get("payment_intent")),
            amount=int(obj["amount"]),
            currency=str(obj["currency"]),
            reason=str(obj.get("reason") or "general"),
            status=str(obj.get("status") or "needs_response"),
        )
