"""Reading Stripe objects: the plain dicts of verified webhook events and of the
gateway's API answers, turned into the few values the billing code uses. The objects
every feature meets are read here; each feature reads its own in
`<feature>/stripe_objects.py`.

Each reader validates the object against a pydantic model of the fields it reads
(`StripeShape`: other fields are ignored, amounts and flags must have their JSON
type, nothing is converted from a string) and raises `MalformedStripeObject` with
the reason when the object has another shape: a signed event that cannot be read
is recorded as rejected instead of failing on every redelivery (webhooks.py), an
API answer that cannot be read is a 502 (gateway.py).

Readers accept the current API shape and the older ones: a webhook endpoint renders
events in the API version it was created with, which can be older than the version
this service pins for its own requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
)

StripeObject = dict[str, Any]


class MalformedStripeObject(Exception):
    """A Stripe object that lacks a field billing reads, or has it with another
    type; `reason` says which (for the log and the event's record)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _id_of(value: object) -> object:
    """A reference is an id or, when expanded, the object: read as its id."""
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    return value


def _empty_if_null(value: object) -> object:
    return {} if value is None else value


# A reference to another Stripe object (its id, or the expanded object).
StripeRef = Annotated[str, BeforeValidator(_id_of)]
# Stripe's metadata: string values (null when the object has none).
Metadata = Annotated[dict[str, str], BeforeValidator(_empty_if_null)]


class StripeShape(BaseModel):
    """The fields of a Stripe object that billing reads."""

    model_config = ConfigDict(extra="ignore", frozen=True)


S = TypeVar("S", bound=StripeShape)


def read(shape: type[S], obj: object, name: str) -> S:
    """`obj` as `shape`, or `MalformedStripeObject` saying what does not fit."""
    try:
        return shape.model_validate(obj)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'object'}: "
            f"{error['msg']}"
            for error in exc.errors(include_url=False)
        ]
        raise MalformedStripeObject(f"{name}: {'; '.join(problems[:3])}") from None


def period_of(timestamp: int) -> str:
    """The UTC month ("YYYY-MM") of a Stripe timestamp."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m")


# --- events ------------------------------------------------------------------------


class _EventData(StripeShape):
    object: dict[str, Any]


class _Event(StripeShape):
    id: str
    type: str
    created: StrictInt
    data: _EventData


@dataclass(frozen=True, slots=True)
class StripeEvent:
    id: str
    type: str
    created: int
    object: StripeObject

    @classmethod
    def from_dict(cls, event: StripeObject) -> StripeEvent:
        """The envelope; its object is read by the event's handler."""
        shape = read(_Event, event, "event")
        return cls(
            id=shape.id,
            type=shape.type,
            created=shape.created,
            object=shape.data.object,
        )


# --- payment intents, charges, disputes ----------------------------------------------


class _Typed(StripeShape):
    type: str | None = None


class _PaymentError(StripeShape):
    code: str | None = None
    decline_code: str | None = None


class _PaymentIntent(StripeShape):
    id: str
    status: str
    amount: StrictInt
    # (Shapes without amount_received: a succeeded intent received its amount.)
    amount_received: StrictInt | None = None
    currency: str
    client_secret: str | None = None
    next_action: _Typed | None = None
    last_payment_error: _PaymentError | None = None
    metadata: Metadata = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PaymentIntentInfo:
    id: str
    status: str
    amount: int
    amount_received: int
    currency: str
    client_secret: str | None
    next_action: str | None  # e.g. "redirect_to_url", "use_stripe_sdk"
    last_error_code: str | None
    metadata: dict[str, str]

    @classmethod
    def from_dict(cls, obj: StripeObject) -> PaymentIntentInfo:
        intent = read(_PaymentIntent, obj, "payment_intent")
        received = intent.amount_received
        if received is None:
            received = intent.amount if intent.status == "succeeded" else 0
        error = intent.last_payment_error
        return cls(
            id=intent.id,
            status=intent.status,
            amount=intent.amount,
            amount_received=received,
            currency=intent.currency,
            client_secret=intent.client_secret,
            next_action=intent.next_action.type if intent.next_action else None,
            last_error_code=(error.decline_code or error.code) if error else None,
            metadata=dict(intent.metadata),
        )


class _Charge(StripeShape):
    id: str
    payment_intent: StripeRef | None = None
    amount: StrictInt | None = None
    amount_captured: StrictInt | None = None
    amount_refunded: StrictInt | None = None


@dataclass(frozen=True, slots=True)
class ChargeInfo:
    id: str
    payment_intent: str | None
    amount_captured: int
    amount_refunded: int

    @classmethod
    def from_dict(cls, obj: StripeObject) -> ChargeInfo:
        charge = read(_Charge, obj, "charge")
        return cls(
            id=charge.id,
            payment_intent=charge.payment_intent,
            amount_captured=charge.amount_captured or charge.amount or 0,
            amount_refunded=charge.amount_refunded or 0,
        )


class _Dispute(StripeShape):
    id: str
    charge: StripeRef
    payment_intent: StripeRef | None = None
    amount: StrictInt
    currency: str
    reason: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class DisputeInfo:
    id: str
    charge: str
    payment_intent: str | None
    amount: int
    currency: str
    reason: str
    status: str

    @classmethod
    def from_dict(cls, obj: StripeObject) -> DisputeInfo:
        dispute = read(_Dispute, obj, "dispute")
        return cls(
            id=dispute.id,
            charge=dispute.charge,
            payment_intent=dispute.payment_intent,
            amount=dispute.amount,
            currency=dispute.currency,
            reason=dispute.reason or "general",
            status=dispute.status or "needs_response",
        )
