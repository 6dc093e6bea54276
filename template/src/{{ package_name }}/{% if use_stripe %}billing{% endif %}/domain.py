"""Billing records as the service layer sees them, and the repository interface every
ODM implements. Nothing here imports `stripe` or knows which ODM stores the data.

Our records keep Stripe ids and amounts, never card data: cards are entered on
Stripe's pages (Checkout, the portal) or in Stripe.js with a client secret, so the
PCI scope stays with Stripe. Stripe timestamps stay what Stripe sends: Unix seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol


class PaymentStatus(StrEnum):
    """Our payment's state: Stripe's PaymentIntent statuses plus `open` (Checkout
    session created, nothing paid yet) and `failed` (an invoice payment that failed)."""

    OPEN = "open"
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        """No event moves a payment out of a final state."""
        return self in (PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED)


class PaymentSource(StrEnum):
    CHECKOUT = "checkout"
    PAYMENT_INTENT = "payment_intent"
    INVOICE = "invoice"


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    UNPAID = "unpaid"
    PAUSED = "paused"
    CANCELED = "canceled"

    @property
    def grants_access(self) -> bool:
        return self in (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING)

    @property
    def rank(self) -> int:
        """Orders two states reported in the same second (Stripe times are seconds):
        the later in a subscription's usual life wins."""
        return _SUBSCRIPTION_RANK[self]


_SUBSCRIPTION_RANK = {
    SubscriptionStatus.INCOMPLETE: 0,
    SubscriptionStatus.TRIALING: 1,
    SubscriptionStatus.ACTIVE: 2,
    SubscriptionStatus.PAUSED: 2,
    SubscriptionStatus.PAST_DUE: 3,
    SubscriptionStatus.UNPAID: 4,
    SubscriptionStatus.INCOMPLETE_EXPIRED: 5,
    SubscriptionStatus.CANCELED: 6,
}


class RefundStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"

    def previous(self) -> list[str]:
        """The statuses a refund may move to this one from. Events arrive out of
        order, so a late `pending` never undoes `succeeded`; failed and canceled are
        final. A succeeded refund can still fail (Stripe then sends refund.failed)."""
        open_ = [RefundStatus.PENDING.value, RefundStatus.REQUIRES_ACTION.value]
        if self in (RefundStatus.SUCCEEDED, RefundStatus.FAILED):
            return [*open_, RefundStatus.SUCCEEDED.value]
        return open_


@dataclass(frozen=True, slots=True)
class Customer:
    user_id: str
    stripe_customer_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Payment:
    id: str  # pay_<ULID>
    user_id: str | None  # None for invoice payments of customers we cannot map
    source: PaymentSource
    status: PaymentStatus
    amount: int | None  # smallest currency unit; None until Checkout reports it
    currency: str
    amount_captured: int  # what can be refunded
    amount_refunded: int  # as Stripe reports it (includes Dashboard refunds)
    refund_reserved: int  # refunds we started or Stripe reported: never above captured
    stripe_payment_intent_id: str | None
    stripe_checkout_session_id: str | None
    stripe_invoice_id: str | None
    price_id: str | None
    description: str | None
    last_error_code: str | None
    disputed: bool
    period: str | None  # "YYYY-MM" (UTC) of the successful payment: revenue by month
    state_at: int  # Stripe time of the state we hold (Unix seconds)
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentUpdate:
    """A payment state reported by Stripe at `state_at` (the event's time)."""

    status: PaymentStatus
    state_at: int
    amount: int | None = None
    amount_captured: int | None = None
    stripe_payment_intent_id: str | None = None
    last_error_code: str | None = None
    period: str | None = None


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
    def state_key(self) -> int:
        """Orders reported states: by event time, then (within one second, Stripe's
        resolution) by how far along the subscription's life the status is."""
        return self.state_at * 10 + self.status.rank


@dataclass(frozen=True, slots=True)
class Refund:
    id: str  # ref_<ULID>
    payment_id: str
    amount: int
    currency: str
    status: RefundStatus
    reason: str | None
    stripe_refund_id: str | None
    requested_by: str
    period: str  # "YYYY-MM" (UTC) of the request: refunds by month
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Dispute:
    stripe_dispute_id: str
    stripe_charge_id: str
    stripe_payment_intent_id: str | None
    amount: int
    currency: str
    reason: str
    status: str
    created_at: datetime


# How long a delivery may take to handle an event before another delivery may take
# it over (the first one crashed or hung): Stripe retries the event meanwhile.
EVENT_LEASE_S = 300


def lease_until() -> int:
    """The Unix time at which a claim made now expires."""
    return int(time.time()) + EVENT_LEASE_S


class EventClaim(StrEnum):
    """What `claim_event` decided for one delivery of a webhook event."""

    CLAIMED = "claimed"  # first delivery, a retry after a failure, or an expired claim
    DONE = "done"  # handled before: acknowledge, do nothing
    BUSY = "busy"  # another delivery is being handled right now: ask Stripe to retry


@dataclass(frozen=True, slots=True)
class BillingSummary:
    subscriptions: list[dict[str, Any]]  # per price: counts by status
    revenue: list[dict[str, Any]]  # per month: amount, refunded, payments
    refunds: list[dict[str, Any]]  # per month: amount, refunds


class BillingRepository(Protocol):
    """Storage of the billing records. Uniqueness (one customer per user, one record
    per Stripe object, one event record per event id) is decided by unique indexes.

    Webhook-driven writes are conditional, so that an older event never overwrites a
    newer state, and idempotent, so that a redelivered event converges."""

    # customers
    async def get_customer(self, user_id: str) -> Customer | None: ...

    async def add_customer(self, customer: Customer) -> Customer:
        """Store `customer`, or return the one stored first for that user."""
        ...

    async def get_customer_by_stripe_id(
        self, stripe_customer_id: str
    ) -> Customer | None: ...

    # payments
    async def add_payment(self, payment: Payment) -> None: ...

    async def get_payment(self, payment_id: str) -> Payment | None: ...

    async def attach_payment_ids(
        self,
        payment_id: str,
        *,
        stripe_payment_intent_id: str | None = None,
        stripe_checkout_session_id: str | None = None,
    ) -> None:
        """Record the Stripe ids of a payment once Stripe has answered."""
        ...

    async def find_payment(
        self,
        *,
        stripe_payment_intent_id: str | None = None,
        stripe_checkout_session_id: str | None = None,
    ) -> Payment | None: ...

    async def apply_payment_update(
        self, payment_id: str, update: PaymentUpdate
    ) -> bool:
        """Apply `update` unless the payment is final or holds a state reported
        later than `update.state_at`; True when applied."""
        ...

    async def record_invoice_payment(self, payment: Payment) -> None:
        """Insert or update the payment of an invoice (keyed by its invoice id), with
        the same ordering rule as `apply_payment_update`."""
        ...

    async def reserve_refund(
        self, payment_id: str, amount: int, *, captured: int
    ) -> bool:
        """Atomically add `amount` to the succeeded payment's refund reservation if
        the result stays within `captured` (the payment's amount_captured, which no
        longer changes once it succeeded: the update matches it too); False
        otherwise."""
        ...

    async def release_refund(self, payment_id: str, amount: int) -> None: ...

    async def record_refunded_amount(
        self, stripe_payment_intent_id: str, amount: int
    ) -> None:
        """Stripe's total refunded amount for the payment (never decreases)."""
        ...

    async def mark_disputed(self, stripe_payment_intent_id: str) -> None: ...

    # refunds
    async def add_refund(self, refund: Refund) -> None: ...

    async def update_refund(
        self, refund_id: str, *, status: RefundStatus, stripe_refund_id: str | None
    ) -> Refund | None: ...

    async def update_refund_by_stripe_id(
        self, stripe_refund_id: str, *, status: RefundStatus
    ) -> Refund | None:
        """Move the refund to `status` if it may move there from where it is
        (`RefundStatus.previous`); the refund when it moved, else None."""
        ...

    # disputes
    async def record_dispute(self, dispute: Dispute) -> bool:
        """Store the dispute once; True when it was new."""
        ...

    # subscriptions
    async def get_subscription_for_user(self, user_id: str) -> Subscription | None:
        """The user's most relevant subscription: one that grants access if any,
        else the one with the latest state."""
        ...

    async def apply_subscription_state(self, subscription: Subscription) -> bool:
        """Insert or update the subscription unless a state reported later than
        `subscription.state_at` is stored (a canceled subscription stays canceled);
        True when applied."""
        ...

    # webhook events
    async def claim_event(
        self, event_id: str, event_type: str, created: int
    ) -> EventClaim: ...

    async def finish_event(self, event_id: str, *, error: str | None = None) -> None:
        """Mark the event handled, or failed (so that Stripe's retry handles it)."""
        ...

    # reports
    async def summary(self, *, currency: str, since_period: str) -> BillingSummary: ...
