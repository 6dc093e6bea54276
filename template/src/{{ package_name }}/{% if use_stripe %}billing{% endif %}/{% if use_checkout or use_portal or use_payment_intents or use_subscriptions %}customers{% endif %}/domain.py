"""Our users' Stripe customers: created on a user's first checkout, payment,
subscription or portal visit, and kept (one per user) for every later one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Customer:
    user_id: str
    stripe_customer_id: str
    created_at: datetime


class CustomerRepository(Protocol):
    """One customer per user and per Stripe customer (unique indexes)."""

    async def get_customer(self, user_id: str) -> Customer | None: ...

    async def add_customer(self, customer: Customer) -> Customer:
        """Store `customer`, or return the one stored first for that user."""
        ...
