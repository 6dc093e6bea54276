"""Billing's shared part: the Stripe client, the verified webhook endpoint, payments
and the admin summary. The Stripe features add their webhook handlers and their
parts of the summary to it when they are installed (`add_to_billing`), after this
one (features.py lists them so); the webhook processor is built from what they
added when the app starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..core.config import Settings
from ..core.feature import Feature
from . import models, reports, router, webhooks
from .domain import SummarySection
from .gateway import StripeGateway
from .webhooks import EventHandlers, WebhookProcessor, handler_registry

WEBHOOK_PATH = "/api/v1/billing/webhooks"


def install(app: FastAPI, settings: Settings) -> None:
    # None without STRIPE_SECRET_KEY: billing endpoints then answer 503.
    app.state.stripe_gateway = (
        StripeGateway(settings) if settings.stripe_secret_key else None
    )
    app.state.stripe_event_handlers = []
    app.state.billing_summary_sections = []
    app.state.stripe_webhook_observer = webhooks.ignore_outcome
    add_to_billing(app, event_handlers=webhooks.EVENT_HANDLERS, summary=reports.SUMMARY)


def add_to_billing(
    app: FastAPI,
    *,
    event_handlers: EventHandlers | None = None,
    summary: SummarySection | None = None,
) -> None:
    """What a Stripe feature's `install` adds to billing's (installed before it):
    its webhook handlers and its section of the admin summary."""
    if event_handlers is not None:
        app.state.stripe_event_handlers.append(event_handlers)
    if summary is not None:
        app.state.billing_summary_sections.append(summary)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # One registry of every feature's handlers: an event type has one handler.
    app.state.stripe_webhooks = WebhookProcessor(
        handler_registry(*app.state.stripe_event_handlers),
        observer=app.state.stripe_webhook_observer,
    )
    yield


FEATURE = Feature(
    name="billing",
    documents=models.DOCUMENTS,
    routers=[router.router],
    public_routers=[router.public_router],
    # Stripe's webhook deliveries come in bursts from few addresses and are
    # authenticated by their signature.
    unthrottled_prefixes=[WEBHOOK_PATH],
    install=install,
    lifespan=lifespan,
)
