from __future__ import annotations

from http import HTTPStatus

from ...core.errors import AppError, ConflictError, NotFoundError


class UnknownPlanError(NotFoundError):
    def __init__(self, name: str) -> None:
        super().__init__(f"No plan named {name!r}")


class NoSubscriptionError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("No subscription")


class SubscriptionRequiredError(AppError):
    status = HTTPStatus.FORBIDDEN
    title = "Subscription Required"

    def __init__(self) -> None:
        super().__init__("An active subscription is required")


class SubscriptionExistsError(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "You already have an active subscription: change it in the portal"
        )
