"""Write an exchange once, run it blocking or under asyncio.

Theory of operation
-------------------
An *exchange* is the logic of a dialogue (the order of commands, what a reply means,
when to retry) written as a generator. It never touches a socket: it *yields* an I/O
request (an :class:`Op`) and receives its result back from the driver::

    def echo(line: bytes) -> Exchange[bytes]:
        yield Send(line + b"\\n")
        reply = yield Receive(1024)
        return reply

    run_sync(echo(b"hi"), transport)          # blocking
    await run_async(echo(b"hi"), transport)   # asyncio

If an operation raises, the driver throws the exception into the generator at the
``yield``, so the exchange can translate it (``ConnectionClosed`` →
``SMTPServerDisconnected``) or clean up with ``try/finally``.

Each :class:`Op` knows how to run itself in both colours against a *transport*: any
object with a ``stream`` attribute holding a :class:`tether.net.SyncStream` (or
:class:`tether.net.AsyncStream`). ``StartTLS`` replaces that stream. Client modules may
define their own ops (e.g. "take a pooled connection") by subclassing :class:`Op`.

A ``deadline`` passed to a driver is installed on the stream for the exchange's duration
(and on the stream that replaces it after STARTTLS), so every wait honours it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ssl
import time
from collections.abc import Generator
from typing import Any, Protocol, TypeVar

from tether.net import AsyncStream, Deadline, SyncStream

__all__ = [
    "AsyncTransport",
    "Close",
    "Exchange",
    "Op",
    "Receive",
    "Send",
    "Sleep",
    "StartTLS",
    "SyncTransport",
    "run_async",
    "run_sync",
]

R = TypeVar("R")

#: The type of an exchange generator returning ``R``.
Exchange = Generator["Op", Any, R]


class SyncTransport:
    """Holds the current blocking stream of a connection (replaced by STARTTLS)."""

    __slots__ = ("stream",)

    def __init__(self, stream: SyncStream) -> None:
        self.stream = stream


class AsyncTransport:
    """Holds the current asyncio stream of a connection (replaced by STARTTLS)."""

    __slots__ = ("stream",)

    def __init__(self, stream: AsyncStream) -> None:
        self.stream = stream


class _HasSyncStream(Protocol):
    stream: SyncStream


class _HasAsyncStream(Protocol):
    stream: AsyncStream


class Op:
    """An I/O request yielded by an exchange. Subclasses implement both colours."""

    __slots__ = ()

    def run_sync(self, transport: Any) -> Any:
        raise NotImplementedError

    async def run_async(self, transport: Any) -> Any:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True, slots=True)
class Send(Op):
    """Send all of ``data``. Result: ``None``."""

    data: bytes

    def run_sync(self, transport: _HasSyncStream) -> None:
        transport.stream.write(self.data)

    async def run_async(self, transport: _HasAsyncStream) -> None:
        await transport.stream.write(self.data)


@dataclasses.dataclass(frozen=True, slots=True)
class Receive(Op):
    """Receive at most ``max_bytes``. Result: ``bytes``, ``b""`` only at EOF."""

    max_bytes: int = 65536

    def run_sync(self, transport: _HasSyncStream) -> bytes:
        return transport.stream.read(self.max_bytes)

    async def run_async(self, transport: _HasAsyncStream) -> bytes:
        return await transport.stream.read(self.max_bytes)


@dataclasses.dataclass(frozen=True, slots=True)
class StartTLS(Op):
    """Upgrade the connection to TLS; the transport's stream is replaced. Result: None.

    The net layer discards any plaintext received before the handshake; the exchange
    must discard its own buffered plaintext too (STARTTLS injection).
    """

    context: ssl.SSLContext
    server_hostname: str | None

    def run_sync(self, transport: _HasSyncStream) -> None:
        transport.stream = transport.stream.start_tls(self.context, self.server_hostname)

    async def run_async(self, transport: _HasAsyncStream) -> None:
        transport.stream = await transport.stream.start_tls(self.context, self.server_hostname)


@dataclasses.dataclass(frozen=True, slots=True)
class Sleep(Op):
    """Wait ``seconds``. Result: ``None``."""

    seconds: float

    def run_sync(self, transport: object) -> None:
        time.sleep(self.seconds)

    async def run_async(self, transport: object) -> None:
        await asyncio.sleep(self.seconds)


@dataclasses.dataclass(frozen=True, slots=True)
class Close(Op):
    """Close the connection. Result: ``None``."""

    def run_sync(self, transport: _HasSyncStream) -> None:
        transport.stream.close()

    async def run_async(self, transport: _HasAsyncStream) -> None:
        await transport.stream.aclose()


def _set_deadline(transport: Any, deadline: Deadline | None) -> Deadline | None:
    stream = getattr(transport, "stream", None)
    if stream is None:
        return None
    previous: Deadline | None = stream.deadline
    stream.deadline = deadline
    return previous


def run_sync(exchange: Exchange[R], transport: Any, deadline: Deadline | None = None) -> R:
    """Run ``exchange`` to completion with blocking I/O on ``transport``."""
    previous = _set_deadline(transport, deadline) if deadline is not None else None
    send_value: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                op = exchange.send(send_value) if error is None else exchange.throw(error)
            except StopIteration as stop:
                result: R = stop.value
                return result
            error = None
            try:
                send_value = op.run_sync(transport)
                if deadline is not None and isinstance(op, StartTLS):
                    transport.stream.deadline = deadline
            except Exception as exc:
                send_value = None
                error = exc
            except BaseException:
                exchange.close()
                raise
    finally:
        error = None
        if deadline is not None:
            _set_deadline(transport, previous)


async def run_async(exchange: Exchange[R], transport: Any, deadline: Deadline | None = None) -> R:
    """Run ``exchange`` to completion with asyncio I/O on ``transport``."""
    previous = _set_deadline(transport, deadline) if deadline is not None else None
    send_value: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                op = exchange.send(send_value) if error is None else exchange.throw(error)
            except StopIteration as stop:
                result: R = stop.value
                return result
            error = None
            try:
                send_value = await op.run_async(transport)
                if deadline is not None and isinstance(op, StartTLS):
                    transport.stream.deadline = deadline
            except Exception as exc:
                send_value = None
                error = exc
            except BaseException:
                # Cancellation: let the exchange's finally blocks run, then propagate.
                exchange.close()
                raise
    finally:
        error = None
        if deadline is not None:
            _set_deadline(transport, previous)
