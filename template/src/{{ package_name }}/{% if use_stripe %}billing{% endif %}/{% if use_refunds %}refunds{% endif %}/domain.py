"""Refunds we issue (admins, through the API), and the repository interface every
ODM implements for them. Refunds made in the Dashboard are only counted on their
payment (billing/webhooks.py, charge.refunded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class RefundStatus(StrEnum):
    PENDING = "pending"
    REQUIRES_ACTION = "requires_action"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


@dataclass(frozen=True, slots=True)
class Refund:
    id: str  # ref_<ULID>
    payment_id: str
    amount: int
    currency: str
    status: RefundStatus
    reason: str | None
    stripe_refund_id: str | None
    requested_by: str
    period: str  # "YYYY-MM" (UTC) of the request: refunds by month
    created_at: datetime
    updated_at: datetime


def previous_statuses(status: RefundStatus) -> list[str]:
    """The statuses a refund may move to `status` from. Events arrive out of order,
    so a late `pending` never undoes `succeeded`; failed and canceled are final. A
    succeeded refund can still fail (Stripe then sends refund.failed)."""
    open_ = [RefundStatus.PENDING.value, RefundStatus.REQUIRES_ACTION.value]
    if status in (RefundStatus.SUCCEEDED, RefundStatus.FAILED):
        return [*open_, RefundStatus.SUCCEEDED.value]
    return open_


class RefundRepository(Protocol):
    """The refunds, and the refund reservation on their payments."""

    async def reserve_refund(
        self, payment_id: str, amount: int, *, captured: int
    ) -> bool:
        """Atomically add `amount` to the succeeded payment's refund reservation if
        the result stays within `captured` (the payment's amount_captured, which no
        longer changes once it succeeded: the update matches it too); False
        otherwise."""
        ...

    async def release_refund(self, payment_id: str, amount: int) -> None: ...

    async def add_refund(self, refund: Refund) -> None: ...

    async def get_refund(self, refund_id: str) -> Refund | None: ...

    async def update_refund(
        self, refund_id: str, *, status: RefundStatus, stripe_refund_id: str | None
    ) -> Refund | None: ...

    async def update_refund_by_stripe_id(
        self, stripe_refund_id: str, *, status: RefundStatus
    ) -> Refund | None:
        """Move the refund to `status` if it may move there from where it is
        (`previous_statuses`); the refund when it moved, else None."""
        ...
