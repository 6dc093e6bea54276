"""Test data builders."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

_counter = itertools.count(1)


def user_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    payload: dict[str, Any] = {
        "email": f"user{n}-{uuid.uuid4().hex[:8]}@example.com",
        "name": f"User {n}",
    }
    payload.update(overrides)
    return payload
