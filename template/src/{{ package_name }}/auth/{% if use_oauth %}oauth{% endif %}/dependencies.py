"""Dependencies of the OAuth sign-in: the enabled providers, the one named in the
path, the state cookie and the link repository."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Path, Request

from ...core.config import Settings
from ...core.dependencies import SettingsDep
from ...core.errors import NotFoundError
from ...db.dependencies import DatabaseDep
from .base import OAuthProvider
from .domain import OAuthAccountRepository
from .providers import OAuthProviders, create_oauth_registry
from .repository import MongoOAuthAccountRepository
from .state import StateCookie


def install(app: FastAPI, settings: Settings) -> None:
    app.state.oauth = create_oauth_registry(settings)


async def get_providers(request: Request) -> OAuthProviders:
    providers: OAuthProviders = request.app.state.oauth
    return providers


ProvidersDep = Annotated[OAuthProviders, Depends(get_providers)]


async def get_provider(
    providers: ProvidersDep, provider: Annotated[str, Path(max_length=32)]
) -> OAuthProvider:
    """The provider named in the path, if it is enabled (its client id is set)."""
    found = providers.get(provider)
    if found is None:
        raise NotFoundError("No such sign-in provider.")
    return found


async def get_state_cookie(settings: SettingsDep) -> StateCookie:
    return StateCookie(settings)


async def get_oauth_accounts(database: DatabaseDep) -> OAuthAccountRepository:
    return MongoOAuthAccountRepository(database)


ProviderDep = Annotated[OAuthProvider, Depends(get_provider)]
StateCookieDep = Annotated[StateCookie, Depends(get_state_cookie)]
OAuthAccountsDep = Annotated[OAuthAccountRepository, Depends(get_oauth_accounts)]
