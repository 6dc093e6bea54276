"""What every sign-in provider does, on Authlib's OAuth 2 / OpenID Connect client.

A provider turns a sign-in into two steps: `begin` makes the authorization URL (with a
fresh state, a PKCE S256 code verifier and, for OpenID Connect, a nonce), and
`finish` exchanges the code for tokens and returns the `ProviderIdentity`: a stable
subject, an email address and whether the provider has verified it. OpenID Connect
providers take the identity from the ID token, which Authlib validates against the
issuer's JWKS (signature), issuer, audience, expiry and nonce; GitHub, which is plain
OAuth 2, reads it from its API (github.py).

Authlib's Starlette client is used without its session storage: the router keeps
state, nonce and verifier in a signed cookie (state.py) and hands them back here.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx
import structlog
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from pydantic import TypeAdapter, ValidationError

from ...core.errors import AppError, BadRequestError, UnauthorizedError
from ...users.schemas import NormalizedEmail

_EMAIL = TypeAdapter(NormalizedEmail)

logger = structlog.get_logger(__name__)

# Authlib opens an HTTP client per call (discovery, token, JWKS, userinfo); sharing one
# TLS context spares each of them loading the CA bundle again (tens of milliseconds).
_TLS_CONTEXT = httpx.create_ssl_context()


def client_kwargs(
    *, scope: str, timeout_s: float, **extra: object
) -> dict[str, object]:
    """Settings of Authlib's OAuth client common to every provider: PKCE with S256."""
    return {
        "scope": scope,
        "code_challenge_method": "S256",
        "timeout": timeout_s,
        "verify": _TLS_CONTEXT,
        **extra,
    }


class ProviderUnavailableError(AppError):
    """The provider could not be reached or answered something unusable."""

    status = HTTPStatus.BAD_GATEWAY
    title = "Bad Gateway"


@dataclass(frozen=True, slots=True)
class ProviderIdentity:
    """Who the provider says signed in."""

    provider: str
    subject: str  # stable per provider: the OIDC `sub`, the GitHub user id
    email: str  # normalised like the users' emails (lower case)
    email_verified: bool
    name: str | None


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What `begin` generated and `finish` needs back, kept by the browser in the
    signed state cookie between the two."""

    provider: str
    state: str
    code_verifier: str
    nonce: str | None


@dataclass(frozen=True, slots=True)
class AuthorizationRedirect:
    url: str
    pending: PendingSignIn


class OAuthProvider(abc.ABC):
    """One configured provider: its Authlib client and how it names the user."""

    def __init__(self, *, name: str, display_name: str, client: Any) -> None:
        self.name = name
        self.display_name = display_name
        self._client = client  # an Authlib StarletteOAuth2App

    async def begin(self, redirect_uri: str) -> AuthorizationRedirect:
        try:
            created: dict[str, Any] = await self._client.create_authorization_url(
                redirect_uri
            )
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:  # discovery failed
            logger.warning(
                "oauth_discovery_failed", provider=self.name, error=repr(exc)
            )
            raise ProviderUnavailableError(
                f"{self.display_name} cannot be reached."
            ) from exc
        pending = PendingSignIn(
            provider=self.name,
            state=str(created["state"]),
            code_verifier=str(created["code_verifier"]),
            nonce=created.get("nonce"),
        )
        return AuthorizationRedirect(url=str(created["url"]), pending=pending)

    async def finish(
        self, *, code: str, redirect_uri: str, pending: PendingSignIn
    ) -> ProviderIdentity:
        """Exchange the code (with the PKCE verifier) and read the identity."""
        try:
            token: dict[str, Any] = await self._client.fetch_access_token(
                redirect_uri=redirect_uri,
                code=code,
                code_verifier=pending.code_verifier,
            )
        except OAuthError as exc:
            # invalid_grant: a used or expired code, or a verifier that does not match.
            logger.warning("oauth_code_rejected", provider=self.name, error=exc.error)
            raise BadRequestError(
                f"{self.display_name} did not accept the sign-in. Start again."
            ) from exc
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning(
                "oauth_token_request_failed", provider=self.name, error=repr(exc)
            )
            raise ProviderUnavailableError(
                f"{self.display_name} cannot be reached."
            ) from exc
        try:
            return await self.identity(token, pending)
        except (httpx.HTTPError, RuntimeError) as exc:
            logger.warning(
                "oauth_identity_request_failed", provider=self.name, error=repr(exc)
            )
            raise ProviderUnavailableError(
                f"{self.display_name} cannot be reached."
            ) from exc

    @abc.abstractmethod
    async def identity(
        self, token: dict[str, Any], pending: PendingSignIn
    ) -> ProviderIdentity:
        """The signed-in user, from the token response."""

    def make_identity(
        self, *, subject: object, email: object, email_verified: object, name: object
    ) -> ProviderIdentity:
        """A `ProviderIdentity` from untrusted claim values, or 502 when they are
        unusable. `email_verified` counts only when it is really true."""
        if (
            not isinstance(subject, str | int)
            or isinstance(subject, bool)
            or subject == ""
        ):
            raise ProviderUnavailableError(f"{self.display_name} sent no user id.")
        try:
            address = _EMAIL.validate_python(email)
        except ValidationError:
            raise ProviderUnavailableError(
                f"{self.display_name} sent no usable email address."
            ) from None
        verified = email_verified is True or email_verified == "true"
        display = name.strip()[:100] if isinstance(name, str) and name.strip() else None
        return ProviderIdentity(
            provider=self.name,
            subject=str(subject),
            email=address,
            email_verified=verified,
            name=display,
        )


class OpenIDProvider(OAuthProvider):
    """An OpenID Connect provider found by discovery at
    `<issuer>/.well-known/openid-configuration`."""

    def __init__(
        self,
        *,
        name: str,
        display_name: str,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        scope: str,
        timeout_s: float,
        accepted_issuers: tuple[str, ...] = (),
    ) -> None:
        issuer = issuer.rstrip("/")
        client = OAuth().register(
            name=name,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{issuer}/.well-known/openid-configuration",
            client_kwargs=client_kwargs(scope=scope, timeout_s=timeout_s),
        )
        super().__init__(name=name, display_name=display_name, client=client)
        self._client_id = client_id
        self._issuers = [issuer, *accepted_issuers]

    async def identity(
        self, token: dict[str, Any], pending: PendingSignIn
    ) -> ProviderIdentity:
        if "id_token" not in token or not pending.nonce:
            raise ProviderUnavailableError(f"{self.display_name} sent no ID token.")
        try:
            claims: dict[str, Any] = await self._client.parse_id_token(
                token,
                nonce=pending.nonce,
                claims_options={
                    "iss": {"essential": True, "values": self._issuers},
                    "aud": {"essential": True, "values": [self._client_id]},
                    "sub": {"essential": True},
                },
            )
        except (JoseError, ValueError) as exc:
            logger.warning(
                "oauth_id_token_rejected", provider=self.name, error=repr(exc)
            )
            raise UnauthorizedError(
                f"The ID token from {self.display_name} is not valid."
            ) from exc
        if "email" not in claims:
            # Some providers put the email only into the UserInfo response.
            info: dict[str, Any] = await self._client.userinfo(token=token)
            if info.get("sub") != claims["sub"]:
                raise UnauthorizedError(
                    f"{self.display_name} answered for another user."
                )
            claims = {**info, **claims}
        return self.make_identity(
            subject=claims["sub"],
            email=claims.get("email"),
            email_verified=claims.get("email_verified"),
            name=claims.get("name"),
        )
