"""Webhook handlers of checkout (see billing/webhooks.py): a one-time payment's
Checkout Session completes, pays later (bank debits), fails or expires."""

from __future__ import annotations

import structlog

from ...db.client import Database
from ..domain import BillingRepository, PaymentStatus
from ..repository import MongoBillingRepository
from ..stripe_objects import StripeEvent
from ..webhooks import EventHandlers, our_payment, reported_state
from .repository import MongoCheckoutRepository
from .stripe_objects import CheckoutSessionInfo

logger = structlog.get_logger(__name__)


async def checkout_session_changed(event: StripeEvent, database: Database) -> None:
    session = CheckoutSessionInfo.from_dict(event.object)
    if session.mode != "payment":
        return  # subscriptions are recorded from their own events
    payments: BillingRepository = MongoBillingRepository(database)
    payment = await our_payment(
        payments,
        await MongoCheckoutRepository(database).find_payment_by_session(session.id),
        session.metadata,
    )
    if payment is None:
        logger.info("stripe_checkout_session_unknown", checkout_session=session.id)
        return
    if event.type == "checkout.session.expired":
        status = PaymentStatus.CANCELED
    elif event.type == "checkout.session.async_payment_failed":
        status = PaymentStatus.FAILED
    elif session.payment_status == "paid":
        status = PaymentStatus.SUCCEEDED
    else:  # completed, but a delayed method (bank debit) is still on its way
        status = PaymentStatus.PROCESSING
    await payments.apply_payment_update(
        payment.id,
        reported_state(
            event,
            status,
            amount=session.amount_total,
            received=session.amount_total,
            payment_intent=session.payment_intent,
        ),
    )


EVENT_HANDLERS: EventHandlers = {
    "checkout.session.completed": checkout_session_changed,
    "checkout.session.async_payment_succeeded": checkout_session_changed,
    "checkout.session.async_payment_failed": checkout_session_changed,
    "checkout.session.expired": checkout_session_changed,
}
