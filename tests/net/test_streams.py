"""net/ streams in both colours against nginx and raw-socket peers."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from typing import Any

import pytest

from servers._peers import blackhole, drip, tcp_peer, tls_server_context
from tether import errors
from tether.net import (
    Deadline,
    TimeoutConfig,
    async_memory_stream_pair,
    connect_tcp,
    connect_tcp_async,
    create_ssl_context,
    memory_stream_pair,
)

GET = b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def _read_all_sync(stream: Any) -> bytes:
    out = b""
    while chunk := stream.read(65536):
        out += chunk
    return out


async def _read_all_async(stream: Any) -> bytes:
    out = b""
    while chunk := await stream.read(65536):
        out += chunk
    return out


# -- plain TCP and EOF ------------------------------------------------------------------
def test_sync_http_get_and_eof(nginx: Any) -> None:
    with connect_tcp(nginx.host, nginx.port) as stream:
        stream.write(GET)
        data = _read_all_sync(stream)
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert data.endswith(b"\r\n\r\n" + b"x" * 100)
        assert stream.read(10) == b""  # EOF stays EOF
        assert stream.get_extra_info("is_readable") is True


async def test_async_http_get_and_eof(nginx: Any) -> None:
    stream = await connect_tcp_async(nginx.host, nginx.port)
    try:
        await stream.write(GET)
        data = await _read_all_async(stream)
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert data.endswith(b"x" * 100)
        assert await stream.read(10) == b""
    finally:
        await stream.aclose()


async def test_async_connections_receive_their_own_bytes() -> None:
    # Transports receive into one scratch buffer per thread; two connections read at
    # once, each several times that buffer's size, must each get exactly their bytes.
    size = 3 * 1024 * 1024 + 17

    def pattern(seed: int) -> bytes:
        return bytes((seed + i) % 251 for i in range(251)) * (size // 251 + 1)

    payloads = [pattern(1)[:size], pattern(2)[:size]]

    def sender(payload: bytes) -> Any:
        def handler(conn: socket.socket) -> None:
            for start in range(0, len(payload), 100_000):
                conn.sendall(payload[start:start + 100_000])

        return handler

    with tcp_peer(sender(payloads[0])) as port_a, tcp_peer(sender(payloads[1])) as port_b:
        streams = [await connect_tcp_async("127.0.0.1", port_a),
                   await connect_tcp_async("127.0.0.1", port_b)]
        try:
            received = await asyncio.gather(*(_read_all_async(s) for s in streams))
        finally:
            for stream in streams:
                await stream.aclose()
    assert [len(r) for r in received] == [size, size]
    assert received == payloads


def test_use_after_close_is_closed_error() -> None:
    a, b = memory_stream_pair()
    a.close()
    a.close()  # harmless twice
    with pytest.raises(errors.ClosedError):
        a.read(1)
    b.close()


async def test_async_memory_pair_roundtrip() -> None:
    a, b = await async_memory_stream_pair()
    await a.write(b"ping")
    assert await b.read(10) == b"ping"
    assert b.get_extra_info("is_readable") is False
    await a.aclose()
    assert await b.read(10) == b""
    await b.aclose()


def test_connect_refused_is_connect_error() -> None:
    port = _closed_port()
    with pytest.raises(errors.ConnectError) as info:
        connect_tcp("127.0.0.1", port)
    assert isinstance(info.value, OSError)
    assert f"127.0.0.1:{port}" in str(info.value)


async def test_async_connect_refused_is_connect_error() -> None:
    with pytest.raises(errors.ConnectError):
        await connect_tcp_async("127.0.0.1", _closed_port())


def _closed_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


# -- TLS --------------------------------------------------------------------------------
def test_sync_tls_with_test_ca_and_alpn(nginx: Any) -> None:
    ctx = create_ssl_context(verify=nginx.tls.ca_pem, alpn=("http/1.1",))
    with connect_tcp("localhost", nginx.tls_port, ssl_context=ctx) as stream:
        assert stream.get_extra_info("alpn_protocol") == "http/1.1"
        assert isinstance(stream.get_extra_info("socket"), ssl.SSLSocket)
        stream.write(GET)
        assert _read_all_sync(stream).endswith(b"x" * 100)


async def test_async_tls_with_test_ca_and_alpn(nginx: Any) -> None:
    ctx = create_ssl_context(verify=nginx.tls.ca_pem, alpn=("http/1.1",))
    stream = await connect_tcp_async("localhost", nginx.tls_port, ssl_context=ctx)
    try:
        assert stream.get_extra_info("alpn_protocol") == "http/1.1"
        assert stream.get_extra_info("ssl_object") is not None
        await stream.write(GET)
        assert (await _read_all_async(stream)).endswith(b"x" * 100)
    finally:
        await stream.aclose()


def test_sync_tls_untrusted_ca(nginx: Any) -> None:
    ctx = create_ssl_context(verify=nginx.tls.other_ca_pem)
    with pytest.raises(errors.TLSVerificationError) as info:
        connect_tcp("localhost", nginx.tls_port, ssl_context=ctx)
    exc = info.value
    assert isinstance(exc, ssl.SSLCertVerificationError)
    assert exc.reason == "CERTIFICATE_VERIFY_FAILED"
    assert "certificate verify failed" in str(exc)
    assert "localhost" in str(exc)


async def test_async_tls_untrusted_ca(nginx: Any) -> None:
    ctx = create_ssl_context(verify=nginx.tls.other_ca_pem)
    with pytest.raises(errors.TLSVerificationError) as info:
        await connect_tcp_async("localhost", nginx.tls_port, ssl_context=ctx)
    assert "certificate verify failed" in str(info.value)


def test_sync_tls_wrong_host_name(nginx: Any) -> None:
    ctx = create_ssl_context(verify=nginx.tls.ca_pem)
    with pytest.raises(errors.TLSVerificationError) as info:
        connect_tcp("127.0.0.1", nginx.tls_port, ssl_context=ctx,
                    server_hostname="wrong.example")
    assert "wrong.example" in str(info.value)


async def test_async_tls_wrong_host_name(nginx: Any) -> None:
    ctx = create_ssl_context(verify=nginx.tls.ca_pem)
    with pytest.raises(errors.TLSVerificationError):
        await connect_tcp_async("127.0.0.1", nginx.tls_port, ssl_context=ctx,
                                server_hostname="wrong.example")


# -- Happy Eyeballs ---------------------------------------------------------------------
def _fake_resolver(monkeypatch: pytest.MonkeyPatch, addrs: list[tuple[str, int]]) -> None:
    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        out = []
        for ip, p in addrs:
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            sockaddr = (ip, p, 0, 0) if family == socket.AF_INET6 else (ip, p)
            out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return out

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_happy_eyeballs_falls_back_to_ipv4(monkeypatch: pytest.MonkeyPatch) -> None:
    with tcp_peer(lambda c: c.sendall(b"v4")) as port:
        _fake_resolver(monkeypatch, [("::1", _closed_port("::1")), ("127.0.0.1", port)])
        with connect_tcp("dual.example", port) as stream:
            assert stream.get_extra_info("peername")[0] == "127.0.0.1"
            assert stream.read(10) == b"v4"


async def test_async_happy_eyeballs_falls_back_to_ipv4(monkeypatch: pytest.MonkeyPatch) -> None:
    with tcp_peer(lambda c: c.sendall(b"v4")) as port:
        _fake_resolver(monkeypatch, [("::1", _closed_port("::1")), ("127.0.0.1", port)])
        stream = await connect_tcp_async("dual.example", port)
        try:
            assert stream.get_extra_info("peername")[0] == "127.0.0.1"
            assert await stream.read(10) == b"v4"
        finally:
            await stream.aclose()


def test_all_addresses_fail_names_every_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_resolver(monkeypatch, [("::1", _closed_port("::1")), ("127.0.0.1", _closed_port())])
    with pytest.raises(errors.ConnectError) as info:
        connect_tcp("dual.example", 1)
    assert "refused" in str(info.value).lower()


# -- deadlines and timeouts -------------------------------------------------------------
def test_sync_read_timeout() -> None:
    a, b = memory_stream_pair(TimeoutConfig(read=0.2))
    with pytest.raises(errors.ReadTimeout) as info:
        a.read(1)
    assert isinstance(info.value, TimeoutError)
    assert "0.2s" in str(info.value)
    a.close()
    b.close()


def test_sync_drip_peer_cannot_outlive_total_deadline() -> None:
    with tcp_peer(drip(0.1, limit=6)) as port:
        stream = connect_tcp("127.0.0.1", port, timeouts=TimeoutConfig(read=1.0))
        stream.deadline = Deadline(1.0)
        start = time.monotonic()
        with pytest.raises(errors.ReadTimeout) as info:
            while stream.read(1):
                pass
        elapsed = time.monotonic() - start
        stream.close()
    assert "total deadline" in str(info.value)
    assert elapsed < 3.0  # bounded by the 1 s deadline, not by the drip's 6 s


async def test_async_drip_peer_cannot_outlive_total_deadline() -> None:
    with tcp_peer(drip(0.1, limit=6)) as port:
        stream = await connect_tcp_async("127.0.0.1", port, timeouts=TimeoutConfig(read=1.0))
        stream.deadline = Deadline(1.0)
        start = time.monotonic()
        with pytest.raises(errors.ReadTimeout) as info:
            while await stream.read(1):
                pass
        elapsed = time.monotonic() - start
        await stream.aclose()
    assert "total deadline" in str(info.value)
    assert elapsed < 3.0


async def test_async_read_timeout_without_deadline() -> None:
    a, b = await async_memory_stream_pair(TimeoutConfig(read=0.2))
    with pytest.raises(errors.ReadTimeout) as info:
        await a.read(1)
    assert "total deadline" not in str(info.value)
    await a.aclose()
    await b.aclose()


async def test_async_read_timeouts_follow_each_read() -> None:
    # One timer per connection, moved lazily: each read must still end at its own
    # timeout, shorter or longer than the one before it.
    a, b = await async_memory_stream_pair(TimeoutConfig(read=5.0))
    try:
        await b.write(b"x")
        assert await a.read(1) == b"x"  # a 5 s timer is now pending
        start = time.monotonic()
        with pytest.raises(errors.ReadTimeout):
            await a.read(1, timeout=0.2)  # shorter: must not wait for the 5 s timer
        assert 0.15 < time.monotonic() - start < 2.0

        await b.write(b"y")
        assert await a.read(1, timeout=0.2) == b"y"  # leaves a timer due in 0.2 s
        start = time.monotonic()
        loop = asyncio.get_running_loop()
        loop.call_later(0.6, lambda: asyncio.ensure_future(b.write(b"z")))
        # Longer: the early timer fires mid-read and must move on, not expire it.
        assert await a.read(1, timeout=3.0) == b"z"
        assert time.monotonic() - start > 0.5
    finally:
        await a.aclose()
        await b.aclose()


def test_connect_timeout_when_syns_are_dropped() -> None:
    with blackhole() as port:
        start = time.monotonic()
        with pytest.raises(errors.ConnectTimeout) as info:
            connect_tcp("127.0.0.1", port, timeouts=TimeoutConfig(connect=0.5))
        assert time.monotonic() - start < 3.0
    assert isinstance(info.value, errors.ConnectError)
    assert "0.5s" in str(info.value)


async def test_async_connect_timeout_when_syns_are_dropped() -> None:
    with blackhole() as port, pytest.raises(errors.ConnectTimeout):
        await connect_tcp_async("127.0.0.1", port, timeouts=TimeoutConfig(connect=0.5))


def test_happy_eyeballs_races_past_a_dead_address(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first address never answers; the second must win after the 250 ms stagger,
    # long before the 10 s connect timeout.
    with blackhole("::1") as dead, tcp_peer(lambda c: c.sendall(b"v4")) as port:
        _fake_resolver(monkeypatch, [("::1", dead), ("127.0.0.1", port)])
        start = time.monotonic()
        with connect_tcp("dual.example", port, timeouts=TimeoutConfig(connect=10)) as stream:
            assert stream.read(10) == b"v4"
        assert time.monotonic() - start < 5.0


async def test_async_happy_eyeballs_races_past_a_dead_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with blackhole("::1") as dead, tcp_peer(lambda c: c.sendall(b"v4")) as port:
        _fake_resolver(monkeypatch, [("::1", dead), ("127.0.0.1", port)])
        start = time.monotonic()
        stream = await connect_tcp_async("dual.example", port,
                                         timeouts=TimeoutConfig(connect=10))
        try:
            assert await stream.read(10) == b"v4"
        finally:
            await stream.aclose()
        assert time.monotonic() - start < 5.0


# -- STARTTLS: plaintext before the upgrade is never delivered ---------------------------
def _starttls_injector(cert: str, key: str) -> Any:
    ctx = tls_server_context(cert, key)

    def handler(conn: socket.socket) -> None:
        conn.recv(100)
        conn.sendall(b"GO\r\n")
        time.sleep(0.2)
        conn.sendall(b"INJECTED\r\n")  # an attacker's plaintext after the go-ahead
        time.sleep(0.2)
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with tls:
            tls.sendall(b"SECRET\r\n")
            time.sleep(0.2)

    return handler


def test_sync_starttls_injected_plaintext_never_read_as_tls(tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    with tcp_peer(_starttls_injector(tls_ca.cert_pem, tls_ca.key_pem)) as port:
        stream = connect_tcp("127.0.0.1", port)
        stream.write(b"STARTTLS\r\n")
        assert stream.read(100) == b"GO\r\n"
        time.sleep(0.3)
        # The injected bytes are in the kernel buffer: the handshake must fail on them,
        # not deliver them.
        with pytest.raises(errors.TLSError):
            stream.start_tls(ctx, "localhost")
        # The plain stream is spent: using it says so instead of failing obscurely.
        with pytest.raises(errors.ClosedError):
            stream.write(b"QUIT\r\n")
        stream.close()


async def test_async_starttls_discards_buffered_plaintext(tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    with tcp_peer(_starttls_injector(tls_ca.cert_pem, tls_ca.key_pem)) as port:
        stream = await connect_tcp_async("127.0.0.1", port)
        await stream.write(b"STARTTLS\r\n")
        assert await stream.read(100) == b"GO\r\n"
        await asyncio.sleep(0.3)  # INJECTED now sits in the stream's buffer
        try:
            tls = await stream.start_tls(ctx, "localhost")
        except errors.TLSError:
            return  # also safe: the handshake refused the injected bytes
        data = b""
        while b"\n" not in data:
            chunk = await tls.read(100)
            if not chunk:
                break
            data += chunk
        assert data == b"SECRET\r\n"
        await tls.aclose()


def test_threads_share_cached_context() -> None:
    results: list[ssl.SSLContext] = []
    threads = [threading.Thread(target=lambda: results.append(create_ssl_context()))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in results}) == 1


# -- TLS inside TLS (https:// proxy to an https:// origin) ------------------------------
def _tls_relay(tls_ca: Any, target_port: int) -> Any:
    """A TLS-terminating relay to ``target_port`` (stands in for an https:// proxy)."""
    import select

    ctx = tls_server_context(tls_ca.cert_pem, tls_ca.key_pem)

    def handler(conn: socket.socket) -> None:
        outer = ctx.wrap_socket(conn, server_side=True)
        upstream = socket.create_connection(("127.0.0.1", target_port))
        with outer, upstream:
            end = time.monotonic() + 10
            while time.monotonic() < end:
                ready = [outer] if outer.pending() else []
                if not ready:
                    ready, _, _ = select.select([outer, upstream], [], [], 0.5)
                for src in ready:
                    dst = upstream if src is outer else outer
                    data = src.recv(65536)
                    if not data:
                        return
                    dst.sendall(data)

    return handler


def test_sync_tls_inside_tls(nginx: Any, tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    with tcp_peer(_tls_relay(tls_ca, nginx.tls_port)) as port:
        outer = connect_tcp("127.0.0.1", port, ssl_context=ctx, server_hostname="localhost")
        inner = outer.start_tls(ctx, "localhost")
        assert inner.get_extra_info("ssl_object") is not outer.get_extra_info("ssl_object")
        inner.write(GET)
        data = _read_all_sync(inner)
        inner.close()
    assert data.startswith(b"HTTP/1.1 200 OK") and data.endswith(b"x" * 100)


async def test_async_tls_inside_tls(nginx: Any, tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    with tcp_peer(_tls_relay(tls_ca, nginx.tls_port)) as port:
        outer = await connect_tcp_async("127.0.0.1", port, ssl_context=ctx,
                                        server_hostname="localhost")
        inner = await outer.start_tls(ctx, "localhost")
        await inner.write(GET)
        data = await _read_all_async(inner)
        await inner.aclose()
    assert data.startswith(b"HTTP/1.1 200 OK") and data.endswith(b"x" * 100)


def test_inner_tls_verifies_the_origin(nginx: Any, tls_ca: Any) -> None:
    ctx = create_ssl_context(verify=tls_ca.ca_pem)
    untrusting = create_ssl_context(verify=tls_ca.other_ca_pem)
    with tcp_peer(_tls_relay(tls_ca, nginx.tls_port)) as port:
        outer = connect_tcp("127.0.0.1", port, ssl_context=ctx, server_hostname="localhost")
        with pytest.raises(errors.TLSVerificationError):
            outer.start_tls(untrusting, "localhost")
        outer.close()
