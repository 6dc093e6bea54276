"""The Stripe gateway: the one Stripe client, event verification and the error
mapping, which the `gateway.py` of every Stripe feature calls through. Only these
gateway modules import `stripe`.

Every call is async, goes through one `StripeClient` built from settings (pinned API
version, base address, timeout, network retries) and returns the plain values of
the `stripe_objects` modules, so the rest of the code never sees a Stripe type.
Every create call sends an `Idempotency-Key` made of the operation and our own
record id (`idempotency_key`): a retried request (ours, the SDK's network retry, or
a client's retry with the same `Idempotency-Key` header, which finds the same record:
idempotency.py) returns the first result instead of charging or creating twice.
Stripe's errors become the problem responses of `exceptions` (`StripeGateway.errors`):
Stripe unreachable, rate limiting or failing on its side is a 503 with `Retry-After`
(RETRY_AFTER_S), Stripe refusing our request or answering with an object we cannot
read is a 502.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import stripe
import structlog

from ..core.config import Settings
from .exceptions import (
    PaymentDeclinedError,
    PaymentProviderError,
    PaymentProviderUnavailableError,
    RequestInProgressError,
    WebhookSignatureError,
)
from .stripe_objects import MalformedStripeObject, StripeEvent

logger = structlog.get_logger(__name__)

# The API version of every request: the one stripe-python's pinned release is typed
# for. Upgrading stripe-python upgrades it; read Stripe's changelog first.
STRIPE_API_VERSION = stripe.api_version


class StripeGateway:
    def __init__(
        self,
        settings: Settings,
        *,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        if settings.stripe_secret_key is None:
            raise ValueError("StripeGateway needs STRIPE_SECRET_KEY")
        self.client = stripe.StripeClient(
            settings.stripe_secret_key.get_secret_value(),
            stripe_version=STRIPE_API_VERSION,
            base_addresses={"api": settings.stripe_api_base},
            max_network_retries=settings.stripe_max_network_retries,
            http_client=http_client
            or stripe.HTTPXClient(timeout=settings.stripe_timeout_s),
        )
        self._webhook_secrets = [
            secret.get_secret_value() for secret in settings.stripe_webhook_secrets
        ]
        self._tolerance_s = settings.stripe_webhook_tolerance_s
        self._retry_after_s = settings.retry_after_s

    def errors(self, operation: str) -> AbstractContextManager[None]:
        """Stripe's errors during `operation` (a call and the reading of its
        answer) as our problem responses, logged (`stripe_errors`)."""
        return stripe_errors(operation, retry_after_s=self._retry_after_s)

    def verify_event(self, payload: bytes, signature: str | None) -> StripeEvent:
        """The event in `payload` if `signature` (the Stripe-Signature header) was made
        with one of the configured secrets within the tolerance; during a rotation
        both the old and the new secret are accepted."""
        if not signature:
            raise WebhookSignatureError("Missing Stripe-Signature header")
        if not self._webhook_secrets:
            raise WebhookSignatureError("No webhook signing secret is configured")
        for secret in self._webhook_secrets:
            try:
                event = self.client.construct_event(
                    payload, signature, secret, tolerance=self._tolerance_s
                )
            except stripe.SignatureVerificationError:
                continue
            except ValueError:
                raise WebhookSignatureError(
                    "The payload is not a Stripe event"
                ) from None
            try:
                return StripeEvent.from_dict(event.to_dict())
            except MalformedStripeObject:
                raise WebhookSignatureError(
                    "The payload is not a Stripe event"
                ) from None
        raise WebhookSignatureError("Invalid or expired Stripe-Signature")


def idempotency_key(operation: str, record_id: str) -> stripe.RequestOptions:
    """The request options of a create call made for our record `record_id`."""
    return {"idempotency_key": f"{operation}:{record_id}"}


@contextmanager
def stripe_errors(operation: str, *, retry_after_s: int) -> Iterator[None]:
    """Stripe's errors during `operation` as our problem responses, logged."""
    try:
        yield
    except stripe.CardError as exc:
        logger.info("stripe_card_declined", operation=operation, code=exc.code)
        raise PaymentDeclinedError(exc.code) from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        # (Not reached, a timeout, or too many requests: the client may retry, with
        # the same Idempotency-Key header, which sends Stripe the same key.)
        logger.warning(
            "stripe_unavailable", operation=operation, error=type(exc).__name__
        )
        raise PaymentProviderUnavailableError(retry_after_s) from exc
    except stripe.APIError as exc:
        logger.warning(
            "stripe_unavailable", operation=operation, status=exc.http_status
        )
        raise PaymentProviderUnavailableError(retry_after_s) from exc
    except stripe.IdempotencyError as exc:
        # Another request with the same key is being handled by Stripe right now
        # (a reuse with other parameters cannot come from us: idempotency.py).
        logger.info("stripe_request_in_progress", operation=operation)
        raise RequestInProgressError(retry_after_s) from exc
    except MalformedStripeObject as exc:
        logger.error("stripe_answer_unreadable", operation=operation, reason=exc.reason)
        raise PaymentProviderError from exc
    except stripe.StripeError as exc:
        # Invalid parameters, a wrong key or price id: our side is wrong, so it is
        # logged as an error.
        logger.error(
            "stripe_request_refused",
            operation=operation,
            error=type(exc).__name__,
            status=exc.http_status,
            code=exc.code,
            request_id=exc.request_id,
        )
        raise PaymentProviderError from exc
