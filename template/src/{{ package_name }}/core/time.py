"""One clock for the application: timezone-aware UTC, at MongoDB's precision."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now in UTC, truncated to milliseconds (what a BSON date can hold).

    Truncating on our side makes the value we return from a write equal to the value
    a later read returns.
    """
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
