"""REST endpoints every Stripe feature shares. `public_router` has the webhook
endpoint (Stripe signs its requests; no login); `router` needs a logged-in user.
Each feature mounts its own endpoints under /billing too (`<feature>/router.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from ..auth.dependencies import AdminUser, CurrentUser
from ..core.errors import problem_responses
from ..core.pagination import DEFAULT_PAGE_SIZE, Page, PageSize
from ..db.dependencies import DatabaseDep
from . import service
from .dependencies import BillingDep, GatewayDep, SummarySectionsDep, WebhooksDep
from .exceptions import STRIPE_UNAVAILABLE
from .schemas import BillingSummaryPublic, PaymentId, PaymentPublic, SummaryMonths

public_router = APIRouter(prefix="/billing", tags=["billing"])
router = APIRouter(
    prefix="/billing",
    tags=["billing"],
    responses=problem_responses(401, 503, descriptions={503: STRIPE_UNAVAILABLE}),
)


@public_router.post(
    "/webhooks",
    responses=problem_responses(
        400,
        409,
        413,
        descriptions={
            400: "The Stripe-Signature is missing, wrong or too old",
            409: "The event is being handled (Stripe retries)",
        },
    ),
    summary="Stripe webhook endpoint",
    # The body is read raw (its signature is over the exact bytes): documented here.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "description": "A Stripe event"}
                }
            },
        }
    },
)
async def stripe_webhook(
    request: Request,
    gateway: GatewayDep,
    webhooks: WebhooksDep,
    database: DatabaseDep,
    stripe_signature: Annotated[
        str | None,
        Header(description="Stripe's signature of the body (400 when missing)"),
    ] = None,
) -> dict[str, str]:
    """Verifies the `Stripe-Signature` over the raw body (400 if it is missing, wrong
    or older than STRIPE_WEBHOOK_TOLERANCE_S), records the event once and handles
    it. 2xx tells Stripe to stop (also for an event whose object cannot be read:
    recorded as rejected, since a redelivery cannot succeed); 409 (being handled)
    and 5xx make it retry."""
    event, outcome = await webhooks.receive(
        await request.body(),
        stripe_signature,
        gateway=gateway,
        database=database,
    )
    return {"event_id": event.id, "outcome": outcome.value}


@router.get("/payments", responses=problem_responses(403))
async def list_payments(
    admin: AdminUser,
    billing: BillingDep,
    cursor: Annotated[
        PaymentId | None, Query(description="next_cursor of the previous page")
    ] = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Page[PaymentPublic]:
    """All payments, newest first (admins)."""
    page, next_cursor = await service.list_payments(
        cursor=cursor, limit=limit, billing=billing
    )
    return Page[PaymentPublic](
        items=[PaymentPublic.model_validate(payment) for payment in page],
        next_cursor=next_cursor,
    )


@router.get("/payments/{payment_id}", responses=problem_responses(404))
async def get_payment(
    payment_id: PaymentId, actor: CurrentUser, billing: BillingDep
) -> PaymentPublic:
    """One of your payments (admins: any payment)."""
    return PaymentPublic.model_validate(
        await service.get_payment(payment_id, actor=actor, billing=billing)
    )


@router.get("/summary", responses=problem_responses(403))
async def billing_summary(
    admin: AdminUser,
    billing: BillingDep,
    sections: SummarySectionsDep,
    months: SummaryMonths = 12,
) -> BillingSummaryPublic:
    """Subscriptions by price and status, revenue and refunds by month (admins)."""
    summary = await service.summary(months=months, sections=sections, billing=billing)
    return BillingSummaryPublic.of(billing.settings.billing_currency, summary)
