"""_drive: one exchange generator, run blocking and under asyncio on real sockets."""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any

import pytest

from servers._peers import tcp_peer, tls_server_context
from tether import errors
from tether._drive import (
    AsyncTransport,
    Exchange,
    Receive,
    Send,
    Sleep,
    StartTLS,
    SyncTransport,
    run_async,
    run_sync,
)
from tether.net import Deadline, connect_tcp, connect_tcp_async, create_ssl_context
from tether.protocols._buffer import ReceiveBuffer


def read_line(buf: ReceiveBuffer) -> Exchange[bytes]:
    while (line := buf.take_line(1000)) is None:
        data = yield Receive(4096)
        if not data:
            raise errors.ConnectionClosed("peer closed before a whole line")
        buf.feed(data)
    return line


def echo_dialogue(words: list[bytes], ctx: ssl.SSLContext | None) -> Exchange[list[bytes]]:
    """Upper-casing echo protocol; optional STARTTLS after the first word."""
    buf = ReceiveBuffer()
    replies = []
    for i, word in enumerate(words):
        yield Send(word + b"\n")
        replies.append((yield from read_line(buf)))
        if i == 0 and ctx is not None:
            yield Send(b"STARTTLS\n")
            assert (yield from read_line(buf)) == b"GO"
            buf.clear()  # STARTTLS injection: no plaintext survives the upgrade
            yield StartTLS(ctx, "localhost")
    return replies


def _echo_server(tls: Any | None) -> Any:
    ctx = tls_server_context(tls.cert_pem, tls.key_pem) if tls else None

    def handler(conn: socket.socket) -> None:
        f: Any = conn
        data = b""
        while True:
            chunk = f.recv(4096)
            if not chunk:
                return
            data += chunk
            while b"\n" in data:
                line, data = data.split(b"\n", 1)
                if line == b"STARTTLS" and ctx is not None:
                    f.sendall(b"GO\n")
                    f = ctx.wrap_socket(f, server_side=True)
                else:
                    f.sendall(line.upper() + b"\n")

    return handler


def test_run_sync_echo_with_starttls(tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    with tcp_peer(_echo_server(tls_ca)) as port:
        transport = SyncTransport(connect_tcp("127.0.0.1", port))
        replies = run_sync(echo_dialogue([b"a", b"b", b"c"], ctx), transport)
        assert replies == [b"A", b"B", b"C"]
        assert transport.stream.get_extra_info("ssl_object") is not None
        transport.stream.close()


async def test_run_async_echo_with_starttls(tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    with tcp_peer(_echo_server(tls_ca)) as port:
        transport = AsyncTransport(await connect_tcp_async("127.0.0.1", port))
        replies = await run_async(echo_dialogue([b"a", b"b", b"c"], ctx), transport)
        assert replies == [b"A", b"B", b"C"]
        assert transport.stream.get_extra_info("ssl_object") is not None
        await transport.stream.aclose()


def _closing_exchange() -> Exchange[str]:
    buf = ReceiveBuffer()
    try:
        yield from read_line(buf)
    except errors.ConnectionClosed as exc:
        return f"translated: {exc}"
    return "unreachable"


def test_errors_are_thrown_into_the_exchange() -> None:
    with tcp_peer(lambda c: None) as port:  # closes at once
        transport = SyncTransport(connect_tcp("127.0.0.1", port))
        result = run_sync(_closing_exchange(), transport)
        transport.stream.close()
    assert result.startswith("translated: peer closed")


async def test_async_errors_are_thrown_into_the_exchange() -> None:
    with tcp_peer(lambda c: None) as port:
        transport = AsyncTransport(await connect_tcp_async("127.0.0.1", port))
        result = await run_async(_closing_exchange(), transport)
        await transport.stream.aclose()
    assert result.startswith("translated: peer closed")


def _slow() -> Exchange[None]:
    yield Sleep(0.01)
    yield Receive(10)


def test_deadline_applies_to_the_whole_exchange() -> None:
    def handler(conn: socket.socket) -> None:
        time.sleep(2)

    with tcp_peer(handler) as port:
        transport = SyncTransport(connect_tcp("127.0.0.1", port))
        with pytest.raises(errors.ReadTimeout, match="total deadline"):
            run_sync(_slow(), transport, deadline=Deadline(0.3))
        assert transport.stream.deadline is None  # restored afterwards
        transport.stream.close()


async def test_async_deadline_applies_to_the_whole_exchange() -> None:
    def handler(conn: socket.socket) -> None:
        time.sleep(2)

    with tcp_peer(handler) as port:
        transport = AsyncTransport(await connect_tcp_async("127.0.0.1", port))
        with pytest.raises(errors.ReadTimeout, match="total deadline"):
            await run_async(_slow(), transport, deadline=Deadline(0.3))
        await transport.stream.aclose()
