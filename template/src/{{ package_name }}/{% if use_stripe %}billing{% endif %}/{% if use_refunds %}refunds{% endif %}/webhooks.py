"""Webhook handlers of refunds (see billing/webhooks.py): a refund we issued moves
on (or fails, which gives its amount back to the payment)."""

from __future__ import annotations

import structlog

from ...db.client import Database
from ..stripe_objects import StripeEvent
from ..webhooks import EventHandlers
from .domain import RefundRepository, RefundStatus
from .repository import MongoRefundRepository
from .stripe_objects import RefundInfo

logger = structlog.get_logger(__name__)


async def refund_updated(event: StripeEvent, database: Database) -> None:
    refund = RefundInfo.from_dict(event.object)
    if refund.status != RefundStatus.FAILED:  # refund.failed releases the amount
        await MongoRefundRepository(database).update_refund_by_stripe_id(
            refund.id, status=refund.status
        )


async def refund_failed(event: StripeEvent, database: Database) -> None:
    refunds: RefundRepository = MongoRefundRepository(database)
    info = RefundInfo.from_dict(event.object)
    refund = await refunds.update_refund_by_stripe_id(
        info.id, status=RefundStatus.FAILED
    )
    if refund is not None:
        await refunds.release_refund(refund.payment_id, refund.amount)
    logger.warning("refund_failed", stripe_refund_id=info.id)


EVENT_HANDLERS: EventHandlers = {
    "refund.updated": refund_updated,
    "refund.failed": refund_failed,
}
