"""Payment intents: payments for a custom UI, confirmed with Stripe.js (or through
this API with a PaymentMethod Stripe.js collected). The payment is recorded before
Stripe is asked; its state follows from the webhooks (billing/webhooks.py)."""

from __future__ import annotations

from ...core.errors import BadRequestError, ConflictError
from ...core.ids import new_id
from ...core.time import utc_now
from ...users.domain import User
from ..customers.service import customer_for
from ..domain import Payment, PaymentSource, PaymentStatus
from ..exceptions import PaymentNotFoundError
from ..idempotency import request_record, take_over
from ..repository import MongoBillingRepository
from ..service import Billing, get_payment
from ..stripe_objects import PaymentIntentInfo
from .domain import PaymentIntentRepository
from .gateway import confirm_payment_intent, create_payment_intent
from .repository import MongoPaymentIntentRepository


async def start_payment(
    user: User,
    *,
    amount: int,
    description: str | None,
    idempotency_key: str | None = None,
    billing: Billing,
) -> tuple[Payment, PaymentIntentInfo]:
    """A PaymentIntent for a custom payment UI. Its client secret goes to the owner
    only (the router answers this request, nothing else returns it). A retry with
    the same `idempotency_key` gets the same payment and intent (idempotency.py)."""
    settings = billing.settings
    if not settings.payment_min_amount <= amount <= settings.payment_max_amount:
        raise BadRequestError(
            f"amount must be between {settings.payment_min_amount} and "
            f"{settings.payment_max_amount} (smallest currency unit)"
        )
    customer = await customer_for(user, billing=billing)
    records = MongoBillingRepository(billing.database)
    record = await request_record(
        records,
        operation="payment-intent-create",
        user_id=user.id,
        client_key=idempotency_key,
        new_id=new_id("pay"),
        parameters={"amount": amount, "description": description},
    )
    payment = None if record.first else await records.get_payment(record.id)
    payments: PaymentIntentRepository = MongoPaymentIntentRepository(billing.database)
    if payment is None:
        await take_over(records, record)
        now = utc_now()
        payment = Payment(
            id=record.id,
            user_id=user.id,
            source=PaymentSource.PAYMENT_INTENT,
            status=PaymentStatus.REQUIRES_PAYMENT_METHOD,
            amount=amount,
            currency=settings.billing_currency,
            description=description,
            created_at=now,
            updated_at=now,
        )
        await payments.add_payment(payment)
    intent = await create_payment_intent(
        billing.gateway,
        payment_id=payment.id,
        customer=customer.stripe_customer_id,
        amount=amount,
        currency=payment.currency,
        description=description,
    )
    await payments.attach_payment_intent(payment.id, intent.id)
    return payment, intent


async def confirm_payment(
    payment_id: str,
    *,
    actor: User,
    payment_method: str,
    return_url: str | None,
    billing: Billing,
) -> PaymentIntentInfo:
    """Confirm the owner's payment with a payment method collected by Stripe.js.
    The answer says what the client does next (requires_action: 3-D Secure with the
    client secret; requires_payment_method: another card)."""
    payment = await get_payment(payment_id, actor=actor, billing=billing)
    if payment.user_id != actor.id or payment.stripe_payment_intent_id is None:
        raise PaymentNotFoundError
    if payment.status.is_final:
        raise ConflictError(f"The payment is already {payment.status.value}")
    return await confirm_payment_intent(
        billing.gateway,
        payment.stripe_payment_intent_id,
        payment_method=payment_method,
        return_url=return_url,
    )
