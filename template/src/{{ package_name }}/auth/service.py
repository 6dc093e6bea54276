"""Account use cases shared by both auth strategies: registration, password login,
password change, email verification and password reset.

What happens to existing sessions or refresh tokens (revocation after a password
change or reset) is the strategy's business: callers pass `revoke_all`.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from urllib.parse import urlencode

from ..core.config import Settings
from ..core.errors import BadRequestError, UnauthorizedError
from ..core.time import utc_now
from ..users import service as users_service
from ..users.domain import User, UserChanges, UserRepository
from ..users.exceptions import EmailAlreadyRegisteredError
from .domain import OneTimeToken, OneTimeTokenRepository, TokenPurpose
from .emails import EmailDeliveryError, EmailMessage, EmailSender
from .passwords import PasswordHasher
from .throttling import LoginThrottle

INVALID_CREDENTIALS = "Invalid email or password."
INVALID_LINK = "This link is invalid or has expired."

RevokeAll = Callable[[str], Awaitable[None]]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


async def register(
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    tokens: OneTimeTokenRepository,
    mailer: EmailSender,
    settings: Settings,
    email: str,
    name: str,
    password: str,
) -> User | None:
    """The new account, mailed a verification link. For an address that has an
    account already: EmailAlreadyRegisteredError (409), or, with
    REGISTRATION_REVEALS_ACCOUNTS off (the default), None after mailing the owner,
    so that the answer does not tell which addresses have accounts. Both paths hash
    the password and send one message, so they also take about as long."""
    password_hash = await hasher.hash(password)
    try:
        user = await users_service.create_user(
            users=users, email=email, name=name, password_hash=password_hash
        )
    except EmailAlreadyRegisteredError:
        if settings.registration_reveals_accounts:
            raise
        existing = await users.get_by_email(email)
        if existing is not None:
            with contextlib.suppress(EmailDeliveryError):
                await mailer.send(_account_exists_message(existing, settings))
        return None
    # The account exists either way; a lost link can be sent again
    # (/auth/verify-email/resend). The sender logs the failure.
    with contextlib.suppress(EmailDeliveryError):
        await send_verification_email(
            user=user, tokens=tokens, mailer=mailer, settings=settings
        )
    return user


def _account_exists_message(user: User, settings: Settings) -> EmailMessage:
    frontend = settings.frontend_url.rstrip("/")
    body = (
        f"Hello {user.name},\n\n"
        f"someone tried to create a {settings.app_name} account with this address, "
        "which already has one.\n"
        f"If it was you, log in at {frontend}/login, or set a new password at "
        f"{frontend}/forgot-password.\n\n"
        "If it was not you, ignore this message: nothing has changed.\n"
    )
    return EmailMessage(
        to=user.email, subject=f"Your {settings.app_name} account", body=body
    )


async def authenticate(
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    email: str,
    password: str,
    client_ip: str,
) -> User:
    """The user with these credentials; the same 401 for a wrong password and an
    unknown email, 429 once the account or the client IP is throttled."""
    await throttle.check(email=email, client_ip=client_ip)
    user = await users.get_by_email(email)
    matches, new_hash = await hasher.verify(
        password, user.password_hash if user else None
    )
    if user is None or not matches:
        await throttle.record_failure(email=email)
        raise UnauthorizedError(INVALID_CREDENTIALS)
    await throttle.reset(email=email)
    if new_hash is not None:
        await users.update(
            user.id, UserChanges(password_hash=new_hash, updated_at=utc_now())
        )
    return user


async def change_password(
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    user: User,
    current_password: str,
    new_password: str,
    revoke_all: RevokeAll,
) -> None:
    # Read the stored hash afresh: the current user may come from a cache that
    # never holds password hashes.
    stored = await users.get_by_email(user.email)
    matches, _ = await hasher.verify(
        current_password, stored.password_hash if stored else None
    )
    if not matches:
        raise BadRequestError("The current password is not correct.")
    new_hash = await hasher.hash(new_password)
    await users.update(
        user.id, UserChanges(password_hash=new_hash, updated_at=utc_now())
    )
    await revoke_all(user.id)


async def _mail_link(
    *,
    user: User,
    tokens: OneTimeTokenRepository,
    mailer: EmailSender,
    settings: Settings,
    purpose: TokenPurpose,
    ttl_s: int,
    path: str,
    subject: str,
    action: str,
    closing: str,
) -> None:
    """Mail `user` a link to `path` with a new single-use token, voiding earlier ones."""
    await tokens.delete_for_user(user.id, purpose)
    raw = secrets.token_urlsafe(32)
    now = utc_now()
    await tokens.add(
        OneTimeToken(
            token_hash=hash_token(raw),
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    link = f"{settings.frontend_url.rstrip('/')}{path}?{urlencode({'token': raw})}"
    body = f"Hello {user.name},\n\n{action}\n{link}\n\n{closing}\n"
    await mailer.send(EmailMessage(to=user.email, subject=subject, body=body))


async def send_verification_email(
    *,
    user: User,
    tokens: OneTimeTokenRepository,
    mailer: EmailSender,
    settings: Settings,
) -> None:
    await _mail_link(
        user=user,
        tokens=tokens,
        mailer=mailer,
        settings=settings,
        purpose=TokenPurpose.VERIFY_EMAIL,
        ttl_s=settings.email_verification_ttl_s,
        path="/verify-email",
        subject=f"Confirm your email for {settings.app_name}",
        action="confirm your email address by opening this link:",
        closing="If you did not create an account, ignore this message.",
    )


async def resend_verification_email(
    *,
    user: User,
    tokens: OneTimeTokenRepository,
    mailer: EmailSender,
    settings: Settings,
) -> None:
    """Mail a new verification link, unless the address is verified already (the
    caller answers the same either way)."""
    if not user.email_verified:
        await send_verification_email(
            user=user, tokens=tokens, mailer=mailer, settings=settings
        )


async def confirm_email(
    *, users: UserRepository, tokens: OneTimeTokenRepository, raw_token: str
) -> None:
    user_id = await tokens.consume(
        hash_token(raw_token), TokenPurpose.VERIFY_EMAIL, utc_now()
    )
    if user_id is None:
        raise BadRequestError(INVALID_LINK)
    await users.update(user_id, UserChanges(email_verified=True, updated_at=utc_now()))


async def request_password_reset(
    *,
    users: UserRepository,
    tokens: OneTimeTokenRepository,
    mailer: EmailSender,
    settings: Settings,
    email: str,
) -> None:
    """Mail a reset link when the account exists. The caller answers the same either
    way, so the endpoint does not tell which addresses have accounts."""
    user = await users.get_by_email(email)
    if user is None:
        return
    # A delivery failure is logged by the sender and not shown: the answer must not
    # differ from the one for an unknown address.
    with contextlib.suppress(EmailDeliveryError):
        await _mail_link(
            user=user,
            tokens=tokens,
            mailer=mailer,
            settings=settings,
            purpose=TokenPurpose.RESET_PASSWORD,
            ttl_s=settings.password_reset_ttl_s,
            path="/reset-password",
            subject=f"Reset your {settings.app_name} password",
            action=(
                "set a new password by opening this link within "
                f"{settings.password_reset_ttl_s // 60} minutes:"
            ),
            closing="If you did not ask for this, ignore this message: your password is unchanged.",
        )


async def reset_password(
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    tokens: OneTimeTokenRepository,
    raw_token: str,
    new_password: str,
    revoke_all: RevokeAll,
) -> None:
    user_id = await tokens.consume(
        hash_token(raw_token), TokenPurpose.RESET_PASSWORD, utc_now()
    )
    if user_id is None:
        raise BadRequestError(INVALID_LINK)
    new_hash = await hasher.hash(new_password)
    # The link reached the mailbox, so the address is proven too.
    changes = UserChanges(
        password_hash=new_hash, email_verified=True, updated_at=utc_now()
    )
    if await users.update(user_id, changes) is None:
        raise BadRequestError(INVALID_LINK)
    await revoke_all(user_id)
