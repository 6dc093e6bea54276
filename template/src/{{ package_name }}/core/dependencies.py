from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .client_ip import resolve_client_ip
from .config import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def client_ip(request: Request, settings: SettingsDep) -> str:
    """The client's address: the peer, or behind `TRUSTED_PROXIES` the right-most
    untrusted `X-Forwarded-For` entry (the rule the rate limiter uses too)."""
    return resolve_client_ip(request.scope, settings.trusted_proxies)


ClientIp = Annotated[str, Depends(client_ip)]
