"""Subscriptions: a plan named in settings, started through the API (or, with
checkout, a Checkout page); our record of it follows from Stripe's webhooks
(webhooks.py), never from Stripe's answer to our request."""

from __future__ import annotations

from collections.abc import Sequence

from ...core.ids import new_id
from ...users.domain import User
from ..customers.service import customer_for
from ..idempotency import request_record
from ..repository import MongoBillingRepository
from ..service import Billing
from . import gateway
from .domain import Subscription, SubscriptionRepository, most_relevant
from .exceptions import NoSubscriptionError, SubscriptionExistsError, UnknownPlanError
from .repository import MongoSubscriptionRepository
from .stripe_objects import SubscriptionInfo


async def current_subscription(user: User, *, billing: Billing) -> Subscription:
    subscription = await _subscription_of(user, billing)
    if subscription is None:
        raise NoSubscriptionError
    return subscription


async def subscriptions_of(
    user_ids: Sequence[str], *, billing: Billing
) -> dict[str, Subscription]:
    """The subscription `current_subscription` answers for each of these users who
    has one, by user id, read in one query."""
    subscriptions: SubscriptionRepository = MongoSubscriptionRepository(
        billing.database
    )
    by_user: dict[str, list[Subscription]] = {}
    for subscription in await subscriptions.get_subscriptions_for_users(user_ids):
        if subscription.user_id is not None:
            by_user.setdefault(subscription.user_id, []).append(subscription)
    found = {user_id: most_relevant(owned) for user_id, owned in by_user.items()}
    return {user_id: sub for user_id, sub in found.items() if sub is not None}


async def refuse_second_subscription(user: User, *, billing: Billing) -> None:
    subscription = await _subscription_of(user, billing)
    if subscription is not None and subscription.grants_access:
        raise SubscriptionExistsError


async def subscribe(
    user: User,
    *,
    plan: str,
    payment_method: str | None,
    idempotency_key: str | None = None,
    billing: Billing,
) -> SubscriptionInfo:
    """Start a subscription to a plan named in settings, with the configured trial.
    Stripe's answer is returned; our record follows from the webhooks. A retry
    with the same `idempotency_key` sends Stripe the same request
    (idempotency.py): one subscription."""
    price = billing.settings.stripe_plans.get(plan)
    if price is None:
        raise UnknownPlanError(plan)
    await refuse_second_subscription(user, billing=billing)
    customer = await customer_for(user, billing=billing)
    request = await request_record(
        MongoBillingRepository(billing.database),
        operation="subscription-create",
        user_id=user.id,
        client_key=idempotency_key,
        new_id=new_id("req"),
        parameters={"plan": plan, "payment_method": payment_method},
    )
    return await gateway.create_subscription(
        billing.gateway,
        request_id=request.id,
        customer=customer.stripe_customer_id,
        user_id=user.id,
        price=price,
        trial_days=billing.settings.subscription_trial_days,
        default_payment_method=payment_method,
    )


async def set_cancel_at_period_end(
    user: User, *, cancel: bool, billing: Billing
) -> SubscriptionInfo:
    """Cancel at the end of the paid period (access lasts until then), or resume."""
    subscription = await current_subscription(user, billing=billing)
    if not subscription.grants_access:
        raise NoSubscriptionError
    return await gateway.set_cancel_at_period_end(
        billing.gateway, subscription.stripe_subscription_id, cancel=cancel
    )


async def _subscription_of(user: User, billing: Billing) -> Subscription | None:
    # The same reading as a batch of users (GraphQL's loader): one rule for both.
    return (await subscriptions_of([user.id], billing=billing)).get(user.id)
