"""Password hashing with argon2id (pwdlib), off the event loop.

Hashing costs tens of milliseconds of CPU by design, so it runs in a worker thread.
`verify` also returns a new hash when the stored one was made with other
parameters, so raising the cost in settings upgrades each password at its owner's
next login. An unknown account is verified against a dummy hash so that both cases
take the same time.
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pydantic import AfterValidator, Field, StringConstraints

from ..core.config import Settings

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128  # argon2 accepts more; a cap keeps hashing cost bounded

# A short list of the most common choices; length does the rest (NIST SP 800-63B).
_COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "password1234",
        "passwordpassword",
        "qwertyuiopas",
        "iloveyou1234",
        "letmein12345",
        "administrator",
        "changeme1234",
        "welcome12345",
        "correcthorsebatterystaple",
    }
)


def _check_password(password: str) -> str:
    if password.lower() in _COMMON_PASSWORDS:
        raise ValueError("this password is too common; choose another one")
    if len(set(password)) < 4:
        raise ValueError("use at least 4 different characters")
    return password


Password = Annotated[
    str,
    StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH),
    AfterValidator(_check_password),
    # The rules a schema cannot express, for the OpenAPI document (422 otherwise).
    Field(
        description=(
            f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, at least 4 "
            "of them different; not a common password, nor the email address"
        )
    ),
]
# What a client may send as a password when logging in: never validated against the
# policy (that would tell which rule an old password breaks), only bounded.
PasswordAttempt = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)
]


class PasswordHasher:
    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.argon2_time_cost,
                    memory_cost=settings.argon2_memory_cost_kib,
                    parallelism=settings.argon2_parallelism,
                ),
            )
        )
        self._dummy_hash = self._hash.hash("dummy password for unknown accounts")

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._hash.hash, password)

    async def verify(
        self, password: str, password_hash: str | None
    ) -> tuple[bool, str | None]:
        """(matches, new hash to store or None)."""
        if password_hash is None:
            await anyio.to_thread.run_sync(
                self._hash.verify, password, self._dummy_hash
            )
            return False, None
        return await anyio.to_thread.run_sync(
            self._hash.verify_and_update, password, password_hash
        )
