"""Checkout Sessions as billing reads them (see billing/stripe_objects.py)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, StrictInt

from ..stripe_objects import Metadata, StripeObject, StripeRef, StripeShape, read


class _CheckoutSession(StripeShape):
    id: str
    url: str | None = None
    mode: str | None = None
    status: str | None = None
    payment_status: str | None = None
    amount_total: StrictInt | None = None
    currency: str | None = None
    payment_intent: StripeRef | None = None
    subscription: StripeRef | None = None
    metadata: Metadata = Field(default_factory=dict)


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
        session = read(_CheckoutSession, obj, "checkout.session")
        return cls(
            id=session.id,
            url=session.url,
            mode=session.mode or "payment",
            status=session.status,
            payment_status=session.payment_status or "unpaid",
            amount_total=session.amount_total,
            currency=session.currency,
            payment_intent=session.payment_intent,
            subscription=session.subscription,
            metadata=dict(session.metadata),
        )
