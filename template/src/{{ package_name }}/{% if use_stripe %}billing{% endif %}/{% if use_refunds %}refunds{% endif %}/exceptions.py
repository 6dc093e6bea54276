from __future__ import annotations

from ...core.errors import ConflictError


class RefundExceedsCapturedError(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "The refund would exceed the amount captured and not yet refunded"
        )


class NotRefundableError(ConflictError):
    def __init__(self) -> None:
        super().__init__("Only succeeded card payments can be refunded")
