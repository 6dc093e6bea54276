from __future__ import annotations

from ...core.time import utc_now
from ...users.domain import User
from ..service import Billing
from .domain import Customer, CustomerRepository
from .gateway import create_customer
from .repository import MongoCustomerRepository


async def customer_for(user: User, *, billing: Billing) -> Customer:
    """The user's Stripe customer, created on first use."""
    customers: CustomerRepository = MongoCustomerRepository(billing.database)
    customer = await customers.get_customer(user.id)
    if customer is not None:
        return customer
    stripe_customer_id = await create_customer(
        billing.gateway, user_id=user.id, email=user.email, name=user.name
    )
    return await customers.add_customer(
        Customer(
            user_id=user.id,
            stripe_customer_id=stripe_customer_id,
            created_at=utc_now(),
        )
    )
