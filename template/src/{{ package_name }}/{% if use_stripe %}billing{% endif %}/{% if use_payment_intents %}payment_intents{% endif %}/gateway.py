"""Stripe calls of payment intents (see billing/gateway.py): payments confirmed by
a custom UI with Stripe.js."""

from __future__ import annotations

from stripe.params import PaymentIntentConfirmParams, PaymentIntentCreateParams

from ..exceptions import PaymentDeclinedError
from ..gateway import StripeGateway, idempotency_key
from ..stripe_objects import PaymentIntentInfo


async def create_payment_intent(
    gateway: StripeGateway,
    *,
    payment_id: str,
    customer: str,
    amount: int,
    currency: str,
    description: str | None,
) -> PaymentIntentInfo:
    params: PaymentIntentCreateParams = {
        "amount": amount,
        "currency": currency,
        "customer": customer,
        # (Automatic payment methods are the default since API 2023-08-16.)
        "metadata": {"payment_id": payment_id},
    }
    if description:
        params["description"] = description
    with gateway.errors("payment_intents.create"):
        intent = await gateway.client.v1.payment_intents.create_async(
            params, idempotency_key("payment-intent-create", payment_id)
        )
        return PaymentIntentInfo.from_dict(intent.to_dict())


async def confirm_payment_intent(
    gateway: StripeGateway,
    payment_intent_id: str,
    *,
    payment_method: str,
    return_url: str | None,
) -> PaymentIntentInfo:
    """Confirm with a payment method the client collected (Stripe.js); a card
    decline is answered with the intent's new state, not an error."""
    params: PaymentIntentConfirmParams = {"payment_method": payment_method}
    if return_url:
        params["return_url"] = return_url
    intents = gateway.client.v1.payment_intents
    try:
        with gateway.errors("payment_intents.confirm"):
            intent = await intents.confirm_async(payment_intent_id, params)
    except PaymentDeclinedError:
        with gateway.errors("payment_intents.retrieve"):
            intent = await intents.retrieve_async(payment_intent_id)
    with gateway.errors("payment_intents.confirm"):
        return PaymentIntentInfo.from_dict(intent.to_dict())
