from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..schemas import PaymentMethodId, PaymentPublic


class PaymentIntentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int = Field(description="in the currency's smallest unit (cents)")
    description: Annotated[str, StringConstraints(max_length=200)] | None = None


class PaymentIntentPublic(BaseModel):
    payment: PaymentPublic
    payment_intent_id: str
    status: str
    client_secret: str = Field(description="for Stripe.js; only ever sent to the payer")


class PaymentConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payment_method: PaymentMethodId
    return_url: (
        Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2000)] | None
    ) = None


class PaymentConfirmPublic(BaseModel):
    status: str = Field(
        description="succeeded, processing, requires_action (3-D Secure: finish it with "
        "Stripe.js and the client secret) or requires_payment_method (declined)"
    )
    next_action: str | None
    last_error_code: str | None
