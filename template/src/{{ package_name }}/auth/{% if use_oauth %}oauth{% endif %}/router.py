"""Sign-in through OAuth 2 / OpenID Connect providers (authorization code flow with
PKCE). Both routes are public and meant for the browser: `authorize` redirects it to
the provider, which sends it back to `callback`. The callback ends like password
login (see login.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from ...core.dependencies import SettingsDep
from ...core.errors import BadRequestError, problem_responses
from ...users.dependencies import UserRepositoryDep
from . import service
from .base import OAuthProvider
from .dependencies import OAuthAccountsDep, ProviderDep, ProvidersDep, StateCookieDep
from .login import LoginResult, StartLoginDep
from .schemas import ProviderPublic
from .state import COOKIE_NAME

public_router = APIRouter(prefix="/auth/oauth", tags=["auth"])


def _callback_path(request: Request, provider: OAuthProvider) -> str:
    return str(request.app.url_path_for("oauth_callback", provider=provider.name))


def _redirect_uri(request: Request, provider: OAuthProvider, base_url: str) -> str:
    """The callback URL registered with the provider; the same in both steps."""
    return base_url.rstrip("/") + _callback_path(request, provider)


@public_router.get("/providers")
async def list_providers(
    providers: ProvidersDep, request: Request
) -> list[ProviderPublic]:
    """The providers enabled on this deployment, for the sign-in page's buttons."""
    return [
        ProviderPublic(
            name=provider.name,
            display_name=provider.display_name,
            authorize_url=str(
                request.app.url_path_for("oauth_authorize", provider=provider.name)
            ),
        )
        for provider in providers
    ]


@public_router.get(
    "/{provider}/authorize",
    name="oauth_authorize",
    status_code=status.HTTP_302_FOUND,
    response_class=RedirectResponse,
    responses=problem_responses(404, 502),
)
async def authorize(
    provider: ProviderDep,
    state_cookie: StateCookieDep,
    settings: SettingsDep,
    request: Request,
) -> RedirectResponse:
    """Redirect the browser to the provider, with a new state, nonce and PKCE
    challenge; their secrets go into a short-lived signed HttpOnly cookie."""
    redirect = await provider.begin(
        _redirect_uri(request, provider, settings.oauth_redirect_base_url)
    )
    response = RedirectResponse(redirect.url, status_code=status.HTTP_302_FOUND)
    response.headers["Cache-Control"] = "no-store"
    state_cookie.set(
        response,
        state_cookie.encode(redirect.pending),
        path=_callback_path(request, provider),
    )
    return response


@public_router.get(
    "/{provider}/callback",
    name="oauth_callback",
    responses=problem_responses(400, 401, 403, 404, 409, 502),
)
async def callback(
    provider: ProviderDep,
    state_cookie: StateCookieDep,
    settings: SettingsDep,
    users: UserRepositoryDep,
    accounts: OAuthAccountsDep,
    start_login: StartLoginDep,
    request: Request,
    response: Response,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> LoginResult:
    """Where the provider sends the browser back. Checks the state against the cookie
    (400 on mismatch, before anything else), exchanges the code with the PKCE
    verifier, validates the ID token, then signs in the linked account, links the
    account with the provider's verified email, or creates one. An email the provider
    has not verified is refused with 403 and nothing is stored."""
    pending = state_cookie.decode(
        request.cookies.get(COOKIE_NAME), provider=provider.name, state=state
    )
    if error is not None:
        raise BadRequestError(f"{provider.display_name} did not complete the sign-in.")
    if not code:
        raise BadRequestError("The callback carries no authorization code.")
    identity = await provider.finish(
        code=code,
        redirect_uri=_redirect_uri(request, provider, settings.oauth_redirect_base_url),
        pending=pending,
    )
    user = await service.sign_in(
        users=users,
        accounts=accounts,
        identity=identity,
        provider_name=provider.display_name,
    )
    state_cookie.clear(response, path=_callback_path(request, provider))
    response.headers["Cache-Control"] = "no-store"  # the answer holds credentials
    return await start_login(user)
