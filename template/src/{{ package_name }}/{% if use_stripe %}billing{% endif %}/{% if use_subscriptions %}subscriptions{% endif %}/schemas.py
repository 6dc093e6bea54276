from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..schemas import Name, PaymentMethodId
from .domain import SubscriptionStatus
from .stripe_objects import SubscriptionInfo


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Name = Field(description="a name from STRIPE_PLANS")
    payment_method: PaymentMethodId | None = Field(
        default=None,
        description="charged for the first invoice (none needed with a trial)",
    )


class SubscriptionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stripe_subscription_id: str
    status: SubscriptionStatus
    price_id: str | None
    current_period_end: int | None = Field(description="Unix time")
    cancel_at_period_end: bool
    trial_end: int | None = Field(description="Unix time")


class SubscriptionChange(BaseModel):
    """Stripe's answer to a change; our record follows when its webhook arrives."""

    stripe_subscription_id: str
    status: str
    cancel_at_period_end: bool
    current_period_end: int | None
    trial_end: int | None

    @classmethod
    def of(cls, info: SubscriptionInfo) -> SubscriptionChange:
        return cls(
            stripe_subscription_id=info.id,
            status=info.status,
            cancel_at_period_end=info.cancel_at_period_end,
            current_period_end=info.current_period_end,
            trial_end=info.trial_end,
        )
