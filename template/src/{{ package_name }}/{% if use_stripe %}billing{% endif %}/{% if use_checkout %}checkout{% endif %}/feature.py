"""Stripe Checkout: hosted payment pages, recorded from Checkout's webhooks."""

from __future__ import annotations

from fastapi import FastAPI

from ...core.config import Settings
from ...core.feature import Feature
from ..feature import add_to_billing
from . import router, webhooks


def install(app: FastAPI, settings: Settings) -> None:
    del settings
    add_to_billing(app, event_handlers=webhooks.EVENT_HANDLERS)


FEATURE = Feature(
    name="billing.checkout",
    routers=[router.router],
    install=install,
)
