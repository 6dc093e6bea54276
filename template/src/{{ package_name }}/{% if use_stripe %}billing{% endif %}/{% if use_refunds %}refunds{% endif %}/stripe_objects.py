"""Refunds as billing reads them (see billing/stripe_objects.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import StrictInt

from ..stripe_objects import StripeObject, StripeRef, StripeShape, read
from .domain import RefundStatus


class _Refund(StripeShape):
    id: str
    # (Any status but these five is a shape this service does not know.)
    status: RefundStatus | None = None
    amount: StrictInt
    currency: str
    payment_intent: StripeRef | None = None


@dataclass(frozen=True, slots=True)
class RefundInfo:
    id: str
    status: RefundStatus
    amount: int
    currency: str
    payment_intent: str | None

    @classmethod
    def from_dict(cls, obj: StripeObject) -> RefundInfo:
        refund = read(_Refund, obj, "refund")
        return cls(
            id=refund.id,
            status=refund.status or RefundStatus.PENDING,
            amount=refund.amount,
            currency=refund.currency,
            payment_intent=refund.payment_intent,
        )
