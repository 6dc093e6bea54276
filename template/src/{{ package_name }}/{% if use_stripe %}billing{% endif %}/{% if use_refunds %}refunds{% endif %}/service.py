"""Refunds: an admin refunds a succeeded payment in full or in part, never more
than was captured."""

from __future__ import annotations

import structlog

from ...core.ids import new_id
from ...core.time import utc_now
from ...users.domain import User
from ..domain import PaymentStatus
from ..exceptions import PaymentProviderError
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
    billing: Billing,
) -> Refund:
    """Refund all of what is left, or `amount` of it. The amount is reserved on the
    payment atomically before Stripe is asked, so concurrent or repeated requests
    never refund more than was captured."""
    payment = await get_payment(payment_id, actor=actor, billing=billing)
    if (
        payment.status is not PaymentStatus.SUCCEEDED
        or payment.stripe_payment_intent_id is None
    ):
        raise NotRefundableError
    if amount is None:  # the rest of what was captured
        amount = payment.amount_captured - payment.refund_reserved
    refunds: RefundRepository = MongoRefundRepository(billing.database)
    if amount <= 0 or not await refunds.reserve_refund(
        payment.id, amount, captured=payment.amount_captured
    ):
        raise RefundExceedsCapturedError
    now = utc_now()
    requested = Refund(
        id=new_id("ref"),
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
    try:
        info = await create_refund(
            billing.gateway,
            refund_id=requested.id,
            payment_intent=payment.stripe_payment_intent_id,
            amount=amount,
            reason=reason,
        )
    except PaymentProviderError:
        # Stripe refused it (nothing was refunded): give the amount back.
        await refunds.release_refund(payment.id, amount)
        await refunds.update_refund(
            requested.id, status=RefundStatus.FAILED, stripe_refund_id=None
        )
        raise
    # (When Stripe could not be reached, the refund stays pending and reserved:
    # whether it happened is known from the charge.refunded webhook.)
    stored = await refunds.update_refund(
        requested.id, status=RefundStatus(info.status), stripe_refund_id=info.id
    )
    logger.info(
        "refund_created", refund_id=requested.id, payment_id=payment.id, amount=amount
    )
    return stored or requested
