"""Stripe calls of subscriptions (see billing/gateway.py)."""

from __future__ import annotations

from stripe.params import (
    CustomerUpdateParams,
    PaymentMethodAttachParams,
    SubscriptionCreateParams,
    SubscriptionCreateParamsItem,
    SubscriptionUpdateParams,
)

from ..gateway import StripeGateway, idempotency_key
from .stripe_objects import SubscriptionInfo


async def create_subscription(
    gateway: StripeGateway,
    *,
    request_id: str,
    customer: str,
    user_id: str,
    price: str,
    trial_days: int,
    default_payment_method: str | None,
) -> SubscriptionInfo:
    """Start a subscription. Without a trial or a payment method on file it starts
    `incomplete` until its first invoice is paid."""
    params: SubscriptionCreateParams = {
        "customer": customer,
        "items": [subscription_item(price)],
        "metadata": {"user_id": user_id},
    }
    if trial_days:
        params["trial_period_days"] = trial_days
    if default_payment_method:
        await _save_default_payment_method(gateway, customer, default_payment_method)
    with gateway.errors("subscriptions.create"):
        subscription = await gateway.client.v1.subscriptions.create_async(
            params, idempotency_key("subscription-create", request_id)
        )
        return SubscriptionInfo.from_dict(subscription.to_dict())


async def _save_default_payment_method(
    gateway: StripeGateway, customer: str, payment_method: str
) -> None:
    """Attach the card to the customer and make it the one invoices charge
    (attaching it again to the same customer is harmless)."""
    attach: PaymentMethodAttachParams = {"customer": customer}
    update: CustomerUpdateParams = {
        "invoice_settings": {"default_payment_method": payment_method}
    }
    with gateway.errors("payment_methods.attach"):
        await gateway.client.v1.payment_methods.attach_async(payment_method, attach)
    with gateway.errors("customers.update"):
        await gateway.client.v1.customers.update_async(customer, update)


async def set_cancel_at_period_end(
    gateway: StripeGateway, subscription_id: str, *, cancel: bool
) -> SubscriptionInfo:
    """Cancel at the end of the paid period, or take that back (resume). Setting the
    same value twice is harmless, so no idempotency key."""
    params: SubscriptionUpdateParams = {"cancel_at_period_end": cancel}
    with gateway.errors("subscriptions.update"):
        subscription = await gateway.client.v1.subscriptions.update_async(
            subscription_id, params
        )
        return SubscriptionInfo.from_dict(subscription.to_dict())


def subscription_item(price: str) -> SubscriptionCreateParamsItem:
    """Prices are `price_...`; any other id is a legacy Plan, which the API still
    takes under `plan`."""
    return {"price": price} if price.startswith("price_") else {"plan": price}
