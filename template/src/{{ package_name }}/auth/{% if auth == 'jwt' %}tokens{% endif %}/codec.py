"""Access tokens: short-lived JWTs (joserfc).

The algorithm is fixed by settings and is the only one accepted, so `alg: none` and
algorithm confusion (an RS256 public key tried as an HS256 secret) are refused. The
`kid` header selects the verification key: several keys can be valid at once, which
is how signing keys rotate. Issuer, audience, expiry and the presence of the
standard claims are checked on every decode.

Keys are imported (and checked) once, when the codec is built: a request pays for one
parse of the token and one signature check, never for reading a PEM or a secret.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import GuestProtocol, Key, import_key
from joserfc.jws import JWSRegistry
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from ...core.config import Settings
from ...core.ids import new_id

LEEWAY_S = 10  # clock skew tolerated between instances
# The JWK key type each configurable algorithm signs with.
_KEY_TYPES: dict[str, Literal["oct", "RSA", "EC", "OKP"]] = {
    "HS": "oct",
    "RS": "RSA",
    "ES": "EC",
    "Ed": "OKP",
}
_REQUIRED: ClaimsOption = {"essential": True}


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
        self._ttl_s = settings.access_token_ttl_s
        self._kid = settings.jwt_signing_kid
        symmetric = self._algorithm.startswith("HS")
        if settings.jwt_signing_key is not None:
            signing_key = settings.jwt_signing_key.get_secret_value()
        elif symmetric:
            signing_key = _hmac_key_from_secret(settings)
        else:
            raise ValueError(
                f"JWT_SIGNING_KEY (a PEM private key) is required for {self._algorithm}"
            )
        verification_keys = {
            kid: key.get_secret_value()
            for kid, key in settings.jwt_verification_keys.items()
        }
        if symmetric:
            verification_keys.setdefault(self._kid, signing_key)
        elif self._kid not in verification_keys:
            raise ValueError(
                f"JWT_VERIFICATION_KEYS must hold the public key of the signing kid {self._kid!r}"
            )
        key_type = _KEY_TYPES[self._algorithm[:2]]
        self._signing_key = import_key(signing_key, key_type)
        self._verification_keys: dict[str, Key] = {
            kid: import_key(key, key_type) for kid, key in verification_keys.items()
        }
        self._registry = JWSRegistry(algorithms=[self._algorithm])
        self._claims = JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": self._issuer},
            aud={"essential": True, "value": self._audience},
            exp=_REQUIRED,
            iat=_REQUIRED,
            sub=_REQUIRED,
            jti=_REQUIRED,
        )

    @property
    def ttl_s(self) -> int:
        return self._ttl_s

    def encode(self, *, user_id: str, family_id: str, now: datetime) -> str:
        issued_at = int(now.timestamp())
        claims = {
            "sub": user_id,
            "fam": family_id,
            "jti": new_id("jti"),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": issued_at,
            "exp": issued_at + self._ttl_s,
        }
        header = {"alg": self._algorithm, "kid": self._kid, "typ": "JWT"}
        return jwt.encode(header, claims, self._signing_key, registry=self._registry)

    def _key_for(self, token: GuestProtocol) -> Key:
        """The verification key named by the token's `kid`; no kid, no key."""
        kid = token.headers().get("kid")
        key = self._verification_keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidKeyIdError("unknown key id")
        return key

    def decode(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(token, self._key_for, registry=self._registry).claims
            self._claims.validate(claims)
        except (JoseError, ValueError) as exc:
            raise InvalidTokenError(str(exc)) from exc
        subject, family = claims.get("sub"), claims.get("fam")
        if not isinstance(subject, str) or not isinstance(family, str):
            raise InvalidTokenError("malformed claims")
        return AccessClaims(
            user_id=subject, family_id=family, token_id=str(claims["jti"])
        )
