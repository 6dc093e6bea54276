"""Billing records every Stripe feature shares, as the service layer sees them, and
the repository interface every ODM implements for them. Nothing here imports
`stripe` or knows which ODM stores the data; each feature package adds its own
records (`<feature>/domain.py`).

Our records keep Stripe ids and amounts, never card data: cards are entered on
Stripe's pages (Checkout, the portal) or in Stripe.js with a client secret, so the
PCI scope stays with Stripe. Stripe timestamps stay what Stripe sends: Unix seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    id: str  # pay_<ULID>
    user_id: str | None  # None for invoice payments of customers we cannot map
    source: PaymentSource
    status: PaymentStatus
    amount: int | None  # smallest currency unit; None until Checkout reports it
    currency: str
    amount_captured: int = 0  # what can be refunded
    amount_refunded: int = 0  # as Stripe reports it (includes Dashboard refunds)
    refund_reserved: int = 0  # refunds we started or Stripe reported: <= captured
    stripe_payment_intent_id: str | None = None  # set once Stripe has one
    stripe_checkout_session_id: str | None = None  # checkout's payments
    stripe_invoice_id: str | None = None  # an invoice's (subscriptions)
    price_id: str | None = None  # checkout: the price bought
    description: str | None = None  # payment intents: the payer's own
    last_error_code: str | None = None  # why the last attempt failed
    disputed: bool = False
    period: str | None = None  # "YYYY-MM" (UTC) of the success: revenue by month
    state_at: int = 0  # Stripe time of the state we hold (Unix seconds)
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
    DONE = "done"  # handled (or rejected) before: acknowledge, do nothing
    BUSY = "busy"  # another delivery is being handled right now: ask Stripe to retry


# A MongoDB aggregation pipeline, the same under every ODM.
Pipeline = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SummarySection:
    """A part of the admin summary (reports.py): a pipeline over one collection."""

    name: str  # its key in the summary
    collection: str
    # The pipeline for a currency and the first month ("YYYY-MM") reported.
    pipeline: Callable[[str, str], Pipeline]


class BillingRepository(Protocol):
    """Storage of what every feature shares: payments as webhooks report them,
    disputes, the webhook events, and the summary. Uniqueness (one record per Stripe
    object, one event record per event id) is decided by unique indexes.

    Webhook-driven writes are conditional, so that an older event never overwrites a
    newer state, and idempotent, so that a redelivered event converges."""

    # payments
    async def get_payment(self, payment_id: str) -> Payment | None: ...

    async def list_payments(self, *, before: str | None, limit: int) -> list[Payment]:
        """Up to `limit` payments with ids lower than `before`, newest (highest id)
        first."""
        ...

    async def find_payment_by_intent(
        self, stripe_payment_intent_id: str
    ) -> Payment | None: ...

    async def apply_payment_update(
        self, payment_id: str, update: PaymentUpdate
    ) -> bool:
        """Apply `update` unless the payment is final or holds a state reported
        later than `update.state_at`; True when applied."""
        ...

    async def record_refunded_amount(
        self, stripe_payment_intent_id: str, amount: int
    ) -> None:
        """Stripe's total refunded amount for the payment (never decreases)."""
        ...

    async def mark_disputed(self, stripe_payment_intent_id: str) -> None: ...

    # disputes
    async def record_dispute(self, dispute: Dispute) -> bool:
        """Store the dispute once; True when it was new."""
        ...

    # webhook events
    async def claim_event(
        self, event_id: str, event_type: str, created: int
    ) -> EventClaim: ...

    async def finish_event(self, event_id: str, *, error: str | None = None) -> None:
        """Mark the event handled, or failed (so that Stripe's retry handles it)."""
        ...

    async def reject_event(self, event_id: str, *, reason: str) -> None:
        """Mark the event rejected with `reason`: its object cannot be read, so no
        redelivery (same payload) is handled; `claim_event` answers DONE."""
        ...

    # reports
    async def summary(
        self, sections: Sequence[SummarySection], *, currency: str, since_period: str
    ) -> dict[str, list[dict[str, Any]]]:
        """Each section's rows, by its name: its pipeline run on its collection."""
        ...
