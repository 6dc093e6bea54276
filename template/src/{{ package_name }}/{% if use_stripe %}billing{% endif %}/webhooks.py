"""Stripe webhook handling: each verified event is recorded once and handled once.

- Handlers: each Stripe feature handles its own event types (`EVENT_HANDLERS` in
  its `webhooks.py`, added to billing's when the feature is installed:
  feature.py, `adds_to_billing`); the ones below, payments, refunds made in the
  Dashboard and disputes, concern every feature. They make one registry
  (`handler_registry`), which the processor dispatches on.
- Idempotent: `claim_event` inserts the event id under the unique `_id` index before
  any handling. A redelivery of a handled event is acknowledged and skipped; one that
  arrives while another delivery is being handled gets 409, so Stripe retries it
  later; an event whose handling failed is handled again on the next delivery.
- Malformed events are rejected, not retried: handlers read the event's object with
  the typed readers of `stripe_objects` (pydantic models of the fields they use),
  which raise `MalformedStripeObject` for an object of another shape (a field
  missing, or of another type); each handler reads its object before it writes, so
  such an event has changed nothing. The processor records it as `rejected`
  with the reason (its record in `stripe_events`), logs `stripe_event_rejected` once
  (warning: event id, type, reason), reports the outcome `rejected` and answers 2xx:
  Stripe redelivers an event with the same id and the same payload, so a retry can
  never succeed and would only be retried for days. A redelivery of a rejected event
  is acknowledged as a duplicate without running the handler again; the event stays
  rejected (replay it by hand once the code reads that shape: delete its record and
  resend it from the Dashboard or with `stripe events resend`).
- Order-safe: Stripe does not deliver in order. Every state write carries the
  event's time and is conditional on it (repository `apply_*`): an older event never
  overwrites a newer state, and final states (succeeded, canceled) stay final.
- Retry-safe: a handler failure answers 5xx (Stripe retries for three days; the
  Dashboard and `stripe events resend` replay). Handlers that touch several
  documents write them with idempotent, conditional updates, so a retry after a
  partial failure converges instead of double-counting.
- Event types without a handler are acknowledged (2xx) without being recorded, so
  Stripe stops sending them; subscribe the endpoint to the registry's event types
  only (README "Billing" lists them).
- Observed: the outcome of every delivery goes to the processor's observer (counted
  by Prometheus when the service has metrics, `metrics.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Protocol

import structlog

from ..core.time import utc_now
from ..db.client import Database
from .domain import (
    BillingRepository,
    Dispute,
    EventClaim,
    Payment,
    PaymentStatus,
    PaymentUpdate,
)
from .exceptions import WebhookBusyError, WebhookSignatureError
from .gateway import StripeGateway
from .repository import MongoBillingRepository
from .stripe_objects import (
    ChargeInfo,
    DisputeInfo,
    MalformedStripeObject,
    PaymentIntentInfo,
    StripeEvent,
    period_of,
)

logger = structlog.get_logger(__name__)


class Outcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"  # handled (or rejected) before
    IGNORED = "ignored"  # no handler for its type
    REJECTED = "rejected"  # its object has a shape the handler cannot read


# A handler gets the verified event and the app's database, and builds the
# repositories it writes through.
Handler = Callable[[StripeEvent, Database], Awaitable[None]]
EventHandlers = Mapping[str, Handler]


def handler_registry(*handler_sets: EventHandlers) -> EventHandlers:
    """One registry of the features' handlers; an event type has one handler."""
    registry: dict[str, Handler] = {}
    for handlers in handler_sets:
        for event_type, handler in handlers.items():
            if event_type in registry:
                raise ValueError(f"two handlers for {event_type!r}")
            registry[event_type] = handler
    return registry


class WebhookObserver(Protocol):
    def __call__(self, event_type: str, outcome: str) -> None:
        """One delivery: the event's type and its outcome: an `Outcome`, or busy
        or failed; rejected is also a delivery that failed verification (its type
        then "unknown", answered 400)."""


def ignore_outcome(event_type: str, outcome: str) -> None:
    """The observer of a service without metrics."""


class WebhookProcessor:
    """Verifies, records and handles deliveries; one per app (`dependencies.py`)."""

    def __init__(
        self, handlers: EventHandlers, *, observer: WebhookObserver = ignore_outcome
    ) -> None:
        self._handlers = handlers
        self._observe = observer

    async def receive(
        self,
        payload: bytes,
        signature: str | None,
        *,
        gateway: StripeGateway,
        database: Database,
    ) -> tuple[StripeEvent, Outcome]:
        try:
            event = gateway.verify_event(payload, signature)
        except WebhookSignatureError:
            self._observe("unknown", "rejected")
            raise
        try:
            outcome = await self._process(event, database)
        except WebhookBusyError:
            self._observe(event.type, "busy")
            raise
        except Exception:
            self._observe(event.type, "failed")
            raise
        self._observe(event.type, outcome.value)
        return event, outcome

    async def _process(self, event: StripeEvent, database: Database) -> Outcome:
        handler = self._handlers.get(event.type)
        if handler is None:
            logger.info(
                "stripe_event_ignored", event_id=event.id, event_type=event.type
            )
            return Outcome.IGNORED
        events = MongoBillingRepository(database)
        claim = await events.claim_event(event.id, event.type, event.created)
        if claim is EventClaim.DONE:
            logger.info(
                "stripe_event_duplicate", event_id=event.id, event_type=event.type
            )
            return Outcome.DUPLICATE
        if claim is EventClaim.BUSY:
            raise WebhookBusyError
        try:
            await handler(event, database)
        except MalformedStripeObject as exc:
            await events.reject_event(event.id, reason=exc.reason)
            logger.warning(
                "stripe_event_rejected",
                event_id=event.id,
                event_type=event.type,
                reason=exc.reason,
            )
            return Outcome.REJECTED
        except Exception as exc:
            await events.finish_event(event.id, error=type(exc).__name__)
            raise
        await events.finish_event(event.id)
        logger.info("stripe_event_processed", event_id=event.id, event_type=event.type)
        return Outcome.PROCESSED


# --- helpers of the payment handlers (here and in checkout/webhooks.py) -------------


async def our_payment(
    payments: BillingRepository, found: Payment | None, metadata: Mapping[str, str]
) -> Payment | None:
    """`found` (the payment recorded with the Stripe object's id), else the payment
    named in the object's metadata: the event may come before our request stored the
    id Stripe answered with. None when neither is ours."""
    if found is None and (payment_id := metadata.get("payment_id")):
        return await payments.get_payment(payment_id)
    return found


def reported_state(
    event: StripeEvent,
    status: PaymentStatus,
    *,
    amount: int | None,
    received: int | None,
    payment_intent: str | None,
    last_error_code: str | None = None,
) -> PaymentUpdate:
    """The payment state `event` reports. A success also records what was captured
    and the month the revenue counts in."""
    succeeded = status is PaymentStatus.SUCCEEDED
    return PaymentUpdate(
        status=status,
        state_at=event.created,
        amount=amount,
        amount_captured=received if succeeded else None,
        stripe_payment_intent_id=payment_intent,
        last_error_code=last_error_code,
        period=period_of(event.created) if succeeded else None,
    )


# --- payments, refunds made in the Dashboard, disputes -----------------------------

# PaymentIntent events and the payment status each one reports.
PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.processing": PaymentStatus.PROCESSING,
    "payment_intent.requires_action": PaymentStatus.REQUIRES_ACTION,
    "payment_intent.payment_failed": PaymentStatus.REQUIRES_PAYMENT_METHOD,
    "payment_intent.canceled": PaymentStatus.CANCELED,
}


async def payment_intent_changed(event: StripeEvent, database: Database) -> None:
    payments = MongoBillingRepository(database)
    intent = PaymentIntentInfo.from_dict(event.object)
    payment = await our_payment(
        payments, await payments.find_payment_by_intent(intent.id), intent.metadata
    )
    if payment is None:
        # Not one of ours (an invoice's intent, or made in the Dashboard).
        logger.info("stripe_payment_intent_unknown", payment_intent=intent.id)
        return
    status = PAYMENT_INTENT_EVENTS[event.type]
    await payments.apply_payment_update(
        payment.id,
        reported_state(
            event,
            status,
            amount=intent.amount,
            received=intent.amount_received,
            payment_intent=intent.id,
            last_error_code=intent.last_error_code,
        ),
    )
    if status is PaymentStatus.REQUIRES_PAYMENT_METHOD:
        logger.info(
            "payment_failed", payment_id=payment.id, code=intent.last_error_code
        )


async def charge_refunded(event: StripeEvent, database: Database) -> None:
    charge = ChargeInfo.from_dict(event.object)
    if charge.payment_intent is not None:
        await MongoBillingRepository(database).record_refunded_amount(
            charge.payment_intent, charge.amount_refunded
        )


async def dispute_created(event: StripeEvent, database: Database) -> None:
    payments = MongoBillingRepository(database)
    info = DisputeInfo.from_dict(event.object)
    new = await payments.record_dispute(
        Dispute(
            stripe_dispute_id=info.id,
            stripe_charge_id=info.charge,
            stripe_payment_intent_id=info.payment_intent,
            amount=info.amount,
            currency=info.currency,
            reason=info.reason,
            status=info.status,
            created_at=utc_now(),
        )
    )
    if info.payment_intent is not None:
        await payments.mark_disputed(info.payment_intent)
    if new:
        # Disputes have a response deadline: this line is what to alert on.
        logger.warning(
            "payment_disputed",
            dispute=info.id,
            charge=info.charge,
            amount=info.amount,
            currency=info.currency,
            reason=info.reason,
        )


EVENT_HANDLERS: EventHandlers = {
    **dict.fromkeys(PAYMENT_INTENT_EVENTS, payment_intent_changed),
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_created,
}
