"""A real SMTP server on loopback (aiosmtpd) that keeps what the app sends."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def token_for(self, address: str, path: str) -> str:
        """The token of the newest link to `path` mailed to `address`."""
        for message in reversed(self.to(address)):
            body = message.get_payload(decode=True)
            assert isinstance(body, bytes)
            found = re.search(rf"{re.escape(path)}\?token=([\w\-]+)", body.decode())
            if found:
                return found.group(1)
        raise AssertionError(f"no {path} link was mailed to {address}")


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.mailbox = Mailbox()
        self.port = port
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
