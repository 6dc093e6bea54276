"""Checkout Sessions as billing reads them (see billing/stripe_objects.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..stripe_objects import StripeObject, metadata, stripe_id


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
