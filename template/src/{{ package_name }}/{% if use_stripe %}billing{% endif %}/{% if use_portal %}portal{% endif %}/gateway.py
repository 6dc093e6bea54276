"""Stripe calls of the customer portal (see billing/gateway.py)."""

from __future__ import annotations

from stripe.params.billing_portal import (
    SessionCreateParams as PortalSessionCreateParams,
)

from ..gateway import StripeGateway


async def create_portal_session(
    gateway: StripeGateway, *, customer: str, return_url: str
) -> str:
    """The URL of a billing portal session (short-lived, single use): creating one
    twice is harmless, so no idempotency key."""
    params: PortalSessionCreateParams = {
        "customer": customer,
        "return_url": return_url,
    }
    with gateway.errors("billing_portal.sessions.create"):
        session = await gateway.client.v1.billing_portal.sessions.create_async(params)
    return session.url
