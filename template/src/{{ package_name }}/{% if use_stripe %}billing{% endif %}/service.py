"""Billing use cases every Stripe feature shares; each feature adds its own in
`<feature>/service.py`. A use case gets a `Billing` and builds the repositories it
uses from its database, like the webhook handlers.

Stripe is reached through the gateways only; our records are written before Stripe
is asked (so every Stripe object can point back at one) and their payment states are
changed by webhooks (webhooks.py), never by the answer to our own request: the
webhook is the one source of truth, also for what happens later (3-D Secure, bank
transfers, disputes, refunds made in the Dashboard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..core.config import Settings
from ..core.time import utc_now
from ..db.client import Database
from ..users.domain import User
from .domain import BillingRepository, Payment, SummarySection
from .exceptions import PaymentNotFoundError
from .gateway import StripeGateway
from .repository import MongoBillingRepository
from .stripe_objects import period_of


@dataclass(frozen=True, slots=True)
class Billing:
    """What a billing use case works with (`dependencies.BillingDep`): the app's
    database, from which it builds the repositories it uses, the Stripe gateway and
    the settings."""

    database: Database
    gateway: StripeGateway
    settings: Settings


async def get_payment(payment_id: str, *, actor: User, billing: Billing) -> Payment:
    payments: BillingRepository = MongoBillingRepository(billing.database)
    payment = await payments.get_payment(payment_id)
    # Someone else's payment is as absent as a missing one: ids are not probed.
    if payment is None or (payment.user_id != actor.id and not actor.is_admin):
        raise PaymentNotFoundError
    return payment


async def list_payments(
    *, cursor: str | None, limit: int, billing: Billing
) -> tuple[list[Payment], str | None]:
    """One page of every payment, newest first, and the cursor of the next page
    (None on the last page)."""
    payments: BillingRepository = MongoBillingRepository(billing.database)
    found = await payments.list_payments(before=cursor, limit=limit + 1)
    page = found[:limit]
    next_cursor = page[-1].id if len(found) > limit else None
    return page, next_cursor


async def summary(
    *, months: int, sections: Sequence[SummarySection], billing: Billing
) -> dict[str, list[dict[str, Any]]]:
    """The rows of each section (reports.py) for the last `months` months, by the
    section's name."""
    payments: BillingRepository = MongoBillingRepository(billing.database)
    since = utc_now().replace(day=1) - timedelta(days=31 * (months - 1))
    return await payments.summary(
        sections,
        currency=billing.settings.billing_currency,
        since_period=period_of(int(since.timestamp())),
    )
