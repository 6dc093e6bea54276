"""Refunds as billing reads them (see billing/stripe_objects.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..stripe_objects import StripeObject, stripe_id


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
