"""What checkout stores: the payments it opens (billing/domain.py `Payment`)."""

from __future__ import annotations

from typing import Protocol

from ..domain import Payment


class CheckoutRepository(Protocol):
    async def add_payment(self, payment: Payment) -> None: ...

    async def attach_checkout_session(
        self, payment_id: str, stripe_checkout_session_id: str
    ) -> None:
        """Record the session Stripe answered with."""
        ...

    async def find_payment_by_session(
        self, stripe_checkout_session_id: str
    ) -> Payment | None: ...
