from __future__ import annotations

from fastapi import APIRouter, status

from ...auth.dependencies import CurrentUser
from ...core.errors import problem_responses
from ..dependencies import BillingDep
from ..exceptions import STRIPE_UNAVAILABLE
from ..idempotency import IdempotencyKey
from . import service
from .dependencies import SubscribedUser
from .schemas import SubscriptionChange, SubscriptionCreate, SubscriptionPublic

router = APIRouter(
    prefix="/billing",
    tags=["billing"],
    responses=problem_responses(401, 503, descriptions={503: STRIPE_UNAVAILABLE}),
)


@router.get("/subscription", responses=problem_responses(404))
async def get_subscription(
    user: CurrentUser, billing: BillingDep
) -> SubscriptionPublic:
    """Your subscription as recorded from Stripe's webhooks."""
    return SubscriptionPublic.model_validate(
        await service.current_subscription(user, billing=billing)
    )


@router.post(
    "/subscription",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(402, 404, 409, 502),
)
async def subscribe(
    data: SubscriptionCreate,
    user: CurrentUser,
    billing: BillingDep,
    idempotency_key: IdempotencyKey = None,
) -> SubscriptionChange:
    """Subscribe to a plan (with the configured trial). 202: the subscription is
    recorded when Stripe's webhook arrives. Retry with the same Idempotency-Key:
    Stripe starts one subscription."""
    info = await service.subscribe(
        user,
        plan=data.plan,
        payment_method=data.payment_method,
        idempotency_key=idempotency_key,
        billing=billing,
    )
    return SubscriptionChange.of(info)


@router.post(
    "/subscription/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(404),
)
async def cancel_subscription(
    user: CurrentUser, billing: BillingDep
) -> SubscriptionChange:
    """Cancel at the end of the current period; access lasts until then."""
    info = await service.set_cancel_at_period_end(user, cancel=True, billing=billing)
    return SubscriptionChange.of(info)


@router.post(
    "/subscription/resume",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(404),
)
async def resume_subscription(
    user: CurrentUser, billing: BillingDep
) -> SubscriptionChange:
    """Take back a cancellation before the period ends."""
    info = await service.set_cancel_at_period_end(user, cancel=False, billing=billing)
    return SubscriptionChange.of(info)


@router.get(
    "/subscription/access",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403),
)
async def check_access(user: SubscribedUser) -> None:
    """204 while your subscription is active or trialing, 403 otherwise: the
    `require_active_subscription` check that paid endpoints depend on."""
