"""Stripe's billing portal: payment methods, invoices and plan changes."""

from __future__ import annotations

from ...core.feature import Feature
from . import router

FEATURE = Feature(name="billing.portal", routers=[router.router])
