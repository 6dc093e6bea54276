"""Stripe calls of the customers (see billing/gateway.py)."""

from __future__ import annotations

from stripe.params import CustomerCreateParams

from ..gateway import StripeGateway, idempotency_key


async def create_customer(
    gateway: StripeGateway, *, user_id: str, email: str, name: str
) -> str:
    """A Stripe customer for our user; the key makes concurrent first purchases of
    one user end with one customer."""
    params: CustomerCreateParams = {
        "email": email,
        "name": name,
        "metadata": {"user_id": user_id},
    }
    with gateway.errors("customers.create"):
        customer = await gateway.client.v1.customers.create_async(
            params, idempotency_key("customer-create", user_id)
        )
    return customer.id
