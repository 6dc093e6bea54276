"""Subscriptions as recorded from Stripe's webhooks, and the repository interface
every ODM implements for them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..customers.domain import Customer
from ..domain import Payment


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    CANCELED = "canceled"


# The statuses that give access to paid features.
ACCESS_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})

# Orders two states reported in the same second (Stripe times are seconds): the
# later in a subscription's usual life wins.
_STATUS_RANK = {
    SubscriptionStatus.INCOMPLETE: 0,
    SubscriptionStatus.TRIALING: 1,
    SubscriptionStatus.ACTIVE: 2,
    SubscriptionStatus.PAUSED: 2,
    SubscriptionStatus.PAST_DUE: 3,
    SubscriptionStatus.UNPAID: 4,
    SubscriptionStatus.INCOMPLETE_EXPIRED: 5,
    SubscriptionStatus.CANCELED: 6,
}


@dataclass(frozen=True, slots=True)
class Subscription:
    stripe_subscription_id: str
    user_id: str | None
    stripe_customer_id: str
    status: SubscriptionStatus
    price_id: str | None
    current_period_end: int | None
    cancel_at_period_end: bool
    trial_end: int | None
    state_at: int  # Stripe time (Unix seconds) of the event that set this state

    @property
    def grants_access(self) -> bool:
        return self.status in ACCESS_STATUSES

    @property
    def state_key(self) -> int:
        """Orders reported states: by event time, then (within one second, Stripe's
        resolution) by how far along the subscription's life the status is."""
        return self.state_at * 10 + _STATUS_RANK[self.status]


def most_relevant(subscriptions: Iterable[Subscription]) -> Subscription | None:
    """Of one user's subscriptions, one that grants access if any, else the one with
    the latest state (what `get_subscription_for_user` answers)."""
    latest_first = sorted(subscriptions, key=lambda s: s.state_at, reverse=True)
    granting = (s for s in latest_first if s.grants_access)
    return next(granting, latest_first[0] if latest_first else None)


class SubscriptionRepository(Protocol):
    """The subscriptions, and the payments of their invoices. Webhook-driven writes
    are conditional on the event's time and idempotent (billing/domain.py)."""

    async def get_customer_by_stripe_id(
        self, stripe_customer_id: str
    ) -> Customer | None: ...

    async def record_invoice_payment(self, payment: Payment) -> None:
        """Insert or update the payment of an invoice (keyed by its invoice id), with
        the same ordering rule as `apply_payment_update`."""
        ...

    async def get_subscription_for_user(self, user_id: str) -> Subscription | None:
        """The user's most relevant subscription: one that grants access if any,
        else the one with the latest state."""
        ...

    async def get_subscriptions_for_users(
        self, user_ids: Sequence[str]
    ) -> list[Subscription]:
        """Every subscription of these users, in no particular order: one query."""
        ...

    async def apply_subscription_state(self, subscription: Subscription) -> bool:
        """Insert or update the subscription unless a state reported later than
        `subscription.state_at` is stored (a canceled subscription stays canceled);
        True when applied."""
        ...
