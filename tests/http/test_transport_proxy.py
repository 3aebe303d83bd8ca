"""Proxies, both colours: HTTP (absolute-form), HTTPS via CONNECT, SOCKS4a/5/5h with
user/password, against small proxy servers written here that relay to a real nginx."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tether.http import AsyncHTTPTransport, HTTPTransport, Proxy, ProxyError, RawRequest
from tether.net import TimeoutConfig, create_ssl_context

TIMEOUTS = TimeoutConfig(connect=5, read=5, write=5, pool=5)


def fetch(colour: str, request: RawRequest) -> tuple[int, bytes, dict[str, Any]]:
    if colour == "sync":
        with HTTPTransport() as transport:
            response = transport.handle_request(request)
            return response.status, response.read(), response.extensions

    async def main() -> tuple[int, bytes, dict[str, Any]]:
        async with AsyncHTTPTransport() as transport:
            response = await transport.handle_async_request(request)
            return response.status, await response.aread(), response.extensions

    return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def colour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- proxy servers ----------------------------------------------------------------------
@contextmanager
def proxy_server(handler: Callable[[socket.socket, list[Any]], None]
                 ) -> Iterator[tuple[int, list[Any]]]:
    """One connection, served by ``handler(conn, log)``; yields (port, log)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(5)
    log: list[Any] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                handler(conn, log)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], log
    finally:
        listener.close()
        thread.join(10)


def recv_exactly(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("short read")
        data += chunk
    return data


def read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(1)  # byte by byte: never swallow bytes after the head
        if not chunk:
            break
        data += chunk
    return data


def relay(a: socket.socket, host: str, port: int) -> None:
    with socket.create_connection((host, port), timeout=5) as b:
        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while chunk := src.recv(65536):
                    dst.sendall(chunk)
            except OSError:
                pass
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        t = threading.Thread(target=pump, args=(b, a), daemon=True)
        t.start()
        pump(a, b)
        t.join(5)


def connect_proxy(status: bytes = b"200 Connection established") -> Callable[..., None]:
    def handler(conn: socket.socket, log: list[Any]) -> None:
        head = read_head(conn)
        log.append(head)
        target = head.split(b" ")[1].decode()
        if not status.startswith(b"200"):
            conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\n\r\n")
            return
        conn.sendall(b"HTTP/1.1 " + status + b"\r\n\r\n")
        host, _, port = target.rpartition(":")
        relay(conn, host.strip("[]"), int(port))
    return handler


def socks5_server(user: bytes | None, password: bytes | None) -> Callable[..., None]:
    def handler(conn: socket.socket, log: list[Any]) -> None:
        _, n = recv_exactly(conn, 2)
        methods = recv_exactly(conn, n)
        log.append(("methods", methods))
        if user is None:
            conn.sendall(b"\x05\x00")
        else:
            conn.sendall(b"\x05\x02")
            recv_exactly(conn, 1)
            got_user = recv_exactly(conn, recv_exactly(conn, 1)[0])
            got_pass = recv_exactly(conn, recv_exactly(conn, 1)[0])
            ok = (got_user, got_pass) == (user, password)
            conn.sendall(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                return
        _, _, _, atyp = recv_exactly(conn, 4)
        if atyp == 3:
            host = recv_exactly(conn, recv_exactly(conn, 1)[0]).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET if atyp == 1 else socket.AF_INET6,
                                    recv_exactly(conn, 4 if atyp == 1 else 16))
        (port,) = struct.unpack("!H", recv_exactly(conn, 2))
        log.append(("connect", atyp, host, port))
        conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
        relay(conn, host, port)
    return handler


def socks4_server(handler_log_user: bytes) -> Callable[..., None]:
    def handler(conn: socket.socket, log: list[Any]) -> None:
        head = recv_exactly(conn, 8)
        _, _, port = struct.unpack("!BBH", head[:4])
        data = b""
        while data.count(b"\x00") < (2 if head[4:7] == b"\x00\x00\x00" else 1):
            data += conn.recv(1)
        parts = data.split(b"\x00")
        user = parts[0]
        host = parts[1].decode() if head[4:7] == b"\x00\x00\x00" else socket.inet_ntoa(head[4:])
        log.append((user, host, port))
        if user != handler_log_user:
            conn.sendall(b"\x00\x5b" + b"\x00" * 6)
            return
        conn.sendall(b"\x00\x5a" + b"\x00" * 6)
        relay(conn, host, port)
    return handler


# -- tests ------------------------------------------------------------------------------
def origin_request(nginx: Any, https: bool, proxy: Proxy, host: str | None = None) -> RawRequest:
    host = host or ("localhost" if https else nginx.host)
    port = nginx.tls_port if https else nginx.port
    ctx = create_ssl_context(verify=str(nginx.tls.ca_pem)) if https else None
    return RawRequest(b"GET", "https" if https else "http", host, port, b"/small.txt",
                      [(b"Host", f"{host}:{port}".encode())], timeouts=TIMEOUTS,
                      ssl_context=ctx, proxy=proxy)


def test_plain_http_through_http_proxy_uses_absolute_form(colour: str) -> None:
    def handler(conn: socket.socket, log: list[Any]) -> None:
        log.append(read_head(conn))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nproxy")

    with proxy_server(handler) as (port, log):
        proxy = Proxy("http", "127.0.0.1", port, headers=((b"Proxy-Authorization", b"Basic eA=="),))
        request = RawRequest(b"GET", "http", "example.test", 8080, b"/p?q=1",
                             [(b"Host", b"example.test:8080")], timeouts=TIMEOUTS, proxy=proxy)
        status, body, _ = fetch(colour, request)
    assert (status, body) == (200, b"proxy")
    assert log[0].startswith(b"GET http://example.test:8080/p?q=1 HTTP/1.1\r\n")
    assert b"\r\nProxy-Authorization: Basic eA==\r\n" in log[0]


@pytest.mark.server
def test_https_through_connect_tunnel(colour: str, nginx: Any) -> None:
    with proxy_server(connect_proxy()) as (port, log):
        proxy = Proxy("http", "127.0.0.1", port, headers=((b"Proxy-Authorization", b"Basic eQ=="),))
        status, body, ext = fetch(colour, origin_request(nginx, True, proxy))
    assert status == 200 and len(body) == 100
    assert ext["ssl_object"] is not None
    assert log[0].startswith(b"CONNECT localhost:%d HTTP/1.1\r\n" % nginx.tls_port)
    assert b"Proxy-Authorization: Basic eQ==" in log[0]


def test_connect_refused_is_proxy_error(colour: str) -> None:
    with proxy_server(connect_proxy(b"407 Proxy Authentication Required")) as (port, _):
        proxy = Proxy("http", "127.0.0.1", port)
        request = RawRequest(b"GET", "https", "example.test", 443, b"/",
                             [(b"Host", b"example.test")], timeouts=TIMEOUTS, proxy=proxy)
        with pytest.raises(ProxyError, match="407") as info:
            fetch(colour, request)
    assert info.value.status == 407


@pytest.mark.server
@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_socks5h_with_password(colour: str, nginx: Any, https: bool) -> None:
    with proxy_server(socks5_server(b"al ice", b"s3:cr@t")) as (port, log):
        proxy = Proxy.from_url(f"socks5h://al%20ice:s3%3Acr%40t@127.0.0.1:{port}")
        status, body, _ = fetch(colour, origin_request(nginx, https, proxy))
    assert status == 200 and len(body) == 100
    assert log[0] == ("methods", b"\x00\x02")
    host = "localhost" if https else nginx.host
    # a name goes to the proxy as a name (atyp 3), an IP literal as an address (atyp 1)
    assert log[1][1:] == (3 if https else 1, host, nginx.tls_port if https else nginx.port)


@pytest.mark.server
def test_socks5_resolves_locally(colour: str, nginx: Any) -> None:
    with proxy_server(socks5_server(None, None)) as (port, log):
        proxy = Proxy("socks5", "127.0.0.1", port)
        status, _, _ = fetch(colour, origin_request(nginx, False, proxy, host="localhost"))
    assert status == 200
    assert log[1][1] in (1, 4)  # an IP address, not the name
    assert log[1][2] in ("127.0.0.1", "::1")


def test_socks5_wrong_password_is_proxy_error(colour: str) -> None:
    with proxy_server(socks5_server(b"u", b"right")) as (port, _):
        proxy = Proxy("socks5h", "127.0.0.1", port, username="u", password="wrong")
        request = RawRequest(b"GET", "http", "example.test", 80, b"/",
                             [(b"Host", b"example.test")], timeouts=TIMEOUTS, proxy=proxy)
        with pytest.raises(ProxyError, match="rejected the username"):
            fetch(colour, request)


@pytest.mark.server
def test_socks4a_and_socks4(colour: str, nginx: Any) -> None:
    with proxy_server(socks4_server(b"bob")) as (port, log):
        proxy = Proxy("socks4a", "127.0.0.1", port, username="bob")
        status, _, _ = fetch(colour, origin_request(nginx, False, proxy, host="localhost"))
    assert status == 200 and log[0] == (b"bob", "localhost", nginx.port)
    with proxy_server(socks4_server(b"bob")) as (port, log):
        proxy = Proxy("socks4", "127.0.0.1", port, username="mallory")
        with pytest.raises(ProxyError, match="rejected"):
            fetch(colour, origin_request(nginx, False, proxy))
