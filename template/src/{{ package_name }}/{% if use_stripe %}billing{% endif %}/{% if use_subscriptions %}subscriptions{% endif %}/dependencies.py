from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ...auth.dependencies import CurrentUser
from ...db.dependencies import DatabaseDep
from ...users.domain import User
from .domain import SubscriptionRepository
from .exceptions import SubscriptionRequiredError
from .repository import MongoSubscriptionRepository


async def require_active_subscription(user: CurrentUser, database: DatabaseDep) -> User:
    """Entitlement check for paid features: `Depends(require_active_subscription)`
    answers 403 unless the user's subscription is active or trialing (as recorded
    from Stripe's webhooks)."""
    subscriptions: SubscriptionRepository = MongoSubscriptionRepository(database)
    subscription = await subscriptions.get_subscription_for_user(user.id)
    if subscription is None or not subscription.grants_access:
        raise SubscriptionRequiredError
    return user


SubscribedUser = Annotated[User, Depends(require_active_subscription)]
