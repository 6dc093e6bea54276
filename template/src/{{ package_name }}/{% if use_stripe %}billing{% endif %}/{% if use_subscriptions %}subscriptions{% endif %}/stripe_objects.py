"""Subscriptions and invoices as billing reads them (see billing/stripe_objects.py).

Subscription periods moved from the subscription to its items in API 2025-03-31,
and invoices name their subscription under `parent` since then: both shapes are
read, since an endpoint renders events in the API version it was created with.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field, StrictBool, StrictInt

from ..stripe_objects import Metadata, StripeObject, StripeRef, StripeShape, read
from .domain import SubscriptionStatus


class _Item(StripeShape):
    price: StripeRef | None = None
    plan: StripeRef | None = None  # before Prices
    current_period_end: StrictInt | None = None  # since 2025-03-31


class _Items(StripeShape):
    data: list[_Item] = Field(default_factory=list)


class _Subscription(StripeShape):
    id: str
    customer: StripeRef
    status: SubscriptionStatus
    items: _Items | None = None
    plan: StripeRef | None = None  # before items
    current_period_end: StrictInt | None = None  # before 2025-03-31
    cancel_at_period_end: StrictBool | None = None
    trial_end: StrictInt | None = None
    metadata: Metadata = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    id: str
    customer: str
    status: SubscriptionStatus
    price_id: str | None
    current_period_end: int | None
    cancel_at_period_end: bool
    trial_end: int | None
    metadata: dict[str, str]

    @classmethod
    def from_dict(cls, obj: StripeObject) -> SubscriptionInfo:
        subscription = read(_Subscription, obj, "subscription")
        items = subscription.items.data if subscription.items else []
        item = items[0] if items else _Item()
        period_end = item.current_period_end
        if period_end is None:
            period_end = subscription.current_period_end
        return cls(
            id=subscription.id,
            customer=subscription.customer,
            status=subscription.status,
            price_id=item.price or item.plan or subscription.plan,
            current_period_end=period_end,
            cancel_at_period_end=bool(subscription.cancel_at_period_end),
            trial_end=subscription.trial_end,
            metadata=dict(subscription.metadata),
        )


class _SubscriptionDetails(StripeShape):
    subscription: StripeRef | None = None


class _InvoiceParent(StripeShape):
    subscription_details: _SubscriptionDetails | None = None


class _StatusTransitions(StripeShape):
    paid_at: StrictInt | None = None


class _Invoice(StripeShape):
    id: str
    customer: StripeRef | None = None
    parent: _InvoiceParent | None = None  # since 2025-03-31
    subscription: StripeRef | None = None  # before 2025-03-31
    status: str | None = None
    amount_paid: StrictInt | None = None
    amount_due: StrictInt | None = None
    currency: str | None = None
    status_transitions: _StatusTransitions | None = None


@dataclass(frozen=True, slots=True)
class InvoiceInfo:
    id: str
    customer: str | None
    subscription: str | None
    status: str | None
    amount_paid: int
    amount_due: int
    currency: str
    paid_at: int | None

    @classmethod
    def from_dict(cls, obj: StripeObject) -> InvoiceInfo:
        invoice = read(_Invoice, obj, "invoice")
        details = invoice.parent.subscription_details if invoice.parent else None
        transitions = invoice.status_transitions
        return cls(
            id=invoice.id,
            customer=invoice.customer,
            subscription=(details.subscription if details else None)
            or invoice.subscription,
            status=invoice.status,
            amount_paid=invoice.amount_paid or 0,
            amount_due=invoice.amount_due or 0,
            currency=invoice.currency or "",
            paid_at=transitions.paid_at if transitions else None,
        )
