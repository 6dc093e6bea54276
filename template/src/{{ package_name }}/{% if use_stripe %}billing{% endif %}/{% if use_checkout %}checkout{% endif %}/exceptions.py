from __future__ import annotations

from ...core.errors import NotFoundError


class UnknownPriceError(NotFoundError):
    def __init__(self, name: str) -> None:
        super().__init__(f"No price or plan named {name!r}")
