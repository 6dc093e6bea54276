"""Application-generated ids: a type prefix and a ULID, like `usr_01JD8X...`.

They sort by creation time (so `_id` order is creation order and serves cursor
pagination), read well in logs and URLs, and are plain strings under every ODM.
"""

from __future__ import annotations

import re

from ulid import ULID

_ULID_PATTERN = "[0-9A-HJKMNP-TV-Z]{26}"


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


def id_pattern(prefix: str) -> str:
    return f"^{re.escape(prefix)}_{_ULID_PATTERN}$"
