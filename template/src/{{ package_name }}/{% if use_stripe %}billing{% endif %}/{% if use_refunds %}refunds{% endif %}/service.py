"""Refunds: an admin refunds a succeeded payment in full or in part, never more
than was captured."""

from __future__ import annotations

import structlog

from ...core.ids import new_id
from ...core.time import utc_now
from ...users.domain import User
from ..domain import PaymentStatus
from ..exceptions import PaymentProviderError
from ..idempotency import request_record, take_over
from ..repository import MongoBillingRepository
from ..service import Billing, get_payment
from .domain import Refund, RefundRepository, RefundStatus
from .exceptions import NotRefundableError, RefundExceedsCapturedError
from .gateway import create_refund
from .repository import MongoRefundRepository

logger = structlog.get_logger(__name__)


async def refund(
    payment_id: str,
    *,
    actor: User,
    amount: int | None,
    reason: str | None,
    idempotency_key: str | None = None,
    billing: Billing,
) -> Refund:
    """Refund all of what is left, or `amount` of it. The amount is reserved on the
    payment atomically before Stripe is asked, so concurrent or repeated requests
    never refund more than was captured. A retry with the same `idempotency_key`
    (idempotency.py) reserves nothing again: it finishes the first request's
    refund (sends it to Stripe if Stripe could not be reached), or answers it."""
    payment = await get_payment(payment_id, actor=actor, billing=billing)
    if (
        payment.status is not PaymentStatus.SUCCEEDED
        or payment.stripe_payment_intent_id is None
    ):
        raise NotRefundableError
    records = MongoBillingRepository(billing.database)
    record = await request_record(
        records,
        operation="refund-create",
        user_id=actor.id,
        client_key=idempotency_key,
        new_id=new_id("ref"),
        parameters={"payment_id": payment.id, "amount": amount, "reason": reason},
    )
    refunds: RefundRepository = MongoRefundRepository(billing.database)
    earlier = None if record.first else await refunds.get_refund(record.id)
    if earlier is not None:
        if earlier.stripe_refund_id is not None:
            return earlier  # Stripe has it: its state follows from the webhooks
        if earlier.status is RefundStatus.FAILED:
            raise PaymentProviderError  # Stripe refused it (the amount is back)
        return await _send(earlier, payment.stripe_payment_intent_id, refunds, billing)
    await take_over(records, record)
    if amount is None:  # the rest of what was captured
        amount = payment.amount_captured - payment.refund_reserved
    if amount <= 0 or not await refunds.reserve_refund(
        payment.id, amount, captured=payment.amount_captured
    ):
        raise RefundExceedsCapturedError
    now = utc_now()
    requested = Refund(
        id=record.id,
        payment_id=payment.id,
        amount=amount,
        currency=payment.currency,
        status=RefundStatus.PENDING,
        reason=reason,
        stripe_refund_id=None,
        requested_by=actor.id,
        period=now.strftime("%Y-%m"),
        created_at=now,
        updated_at=now,
    )
    await refunds.add_refund(requested)
    return await _send(requested, payment.stripe_payment_intent_id, refunds, billing)


async def _send(
    requested: Refund,
    payment_intent: str,
    refunds: RefundRepository,
    billing: Billing,
) -> Refund:
    """Ask Stripe for the refund we recorded (keyed by its id: sent twice, it is
    made once)."""
    try:
        info = await create_refund(
            billing.gateway,
            refund_id=requested.id,
            payment_intent=payment_intent,
            amount=requested.amount,
            reason=requested.reason,
        )
    except PaymentProviderError:
        # Stripe refused it (nothing was refunded): give the amount back.
        await refunds.release_refund(requested.payment_id, requested.amount)
        await refunds.update_refund(
            requested.id, status=RefundStatus.FAILED, stripe_refund_id=None
        )
        raise
    # (When Stripe could not be reached, the refund stays pending and reserved:
    # whether it happened is known from the charge.refunded webhook, and a retry
    # with the same Idempotency-Key sends it again.)
    stored = await refunds.update_refund(
        requested.id, status=info.status, stripe_refund_id=info.id
    )
    logger.info(
        "refund_created",
        refund_id=requested.id,
        payment_id=requested.payment_id,
        amount=requested.amount,
    )
    return stored or requested
