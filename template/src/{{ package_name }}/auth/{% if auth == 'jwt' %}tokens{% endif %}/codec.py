"""Access tokens: short-lived JWTs (PyJWT).

The algorithm is fixed by settings and is the only one accepted, so `alg: none` and
algorithm confusion (an RS256 public key tried as an HS256 secret) are refused. The
`kid` header selects the verification key: several keys can be valid at once, which
is how signing keys rotate. Issuer, audience, expiry and the presence of the
standard claims are checked on every decode.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from ...core.config import Settings
from ...core.ids import new_id

LEEWAY_S = 10  # clock skew tolerated between instances


class InvalidTokenError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    family_id: str
    token_id: str


def _hmac_key_from_secret(settings: Settings) -> str:
    # A key of its own for tokens, derived from SECRET_KEY, so that SECRET_KEY is
    # never used directly as a signing key.
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, b"jwt-access-token-signing", hashlib.sha256).hexdigest()


class AccessTokenCodec:
    def __init__(self, settings: Settings) -> None:
        self._algorithm = settings.jwt_algorithm
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._ttl = timedelta(seconds=settings.access_token_ttl_s)
        self._kid = settings.jwt_signing_kid
        symmetric = self._algorithm.startswith("HS")
        if settings.jwt_signing_key is not None:
            self._signing_key = settings.jwt_signing_key.get_secret_value()
        elif symmetric:
            self._signing_key = _hmac_key_from_secret(settings)
        else:
            raise ValueError(
                f"JWT_SIGNING_KEY (a PEM private key) is required for {self._algorithm}"
            )
        self._verification_keys = {
            kid: key.get_secret_value()
            for kid, key in settings.jwt_verification_keys.items()
        }
        if symmetric:
            self._verification_keys.setdefault(self._kid, self._signing_key)
        elif self._kid not in self._verification_keys:
            raise ValueError(
                f"JWT_VERIFICATION_KEYS must hold the public key of the signing kid {self._kid!r}"
            )

    @property
    def ttl_s(self) -> int:
        return int(self._ttl.total_seconds())

    def encode(self, *, user_id: str, family_id: str, now: datetime) -> str:
        claims = {
            "sub": user_id,
            "fam": family_id,
            "jti": new_id("jti"),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + self._ttl,
        }
        return jwt.encode(
            claims,
            self._signing_key,
            algorithm=self._algorithm,
            headers={"kid": self._kid},
        )

    def decode(self, token: str) -> AccessClaims:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._verification_keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise InvalidTokenError("unknown key id")
            claims = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "sub", "jti", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(str(exc)) from exc
        subject, family = claims.get("sub"), claims.get("fam")
        if not isinstance(subject, str) or not isinstance(family, str):
            raise InvalidTokenError("malformed claims")
        return AccessClaims(
            user_id=subject, family_id=family, token_id=str(claims["jti"])
        )
