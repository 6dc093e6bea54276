"""The Stripe customer of each user, shared by the features that charge them."""

from __future__ import annotations

from ...core.feature import Feature
from . import models

FEATURE = Feature(name="billing.customers", documents=models.DOCUMENTS)
