"""net/: TCP connect and TLS handshake against nginx, tether vs socket + ssl."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from typing import Any

NEEDS = ["nginx"]
N_TCP = 500
N_TLS = 200


def tcp_tether(env: dict[str, Any]) -> float:
    from tether.net import connect_tcp

    host, port = env["nginx_host"], env["nginx_port"]
    start = time.perf_counter()
    for _ in range(N_TCP):
        connect_tcp(host, port).close()
    return time.perf_counter() - start


def tcp_socket(env: dict[str, Any]) -> float:
    host, port = env["nginx_host"], env["nginx_port"]
    start = time.perf_counter()
    for _ in range(N_TCP):
        socket.create_connection((host, port), timeout=10).close()
    return time.perf_counter() - start


def tls_tether(env: dict[str, Any]) -> float:
    # What a client does per connection: ask the factory for a context (cached), connect.
    from tether.net import connect_tcp, create_ssl_context

    port = env["nginx_tls_port"]
    start = time.perf_counter()
    for _ in range(N_TLS):
        ctx = create_ssl_context(verify=env["ca_pem"])
        connect_tcp("localhost", port, ssl_context=ctx).close()
    return time.perf_counter() - start


def tls_ssl_new_context(env: dict[str, Any]) -> float:
    # What smtplib/poplib/urllib do by default: a new default context per connection.
    port = env["nginx_tls_port"]
    start = time.perf_counter()
    for _ in range(N_TLS):
        ctx = ssl.create_default_context(cafile=env["ca_pem"])
        sock = socket.create_connection(("localhost", port), timeout=10)
        ctx.wrap_socket(sock, server_hostname="localhost").close()
    return time.perf_counter() - start


def tls_ssl_shared_context(env: dict[str, Any]) -> float:
    port = env["nginx_tls_port"]
    ctx = ssl.create_default_context(cafile=env["ca_pem"])
    start = time.perf_counter()
    for _ in range(N_TLS):
        sock = socket.create_connection(("localhost", port), timeout=10)
        ctx.wrap_socket(sock, server_hostname="localhost").close()
    return time.perf_counter() - start


def tls_async_tether(env: dict[str, Any]) -> float:
    from tether.net import connect_tcp_async, create_ssl_context

    port = env["nginx_tls_port"]

    async def main() -> float:
        start = time.perf_counter()
        for _ in range(N_TLS):
            ctx = create_ssl_context(verify=env["ca_pem"])
            stream = await connect_tcp_async("localhost", port, ssl_context=ctx)
            stream.abort()
        return time.perf_counter() - start

    return asyncio.run(main())


def tls_async_asyncio(env: dict[str, Any]) -> float:
    port = env["nginx_tls_port"]
    ctx = ssl.create_default_context(cafile=env["ca_pem"])

    async def main() -> float:
        start = time.perf_counter()
        for _ in range(N_TLS):
            _, writer = await asyncio.open_connection("localhost", port, ssl=ctx)
            writer.transport.abort()
        return time.perf_counter() - start

    return asyncio.run(main())


GROUPS = {
    f"TCP connect + close x{N_TCP}": {"tether.net": tcp_tether, "socket": tcp_socket},
    f"TLS connect + handshake x{N_TLS}": {
        "tether.net (cached context)": tls_tether,
        "socket+ssl, context per connection": tls_ssl_new_context,
        "socket+ssl, one shared context": tls_ssl_shared_context,
    },
    f"asyncio TLS connect + handshake x{N_TLS}": {
        "tether.net async": tls_async_tether,
        "asyncio.open_connection": tls_async_asyncio,
    },
}


N_CTX = 200


def ctx_tether(env: dict[str, Any]) -> float:
    from tether.net import create_ssl_context

    start = time.perf_counter()
    for _ in range(N_CTX):
        create_ssl_context()
    return time.perf_counter() - start


def ctx_stdlib(env: dict[str, Any]) -> float:
    start = time.perf_counter()
    for _ in range(N_CTX):
        ssl.create_default_context()
    return time.perf_counter() - start


def ctx_certifi(env: dict[str, Any]) -> float:
    import certifi

    start = time.perf_counter()
    for _ in range(N_CTX):
        ssl.create_default_context(cafile=certifi.where())
    return time.perf_counter() - start


GROUPS[f"client context with the default trust store x{N_CTX}"] = {
    "tether create_ssl_context (cached)": ctx_tether,
    "ssl.create_default_context (system)": ctx_stdlib,
    "ssl.create_default_context (certifi)": ctx_certifi,
}
