"""Refunds by admins, never more than was captured."""

from __future__ import annotations

from fastapi import FastAPI

from ...core.config import Settings
from ...core.feature import Feature
from ..feature import add_to_billing
from . import models, reports, router, webhooks


def install(app: FastAPI, settings: Settings) -> None:
    del settings
    add_to_billing(app, event_handlers=webhooks.EVENT_HANDLERS, summary=reports.SUMMARY)


FEATURE = Feature(
    name="billing.refunds",
    documents=models.DOCUMENTS,
    routers=[router.router],
    install=install,
)
