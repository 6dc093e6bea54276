"""Stripe's webhook endpoint (no login: Stripe signs its requests). It stays REST in
every API style: Stripe calls it by URL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from ..core.errors import problem_responses
from ..db.dependencies import DatabaseDep
from .dependencies import GatewayDep, WebhooksDep

public_router = APIRouter(prefix="/billing", tags=["billing"])


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
