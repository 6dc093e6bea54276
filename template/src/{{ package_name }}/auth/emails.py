"""Outgoing email behind one small interface.

`console` logs each message (development and test); `smtp` sends it through the
configured server (STARTTLS and login when set). Settings refuse the console backend
in staging and production, where a lost reset email would go unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from typing import Protocol

import aiosmtplib
import structlog

from ..core.config import Settings
from ..core.errors import ServiceUnavailableError

logger = structlog.get_logger(__name__)


class EmailDeliveryError(ServiceUnavailableError):
    """The mail server could not take the message (answered as 503)."""

    def __init__(self) -> None:
        super().__init__("The email could not be sent. Try again later.")


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    body: str


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class ConsoleEmailSender:
    async def send(self, message: EmailMessage) -> None:
        logger.info("email", to=message.to, subject=message.subject, body=message.body)


class SmtpEmailSender:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, message: EmailMessage) -> None:
        settings = self._settings
        mime = MimeMessage()
        mime["From"] = settings.email_from
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime.set_content(message.body)
        try:
            await aiosmtplib.send(
                mime,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=(
                    settings.smtp_password.get_secret_value()
                    if settings.smtp_password
                    else None
                ),
                start_tls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            logger.error(
                "email_delivery_failed",
                error=type(exc).__name__,
                subject=message.subject,
            )
            raise EmailDeliveryError from exc


def create_email_sender(settings: Settings) -> EmailSender:
    if settings.email_backend == "smtp":
        return SmtpEmailSender(settings)
    return ConsoleEmailSender()
