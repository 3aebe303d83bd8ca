"""Connected stream pairs for unit tests of the layers above net/.

Both colours run over ``socket.socketpair()``: kernel memory, no network, but real
socket semantics (EOF, half-close, TLS on top if a test wants it).
"""

from __future__ import annotations

import asyncio
import socket

from tether.net._async import AsyncSocketStream, _Protocol
from tether.net._sync import SocketStream
from tether.net._timeouts import DEFAULT_TIMEOUTS, TimeoutConfig

__all__ = ["async_memory_stream_pair", "memory_stream_pair"]


def memory_stream_pair(
    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS,
) -> tuple[SocketStream, SocketStream]:
    """Two connected blocking streams."""
    a, b = socket.socketpair()
    return SocketStream(a, timeouts), SocketStream(b, timeouts)


async def async_memory_stream_pair(
    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS,
) -> tuple[AsyncSocketStream, AsyncSocketStream]:
    """Two connected asyncio streams (on the running loop)."""
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    out = []
    for sock in (a, b):
        sock.setblocking(False)
        transport, protocol = await loop.create_connection(lambda: _Protocol(loop), sock=sock)
        out.append(AsyncSocketStream(transport, protocol, timeouts))
    return out[0], out[1]
