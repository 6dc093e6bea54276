from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from ...auth.dependencies import CurrentUser
from ...core.errors import problem_responses
from ..dependencies import BillingDep
from ..exceptions import IDEMPOTENCY_KEY_IN_PROGRESS, STRIPE_UNAVAILABLE
from ..idempotency import IdempotencyKey
from ..schemas import PaymentId, PaymentPublic
from . import service
from .schemas import (
    PaymentConfirm,
    PaymentConfirmPublic,
    PaymentIntentCreate,
    PaymentIntentPublic,
)

router = APIRouter(
    prefix="/billing",
    tags=["billing"],
    responses=problem_responses(401, 503, descriptions={503: STRIPE_UNAVAILABLE}),
)


@router.post(
    "/payment-intents",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(
        400, 409, 502, descriptions={409: IDEMPOTENCY_KEY_IN_PROGRESS}
    ),
)
async def create_payment_intent(
    data: PaymentIntentCreate,
    user: CurrentUser,
    billing: BillingDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PaymentIntentPublic:
    """Start a payment for a custom UI: confirm it with Stripe.js and the client
    secret, or with POST /billing/payments/{id}/confirm. Retry with the same
    Idempotency-Key: the answer is the same payment and intent."""
    payment, intent = await service.start_payment(
        user,
        amount=data.amount,
        description=data.description,
        idempotency_key=idempotency_key,
        billing=billing,
    )
    response.headers["Location"] = str(
        request.url_for("get_payment", payment_id=payment.id)
    )
    return PaymentIntentPublic(
        payment=PaymentPublic.model_validate(payment),
        payment_intent_id=intent.id,
        status=intent.status,
        client_secret=intent.client_secret or "",
    )


@router.post(
    "/payments/{payment_id}/confirm", responses=problem_responses(402, 403, 404, 502)
)
async def confirm_payment(
    payment_id: PaymentId,
    data: PaymentConfirm,
    user: CurrentUser,
    billing: BillingDep,
) -> PaymentConfirmPublic:
    intent = await service.confirm_payment(
        payment_id,
        actor=user,
        payment_method=data.payment_method,
        return_url=data.return_url,
        billing=billing,
    )
    return PaymentConfirmPublic(
        status=intent.status,
        next_action=intent.next_action,
        last_error_code=intent.last_error_code,
    )
