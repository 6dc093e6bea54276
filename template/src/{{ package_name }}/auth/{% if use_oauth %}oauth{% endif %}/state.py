"""The state cookie: state, nonce and PKCE verifier of a sign-in in progress, kept by
the browser between the redirect to the provider and the callback.

The cookie is a JWT signed (HS256) with a key derived from SECRET_KEY, expiring after
OAUTH_STATE_TTL_S; HttpOnly, SameSite=Lax (the provider's redirect back is a top-level
GET, which Lax lets through) and scoped to the provider's callback path, so sign-ins
with two providers do not overwrite each other. Nothing is stored server-side, so
every instance can finish a sign-in that another one started. The callback accepts
the `state` it receives only when it equals the one in this cookie: a callback URL
made for another browser (login CSRF) or forged fails.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Response
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jws import JWSRegistry
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from ...core.config import Settings
from ...core.errors import BadRequestError
from ...core.time import utc_now
from .base import PendingSignIn

COOKIE_NAME = "oauth_state"
_AUDIENCE = "oauth-state"
_ALGORITHM = "HS256"
_REGISTRY = JWSRegistry(algorithms=[_ALGORITHM])
_REQUIRED: ClaimsOption = {"essential": True}
_CLAIMS = JWTClaimsRegistry(
    aud={"essential": True, "value": _AUDIENCE},
    exp=_REQUIRED,
    prv=_REQUIRED,
    st=_REQUIRED,
    cv=_REQUIRED,
)

INVALID_STATE = (
    "The sign-in request is invalid or has expired. Start the sign-in again."
)


class StateCookie:
    def __init__(self, settings: Settings) -> None:
        secret = settings.secret_key.get_secret_value().encode()
        # A key of its own, derived from SECRET_KEY, never SECRET_KEY itself.
        self._key = OctKey.import_key(
            hmac.new(secret, b"oauth-state-cookie", hashlib.sha256).hexdigest()
        )
        self._ttl_s = settings.oauth_state_ttl_s
        self._secure = settings.oauth_cookie_secure

    def encode(self, pending: PendingSignIn) -> str:
        now = int(utc_now().timestamp())
        claims = {
            "aud": _AUDIENCE,
            "iat": now,
            "exp": now + self._ttl_s,
            "prv": pending.provider,
            "st": pending.state,
            "cv": pending.code_verifier,
            "nv": pending.nonce,
        }
        header = {"alg": _ALGORITHM}
        return jwt.encode(header, claims, self._key, registry=_REGISTRY)

    def decode(
        self, value: str | None, *, provider: str, state: str | None
    ) -> PendingSignIn:
        """The pending sign-in, if the cookie is genuine, unexpired, made for this
        provider and holds this `state`; else 400."""
        if not value or not state:
            raise BadRequestError(INVALID_STATE)
        try:
            claims = jwt.decode(value, self._key, registry=_REGISTRY).claims
            _CLAIMS.validate(claims)
        except (JoseError, ValueError):
            raise BadRequestError(INVALID_STATE) from None
        stored_state, verifier, nonce = claims["st"], claims["cv"], claims.get("nv")
        if (
            claims["prv"] != provider
            or not isinstance(stored_state, str)
            or not isinstance(verifier, str)
            or not (nonce is None or isinstance(nonce, str))
            or not hmac.compare_digest(stored_state.encode(), state.encode())
        ):
            raise BadRequestError(INVALID_STATE)
        return PendingSignIn(
            provider=provider, state=stored_state, code_verifier=verifier, nonce=nonce
        )

    def set(self, response: Response, value: str, *, path: str) -> None:
        response.set_cookie(
            COOKIE_NAME,
            value,
            max_age=self._ttl_s,
            path=path,
            httponly=True,
            secure=self._secure,
            samesite="lax",
        )

    def clear(self, response: Response, *, path: str) -> None:
        response.delete_cookie(
            COOKIE_NAME, path=path, httponly=True, secure=self._secure, samesite="lax"
        )
