"""Opening a connection: directly, through an HTTP(S) proxy, or through SOCKS.

Theory of operation
-------------------
:func:`open_connection` is an exchange (run by either driver) that leaves a connection's
stream ready to carry HTTP/1.1 to the origin:

- no proxy: TCP, then TLS for ``https``;
- ``http://`` / ``https://`` proxy: TCP (and TLS to the proxy for ``https://``); an
  ``https`` origin is then reached through a ``CONNECT host:port`` tunnel (RFC 9110
  §9.3.6) followed by TLS with the origin; a plain ``http`` origin is spoken to through
  the proxy with absolute-form targets (see :func:`proxy_target`);
- ``socks4``/``socks4a``/``socks5``/``socks5h``: TCP to the proxy, the handshake of
  :mod:`tether.protocols.socks` (with username/password), then TLS for ``https``.
  ``socks4``/``socks5`` resolve the host here; the ``a``/``h`` variants let the proxy.

A refusal by the proxy raises :class:`~tether.http._types.ProxyError` (a
``ConnectError``) with the proxy's status or reply code.
"""

from __future__ import annotations

from typing import Any

from tether import errors
from tether._drive import Exchange, Op
from tether.http._connection import Connect, HTTP11Connection, Read, UpgradeTLS, Write
from tether.http._types import Proxy, ProxyError, RawRequest
from tether.net import create_ssl_context, is_ip_address, resolve, resolve_async
from tether.protocols.http11 import (
    NEED_DATA,
    Connection,
    EndOfMessage,
    InformationalResponse,
    Request,
    Response,
)
from tether.protocols.socks import SOCKSClient, SOCKSRefused

__all__ = ["Resolve", "authority", "open_connection", "proxy_target"]


def authority(host: str, port: int) -> bytes:
    """``host:port`` with IPv6 literals in brackets."""
    if ":" in host:
        return f"[{host}]:{port}".encode("ascii")
    return f"{host}:{port}".encode("ascii")


def proxy_target(request: RawRequest) -> bytes:
    """Absolute-form target for a plain-HTTP request through an HTTP proxy (RFC 9112 §3.2.2)."""
    default = 443 if request.scheme == "https" else 80
    host = authority(request.host, request.port) if request.port != default else (
        f"[{request.host}]".encode("ascii") if ":" in request.host
        else request.host.encode("ascii"))
    target = request.target if request.target.startswith(b"/") else b"/" + request.target
    return request.scheme.encode("ascii") + b"://" + host + target


class Resolve(Op):
    """Resolve a host name to one address (``family`` 4 → IPv4 only)."""

    __slots__ = ("family", "host", "port")

    def __init__(self, host: str, port: int, family: int | None = None) -> None:
        self.host = host
        self.port = port
        self.family = family

    def _pick(self, infos: list[Any]) -> str:
        for info in infos:
            address = str(info[4][0])
            if self.family == 4 and ":" in address:
                continue
            return address
        raise errors.ConnectError(f"could not resolve {self.host!r} to an IPv4 address for "
                                  "SOCKS4 (use socks4a to let the proxy resolve it)")

    def run_sync(self, transport: object) -> str:
        return self._pick(resolve(self.host, self.port))

    async def run_async(self, transport: object) -> str:
        return self._pick(await resolve_async(self.host, self.port))


def open_connection(conn: HTTP11Connection, request: RawRequest) -> Exchange[None]:
    """Leave ``conn.stream`` ready for HTTP/1.1 to the request's origin."""
    proxy = request.proxy
    https = request.scheme == "https"
    origin_ctx = request.ssl_context
    if https and origin_ctx is None:
        origin_ctx = create_ssl_context()
    if proxy is None:
        yield Connect(conn, request.host, request.port, request.timeouts, request.deadline,
                      origin_ctx if https else None, request.host)
        return
    proxy_ctx = None
    if proxy.scheme == "https":
        proxy_ctx = proxy.ssl_context or create_ssl_context()
    yield Connect(conn, proxy.host, proxy.port, request.timeouts, request.deadline,
                  proxy_ctx, proxy.host)
    if proxy.scheme in ("http", "https"):
        if https:
            yield from _connect_tunnel(conn, request, proxy)
    else:
        yield from _socks_handshake(conn, request, proxy)
    if https:
        assert origin_ctx is not None
        yield UpgradeTLS(conn, origin_ctx, request.host)


def _connect_tunnel(conn: HTTP11Connection, request: RawRequest, proxy: Proxy
                    ) -> Exchange[None]:
    where = authority(request.host, request.port)
    h11 = Connection()
    headers = [(b"Host", where), *proxy.headers]
    out = h11.send(Request(b"CONNECT", where, headers)) + h11.send(EndOfMessage())
    yield Write(conn, out)
    while True:
        event = h11.next_event()
        if event is NEED_DATA:
            data = yield Read(conn)
            h11.receive_data(data)
            continue
        if type(event) is InformationalResponse:
            continue
        if type(event) is Response:
            break
        raise errors.RemoteProtocolError(f"unexpected {event!r} in reply to CONNECT")
    if not 200 <= event.status_code < 300:
        raise ProxyError(
            f"proxy {proxy.host}:{proxy.port} refused CONNECT to {where.decode()}: "
            f"{event.status_code} {event.reason.decode('latin-1')}",
            status=event.status_code,
        )
    trailing, _ = h11.trailing_data
    if trailing:
        raise ProxyError(f"proxy {proxy.host}:{proxy.port} sent data after its CONNECT reply "
                         f"({errors.quote_bytes(trailing)})")


def _socks_handshake(conn: HTTP11Connection, request: RawRequest, proxy: Proxy
                     ) -> Exchange[None]:
    host = request.host
    if proxy.scheme in ("socks4", "socks5") and not is_ip_address(host):
        host = yield Resolve(host, request.port, 4 if proxy.scheme == "socks4" else None)
    client = SOCKSClient(proxy.scheme, host, request.port, username=proxy.username,
                         password=proxy.password)
    label = f"{proxy.scheme} proxy {proxy.host}:{proxy.port}"
    yield Write(conn, client.initial())
    while not client.established:
        data = yield Read(conn, 512)
        try:
            out = client.receive_data(data)
        except SOCKSRefused as exc:
            raise ProxyError(f"{label}: {exc}", status=exc.code) from exc
        except errors.RemoteProtocolError as exc:
            raise ProxyError(f"{label}: {exc}") from exc
        if out:
            yield Write(conn, out)
