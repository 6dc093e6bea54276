"""What payment intents store: the payments they open (billing/domain.py
`Payment`)."""

from __future__ import annotations

from typing import Protocol

from ..domain import Payment


class PaymentIntentRepository(Protocol):
    async def add_payment(self, payment: Payment) -> None: ...

    async def attach_payment_intent(
        self, payment_id: str, stripe_payment_intent_id: str
    ) -> None:
        """Record the PaymentIntent Stripe answered with."""
        ...
