"""Stripe calls of refunds (see billing/gateway.py)."""

from __future__ import annotations

from stripe.params import RefundCreateParams

from ..gateway import StripeGateway, idempotency_key
from .stripe_objects import RefundInfo


async def create_refund(
    gateway: StripeGateway,
    *,
    refund_id: str,
    payment_intent: str,
    amount: int,
    reason: str | None,
) -> RefundInfo:
    params: RefundCreateParams = {
        "payment_intent": payment_intent,
        "amount": amount,
        "metadata": {"refund_id": refund_id},
    }
    if reason:
        params["reason"] = reason
    with gateway.errors("refunds.create"):
        refund = await gateway.client.v1.refunds.create_async(
            params, idempotency_key("refund-create", refund_id)
        )
        return RefundInfo.from_dict(refund.to_dict())
