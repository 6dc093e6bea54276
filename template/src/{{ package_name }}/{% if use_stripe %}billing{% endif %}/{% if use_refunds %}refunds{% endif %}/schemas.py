from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .domain import RefundStatus


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: int | None = Field(
        default=None, ge=1, description="omit to refund everything not refunded yet"
    )
    reason: Literal["duplicate", "fraudulent", "requested_by_customer"] | None = None


class RefundPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    payment_id: str
    amount: int
    currency: str
    status: RefundStatus
    reason: str | None
    created_at: datetime
