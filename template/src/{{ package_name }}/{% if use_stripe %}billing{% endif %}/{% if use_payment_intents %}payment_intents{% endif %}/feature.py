"""PaymentIntents for custom payment UIs."""

from __future__ import annotations

from ...core.feature import Feature
from . import router

FEATURE = Feature(name="billing.payment_intents", routers=[router.router])
