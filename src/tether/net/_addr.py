"""Address helpers: loopback checks and Happy Eyeballs ordering (RFC 8305)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

from tether import errors

__all__ = [
    "interleave_families",
    "is_ip_address",
    "is_loopback",
    "peer_is_loopback",
    "resolve",
    "resolve_async",
]

AddrInfo = tuple[Any, Any, int, str, Any]


def is_ip_address(host: str) -> bool:
    """True if ``host`` is an IPv4 or IPv6 address literal (no brackets), not a name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def is_loopback(host: str | tuple[Any, ...] | None) -> bool:
    """True if ``host`` (an IP address string, or a socket address tuple) is loopback.

    127.0.0.0/8, ``::1`` and IPv4-mapped loopback (``::ffff:127.0.0.1``). Host *names*
    are not resolved: "localhost" counts only once connected, through the peer address.
    """
    if host is None:
        return False
    if isinstance(host, tuple):
        host = str(host[0])
    host = host.strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def peer_is_loopback(stream: Any) -> bool:
    """True if the connected peer of ``stream`` has a loopback address."""
    peer = stream.get_extra_info("peername")
    return is_loopback(peer)


def interleave_families(infos: list[AddrInfo]) -> list[AddrInfo]:
    """Order addresses for Happy Eyeballs: alternate families, first family first.

    RFC 8305 §4: after the first address, take one of the other family, and so on.
    Duplicate addresses are dropped.
    """
    seen: set[tuple[int, Any]] = set()
    unique: list[AddrInfo] = []
    for info in infos:
        key = (info[0], info[4])
        if key not in seen:
            seen.add(key)
            unique.append(info)
    if not unique:
        return unique
    first_family = unique[0][0]
    primary = [i for i in unique if i[0] == first_family]
    secondary = [i for i in unique if i[0] != first_family]
    out: list[AddrInfo] = []
    while primary or secondary:
        if primary:
            out.append(primary.pop(0))
        if secondary:
            out.append(secondary.pop(0))
    return out


def resolve(host: str, port: int) -> list[AddrInfo]:
    """``getaddrinfo`` for TCP, in Happy Eyeballs order (blocking).

    Raises :class:`~tether.errors.ConnectError` naming the host if it does not resolve.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise errors.ConnectError(f"could not resolve host {host!r}: {exc.strerror}") from exc
    except OSError as exc:
        raise errors.ConnectError(f"could not resolve host {host!r}: {exc}") from exc
    return interleave_families(infos)


async def resolve_async(host: str, port: int) -> list[AddrInfo]:
    """asyncio twin of :func:`resolve` (the loop's resolver, off the event loop thread)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise errors.ConnectError(f"could not resolve host {host!r}: {exc.strerror}") from exc
    except OSError as exc:
        raise errors.ConnectError(f"could not resolve host {host!r}: {exc}") from exc
    return interleave_families(infos)
