"""Who the client is, for rate limiting and login throttling.

The peer address of the connection, unless that peer is one of our reverse proxies
(`TRUSTED_PROXIES`, CIDRs). Then each proxy has appended the address it received the
request from to `X-Forwarded-For`, so the header is read from the right: the first
entry that is not a trusted proxy is the client. Entries further left were written by
the client itself and are never believed. Without trusted proxies the header is
ignored, so nobody can pick their own rate-limit bucket by sending it.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.types import Scope

Network = IPv4Network | IPv6Network
UNKNOWN = "unknown"
_FORWARDED_FOR = b"x-forwarded-for"


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(
    address: IPv4Address | IPv6Address | None, proxies: Sequence[Network]
) -> bool:
    return address is not None and any(address in network for network in proxies)


def resolve_client_ip(scope: Scope, trusted_proxies: Sequence[Network]) -> str:
    """The client address of an HTTP request (see the module docstring)."""
    client = scope.get("client")
    if not client:
        return UNKNOWN
    peer: str = client[0]
    if not trusted_proxies or not _is_trusted(_parse(peer), trusted_proxies):
        return peer
    forwarded = b",".join(
        value for name, value in scope["headers"] if name == _FORWARDED_FOR
    )
    client_ip = peer
    for entry in reversed(forwarded.decode("latin-1").split(",")):
        address = _parse(entry)
        if address is None:
            # Not an address a proxy would write: stop at the last hop we trust.
            return client_ip
        client_ip = str(address)
        if not _is_trusted(address, trusted_proxies):
            return client_ip
    # Every hop is a trusted proxy (or there is no header): the left-most one.
    return client_ip
