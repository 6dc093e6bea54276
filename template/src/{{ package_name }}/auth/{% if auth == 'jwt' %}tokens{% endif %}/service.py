"""Issuing, rotating and revoking token pairs."""

from __future__ import annotations

import secrets
from datetime import timedelta

from ...core.errors import UnauthorizedError
from ...core.ids import new_id
from ...core.time import utc_now
from ..service import hash_token
from .codec import AccessTokenCodec
from .domain import RefreshFamily, RefreshToken, RefreshTokenRepository
from .schemas import TokenPair

INVALID_REFRESH = "The refresh token is invalid, expired or revoked."


async def _issue(
    *, tokens: RefreshTokenRepository, codec: AccessTokenCodec, family: RefreshFamily
) -> TokenPair:
    now = utc_now()
    raw = secrets.token_urlsafe(48)
    await tokens.add_token(
        RefreshToken(
            token_hash=hash_token(raw),
            family_id=family.id,
            user_id=family.user_id,
            created_at=now,
            expires_at=family.expires_at,
        )
    )
    return TokenPair(
        access_token=codec.encode(user_id=family.user_id, family_id=family.id, now=now),
        expires_in=codec.ttl_s,
        refresh_token=raw,
        refresh_expires_in=max(0, int((family.expires_at - now).total_seconds())),
    )


async def start_family(
    *, tokens: RefreshTokenRepository, codec: AccessTokenCodec, user_id: str, ttl_s: int
) -> TokenPair:
    """A new login: a new family, lasting `ttl_s` however often it is refreshed."""
    now = utc_now()
    family = RefreshFamily(
        id=new_id("rtf"),
        user_id=user_id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
    )
    await tokens.add_family(family)
    return await _issue(tokens=tokens, codec=codec, family=family)


async def rotate(
    *, tokens: RefreshTokenRepository, codec: AccessTokenCodec, raw_token: str
) -> TokenPair:
    now = utc_now()
    token = await tokens.get_token(hash_token(raw_token))
    if token is None or token.expires_at <= now:
        raise UnauthorizedError(INVALID_REFRESH)
    family = await tokens.get_family(token.family_id)
    if family is None or family.revoked_at is not None or family.expires_at <= now:
        raise UnauthorizedError(INVALID_REFRESH)
    if token.used_at is not None or not await tokens.mark_used(token.token_hash, now):
        # Reuse: this token was already exchanged, so two parties hold the family.
        await tokens.revoke_family(family.id, now)
        raise UnauthorizedError(INVALID_REFRESH)
    return await _issue(tokens=tokens, codec=codec, family=family)


async def revoke(*, tokens: RefreshTokenRepository, raw_token: str) -> None:
    """Logout: revoke the family of this refresh token (unknown tokens are ignored)."""
    token = await tokens.get_token(hash_token(raw_token))
    if token is not None:
        await tokens.revoke_family(token.family_id, utc_now())


async def revoke_all(*, tokens: RefreshTokenRepository, user_id: str) -> None:
    await tokens.revoke_user_families(user_id, utc_now())
