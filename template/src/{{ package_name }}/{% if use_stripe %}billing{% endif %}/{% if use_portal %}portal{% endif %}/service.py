"""The customer portal: Stripe's hosted page where a customer manages payment
methods and invoices (and, with subscriptions, plan changes and cancellation)."""

from __future__ import annotations

from ...users.domain import User
from ..customers.service import customer_for
from ..service import Billing
from .gateway import create_portal_session


async def portal_url(user: User, *, billing: Billing) -> str:
    customer = await customer_for(user, billing=billing)
    return await create_portal_session(
        billing.gateway,
        customer=customer.stripe_customer_id,
        return_url=billing.settings.billing_portal_return_url,
    )
