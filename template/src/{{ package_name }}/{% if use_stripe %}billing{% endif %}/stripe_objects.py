"""Reading Stripe objects: the plain dicts of verified webhook events and of the
gateway's API answers, turned into the few values the billing code uses. The objects
every feature meets are read here; each feature reads its own in
`<feature>/stripe_objects.py`.

Readers accept the current API shape and the older ones: a webhook endpoint renders
events in the API version it was created with, which can be older than the version
this service pins for its own requests.
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
