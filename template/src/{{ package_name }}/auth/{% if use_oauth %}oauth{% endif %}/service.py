"""Which user a provider identity signs in as.

1. A provider subject linked before signs in as its user, whatever the email now is.
   A link whose user was deleted is removed, and the sign-in goes on as a first one.
2. Otherwise the provider must have verified the email address: an unverified one
   never links to an account and never creates one (anybody can type any address
   into some provider), and nothing is stored.
3. A verified address that belongs to an account links the subject to it, provided
   that account has verified the address too. An unverified local account may have
   been registered by someone else in the owner's name, waiting for the owner to sign
   in with a provider (pre-account takeover): it is refused; its owner proves the
   address through a password reset first, then signs in with the provider.
4. Otherwise a new account is made: no password, email verified.
"""

from __future__ import annotations

from ...core.errors import ConflictError, ForbiddenError
from ...core.ids import new_id
from ...core.time import utc_now
from ...users import service as users_service
from ...users.domain import User, UserRepository
from .base import ProviderIdentity
from .domain import OAuthAccount, OAuthAccountRepository

UNVERIFIED_EMAIL = (
    "{provider} has not verified the email address of this account, so it cannot sign "
    "in here. Verify the address with {provider} and try again."
)
UNVERIFIED_ACCOUNT = (
    "An account with this email address exists but has not verified it. Verify the "
    "address (or reset the password) first, then sign in with {provider}."
)


async def sign_in(
    *,
    users: UserRepository,
    accounts: OAuthAccountRepository,
    identity: ProviderIdentity,
    provider_name: str,
) -> User:
    link = await accounts.get(identity.provider, identity.subject)
    if link is not None:
        user = await users.get(link.user_id)
        if user is not None:
            return user
        # Its account was deleted: the identity is free again, and this sign-in is
        # handled like a first one (below).
        await accounts.remove(link)

    if not identity.email_verified:
        raise ForbiddenError(UNVERIFIED_EMAIL.format(provider=provider_name))

    user = await users.get_by_email(identity.email)
    if user is None:
        user = await users_service.create_user(
            users=users,
            email=identity.email,
            name=identity.name or identity.email.split("@")[0],
            password_hash=None,
            email_verified=True,
        )
    elif not user.email_verified:
        raise ConflictError(UNVERIFIED_ACCOUNT.format(provider=provider_name))

    account = OAuthAccount(
        id=new_id("oac"),
        provider=identity.provider,
        subject=identity.subject,
        user_id=user.id,
        email=identity.email,
        created_at=utc_now(),
    )
    if not await accounts.add(account):
        # A concurrent callback for the same subject linked it first.
        existing = await accounts.get(identity.provider, identity.subject)
        if existing is None or existing.user_id != user.id:
            raise ConflictError("This sign-in is being linked already. Try again.")
    return user
