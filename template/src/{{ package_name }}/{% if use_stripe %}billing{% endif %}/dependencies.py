"""The dependencies of billing's routes: what billing keeps on the app state
(feature.py) and the billing service."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Request

from ..core.dependencies import SettingsDep
from ..db.dependencies import DatabaseDep
from .domain import SummarySection
from .exceptions import BillingNotConfiguredError
from .gateway import StripeGateway
from .service import Billing
from .webhooks import WebhookProcessor


async def get_gateway(request: Request) -> StripeGateway:
    gateway: StripeGateway | None = request.app.state.stripe_gateway
    if gateway is None:
        raise BillingNotConfiguredError
    return gateway


GatewayDep = Annotated[StripeGateway, Depends(get_gateway)]


async def get_billing(
    database: DatabaseDep, gateway: GatewayDep, settings: SettingsDep
) -> Billing:
    return Billing(database=database, gateway=gateway, settings=settings)


async def get_webhook_processor(request: Request) -> WebhookProcessor:
    webhooks: WebhookProcessor = request.app.state.stripe_webhooks
    return webhooks


async def get_summary_sections(request: Request) -> Sequence[SummarySection]:
    sections: Sequence[SummarySection] = request.app.state.billing_summary_sections
    return sections


BillingDep = Annotated[Billing, Depends(get_billing)]
WebhooksDep = Annotated[WebhookProcessor, Depends(get_webhook_processor)]
SummarySectionsDep = Annotated[Sequence[SummarySection], Depends(get_summary_sections)]
