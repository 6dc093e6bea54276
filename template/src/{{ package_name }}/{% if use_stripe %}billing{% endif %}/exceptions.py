"""Billing errors every Stripe feature shares, each answered as a problem response
(each feature adds its own in `<feature>/exceptions.py`)."""

from __future__ import annotations

from http import HTTPStatus

from ..core.errors import (
    AppError,
    ConflictError,
    NotFoundError,
    ServiceUnavailableError,
)

# When a billing operation answers 503 (besides MongoDB down), for the OpenAPI document.
STRIPE_UNAVAILABLE = "Stripe is not reachable, or billing is not configured"
# When a create operation answers 409 (idempotency.py).
IDEMPOTENCY_KEY_IN_PROGRESS = (
    "A request with this Idempotency-Key is in progress (retry after Retry-After)"
)


class BillingNotConfiguredError(ServiceUnavailableError):
    def __init__(self) -> None:
        super().__init__("Billing is not configured on this server (STRIPE_SECRET_KEY)")


class PaymentProviderUnavailableError(ServiceUnavailableError):
    """Stripe could not be reached or answered with an error on its side: 503 with
    Retry-After (a retry with the same Idempotency-Key header does it once)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            "The payment provider is unavailable; try again shortly",
            headers={"Retry-After": str(retry_after_s)},
        )


class PaymentProviderError(AppError):
    """Stripe refused a request we made: a configuration problem (key, price id)."""

    status = HTTPStatus.BAD_GATEWAY
    title = "Bad Gateway"

    def __init__(self) -> None:
        super().__init__("The payment provider refused the request")


class PaymentDeclinedError(AppError):
    """A card error from Stripe (`gateway.stripe_errors`): declined, expired, ..."""

    status = HTTPStatus.PAYMENT_REQUIRED
    title = "Payment Declined"

    def __init__(self, code: str | None) -> None:
        super().__init__(f"The card was declined ({code or 'declined'})")
        self.code = code


class RequestInProgressError(ConflictError):
    """Another request with the same Idempotency-Key is being handled."""

    def __init__(self, retry_after_s: int = 1) -> None:
        super().__init__(
            "A request with this Idempotency-Key is in progress; try again shortly",
            headers={"Retry-After": str(retry_after_s)},
        )


class PaymentNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("No such payment")


class WebhookSignatureError(AppError):
    """Missing, malformed, stale or wrong `Stripe-Signature`, or a payload that is not
    an event: 400, so a forged request learns nothing and is never retried."""

    status = HTTPStatus.BAD_REQUEST
    title = "Bad Request"


class WebhookBusyError(ConflictError):
    """Another delivery of the same event is being handled: Stripe retries later."""

    def __init__(self) -> None:
        super().__init__("This event is being handled by another delivery")
