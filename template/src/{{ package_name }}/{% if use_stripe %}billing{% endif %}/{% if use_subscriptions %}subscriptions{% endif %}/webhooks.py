"""Webhook handlers of subscriptions (see billing/webhooks.py): the subscription's
state as Stripe reports it, and the payments of its invoices."""

from __future__ import annotations

import structlog

from ...core.ids import new_id
from ...core.time import utc_now
from ...db.client import Database
from ..domain import Payment, PaymentSource, PaymentStatus
from ..stripe_objects import StripeEvent, period_of
from ..webhooks import EventHandlers
from .domain import Subscription, SubscriptionRepository, SubscriptionStatus
from .repository import MongoSubscriptionRepository
from .stripe_objects import InvoiceInfo, SubscriptionInfo

logger = structlog.get_logger(__name__)


async def subscription_changed(event: StripeEvent, database: Database) -> None:
    subscriptions: SubscriptionRepository = MongoSubscriptionRepository(database)
    info = SubscriptionInfo.from_dict(event.object)
    customer = await subscriptions.get_customer_by_stripe_id(info.customer)
    user_id = customer.user_id if customer is not None else info.metadata.get("user_id")
    status = info.status
    applied = await subscriptions.apply_subscription_state(
        Subscription(
            stripe_subscription_id=info.id,
            user_id=user_id,
            stripe_customer_id=info.customer,
            status=status,
            price_id=info.price_id,
            current_period_end=info.current_period_end,
            cancel_at_period_end=info.cancel_at_period_end,
            trial_end=info.trial_end,
            state_at=event.created,
        )
    )
    if not applied:
        logger.info("stripe_event_stale", event_id=event.id, subscription=info.id)
    elif status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID):
        logger.warning(
            "subscription_payment_overdue", subscription=info.id, status=status
        )


async def invoice_changed(event: StripeEvent, database: Database) -> None:
    subscriptions: SubscriptionRepository = MongoSubscriptionRepository(database)
    invoice = InvoiceInfo.from_dict(event.object)
    customer = (
        await subscriptions.get_customer_by_stripe_id(invoice.customer)
        if invoice.customer
        else None
    )
    paid = event.type == "invoice.paid"
    if paid and invoice.amount_paid == 0:
        return  # a trial or fully discounted invoice: no money moved
    now = utc_now()
    await subscriptions.record_invoice_payment(
        Payment(
            id=new_id("pay"),
            user_id=customer.user_id if customer is not None else None,
            source=PaymentSource.INVOICE,
            status=PaymentStatus.SUCCEEDED if paid else PaymentStatus.FAILED,
            amount=invoice.amount_paid if paid else invoice.amount_due,
            currency=invoice.currency,
            amount_captured=invoice.amount_paid if paid else 0,
            stripe_invoice_id=invoice.id,
            period=period_of(invoice.paid_at or event.created) if paid else None,
            state_at=event.created,
            created_at=now,
            updated_at=now,
        )
    )
    if not paid:
        logger.warning(
            "invoice_payment_failed",
            invoice=invoice.id,
            subscription=invoice.subscription,
        )


EVENT_HANDLERS: EventHandlers = {
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "customer.subscription.paused": subscription_changed,
    "customer.subscription.resumed": subscription_changed,
    "invoice.paid": invoice_changed,
    "invoice.payment_failed": invoice_changed,
}
