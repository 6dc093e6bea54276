from __future__ import annotations

from fastapi import APIRouter, status

from ...auth.dependencies import AdminUser
from ...core.errors import problem_responses
from ..dependencies import BillingDep
from ..exceptions import STRIPE_UNAVAILABLE
from ..idempotency import IdempotencyKey
from ..schemas import PaymentId
from . import service
from .schemas import RefundCreate, RefundPublic

router = APIRouter(
    prefix="/billing",
    tags=["billing"],
    responses=problem_responses(401, 503, descriptions={503: STRIPE_UNAVAILABLE}),
)


@router.post(
    "/payments/{payment_id}/refunds",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(403, 404, 409, 502),
)
async def refund_payment(
    payment_id: PaymentId,
    data: RefundCreate,
    admin: AdminUser,
    billing: BillingDep,
    idempotency_key: IdempotencyKey = None,
) -> RefundPublic:
    """Refund a payment in full or in part (admins). Never more than was captured:
    a second full refund is refused with 409. Retry with the same Idempotency-Key:
    the answer is the same refund, made once."""
    refund = await service.refund(
        payment_id,
        actor=admin,
        amount=data.amount,
        reason=data.reason,
        idempotency_key=idempotency_key,
        billing=billing,
    )
    return RefundPublic.model_validate(refund)
