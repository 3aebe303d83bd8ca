"""HTTP against nginx on loopback: tether's transport vs urllib3, http.client, aiohttp.

Groups are kept in separate dicts so that each layer owns its own: ``TRANSPORT_GROUPS``
(tether.http's transport: pool + HTTP/1.1 engine, measured against the libraries of the
same layer) and ``API_GROUPS`` (the requests-style API vs requests/httpx, added by the
API layer). ``GROUPS`` merges them for the runner.

Needs: ``env["nginx_http"]``, ``env["nginx_host"]``, ``env["nginx_port"]``,
``env["nginx_tls_port"]``, ``env["ca_pem"]`` (bench/servers.py starts nginx, with a
sparse 1 GiB ``/big-1g.bin``).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import ssl
import time
from collections.abc import Callable
from typing import Any

NEEDS = ["nginx"]

N_GET = 5000
N_TLS_GET = 3000
N_POST = 3000
N_ASYNC = 10_000
IN_FLIGHT = 64
BIG = "/big-1g.bin"
CHUNK = 65536
JSON_1K = json.dumps({"items": ["x" * 30] * 28}).encode()[:1024]


# -- tether transport ------------------------------------------------------------------
def _tether_request(env: dict[str, Any], path: bytes, https: bool = False, method: bytes = b"GET",
                    body: bytes | None = None, headers: list[tuple[bytes, bytes]] | None = None
                    ) -> Any:
    from tether.http import RawRequest
    from tether.net import create_ssl_context

    host = "localhost" if https else env["nginx_host"]
    port = env["nginx_tls_port"] if https else env["nginx_port"]
    ctx = create_ssl_context(verify=env["ca_pem"]) if https else None
    return RawRequest(method, "https" if https else "http", host, port, path,
                      [(b"Host", f"{host}:{port}".encode()), *(headers or [])], body=body,
                      ssl_context=ctx)


def _tether_get_loop(env: dict[str, Any], https: bool, n: int) -> float:
    from tether.http import HTTPTransport

    transport = HTTPTransport()
    request = _tether_request(env, b"/small.txt", https)
    transport.handle_request(request).read()
    start = time.perf_counter()
    for _ in range(n):
        response = transport.handle_request(request)
        response.read()
    elapsed = time.perf_counter() - start
    transport.close()
    return elapsed


def get_tether(env: dict[str, Any]) -> float:
    return _tether_get_loop(env, False, N_GET)


def get_tls_tether(env: dict[str, Any]) -> float:
    return _tether_get_loop(env, True, N_TLS_GET)


def post_tether(env: dict[str, Any]) -> float:
    from tether.http import HTTPTransport

    transport = HTTPTransport()
    # nginx answers POST on a static file with 405; the request/response work is the same.
    request = _tether_request(env, b"/small.txt", method=b"POST", body=JSON_1K,
                              headers=[(b"Content-Type", b"application/json")])
    transport.handle_request(request).read()
    start = time.perf_counter()
    for _ in range(N_POST):
        transport.handle_request(request).read()
    return time.perf_counter() - start


def stream_tether(env: dict[str, Any]) -> float:
    from tether.http import HTTPTransport

    transport = HTTPTransport()
    request = _tether_request(env, BIG.encode())
    start = time.perf_counter()
    response = transport.handle_request(request)
    total = 0
    for chunk in response.iter_raw(CHUNK):
        total += len(chunk)
    assert total == 1 << 30, total
    return time.perf_counter() - start


def async_tether(env: dict[str, Any]) -> float:
    from tether.http import AsyncHTTPTransport

    async def main() -> float:
        transport = AsyncHTTPTransport()
        request = _tether_request(env, b"/small.txt")
        sem = asyncio.Semaphore(IN_FLIGHT)

        async def one() -> None:
            async with sem:
                response = await transport.handle_async_request(request)
                await response.aread()

        await one()
        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(N_ASYNC)))
        elapsed = time.perf_counter() - start
        await transport.aclose()
        return elapsed

    return asyncio.run(main())


# -- urllib3 ---------------------------------------------------------------------------
def _urllib3_get_loop(env: dict[str, Any], https: bool, n: int) -> float:
    import urllib3

    if https:
        pool: Any = urllib3.HTTPSConnectionPool("localhost", env["nginx_tls_port"],
                                                ca_certs=env["ca_pem"])
    else:
        pool = urllib3.HTTPConnectionPool(env["nginx_host"], env["nginx_port"])
    _ = pool.request("GET", "/small.txt").data
    start = time.perf_counter()
    for _ in range(n):
        _ = pool.request("GET", "/small.txt").data
    return time.perf_counter() - start


def get_urllib3(env: dict[str, Any]) -> float:
    return _urllib3_get_loop(env, False, N_GET)


def get_tls_urllib3(env: dict[str, Any]) -> float:
    return _urllib3_get_loop(env, True, N_TLS_GET)


def post_urllib3(env: dict[str, Any]) -> float:
    import urllib3

    pool = urllib3.HTTPConnectionPool(env["nginx_host"], env["nginx_port"])
    headers = {"Content-Type": "application/json"}
    _ = pool.request("POST", "/small.txt", body=JSON_1K, headers=headers).data
    start = time.perf_counter()
    for _ in range(N_POST):
        _ = pool.request("POST", "/small.txt", body=JSON_1K, headers=headers).data
    return time.perf_counter() - start


def stream_urllib3(env: dict[str, Any]) -> float:
    import urllib3

    pool = urllib3.HTTPConnectionPool(env["nginx_host"], env["nginx_port"])
    start = time.perf_counter()
    response = pool.request("GET", BIG, preload_content=False)
    total = 0
    for chunk in response.stream(CHUNK):
        total += len(chunk)
    assert total == 1 << 30, total
    return time.perf_counter() - start


# -- http.client -----------------------------------------------------------------------
def _httpclient_get_loop(env: dict[str, Any], https: bool, n: int) -> float:
    if https:
        ctx = ssl.create_default_context(cafile=env["ca_pem"])
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "localhost", env["nginx_tls_port"], context=ctx)
    else:
        conn = http.client.HTTPConnection(env["nginx_host"], env["nginx_port"])
    conn.request("GET", "/small.txt")
    conn.getresponse().read()
    start = time.perf_counter()
    for _ in range(n):
        conn.request("GET", "/small.txt")
        conn.getresponse().read()
    return time.perf_counter() - start


def get_httpclient(env: dict[str, Any]) -> float:
    return _httpclient_get_loop(env, False, N_GET)


def get_tls_httpclient(env: dict[str, Any]) -> float:
    return _httpclient_get_loop(env, True, N_TLS_GET)


def post_httpclient(env: dict[str, Any]) -> float:
    conn = http.client.HTTPConnection(env["nginx_host"], env["nginx_port"])
    headers = {"Content-Type": "application/json"}
    conn.request("POST", "/small.txt", body=JSON_1K, headers=headers)
    conn.getresponse().read()
    start = time.perf_counter()
    for _ in range(N_POST):
        conn.request("POST", "/small.txt", body=JSON_1K, headers=headers)
        conn.getresponse().read()
    return time.perf_counter() - start


# -- aiohttp ---------------------------------------------------------------------------
def async_aiohttp(env: dict[str, Any]) -> float:
    import aiohttp

    async def main() -> float:
        url = env["nginx_http"] + "/small.txt"
        async with aiohttp.ClientSession() as session:
            sem = asyncio.Semaphore(IN_FLIGHT)

            async def one() -> None:
                async with sem, session.get(url) as response:
                    await response.read()

            await one()
            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(N_ASYNC)))
            return time.perf_counter() - start

    return asyncio.run(main())


Fn = Callable[[dict[str, Any]], float]

TRANSPORT_GROUPS: dict[str, dict[str, Fn]] = {
    f"transport: {N_GET} keep-alive GETs, 100 B body": {
        "tether HTTPTransport": get_tether,
        "urllib3 HTTPConnectionPool": get_urllib3,
        "http.client": get_httpclient,
    },
    f"transport: {N_TLS_GET} keep-alive GETs over HTTPS, 100 B body": {
        "tether HTTPTransport": get_tls_tether,
        "urllib3 HTTPSConnectionPool": get_tls_urllib3,
        "http.client": get_tls_httpclient,
    },
    f"transport: {N_POST} keep-alive POSTs, 1 KiB JSON": {
        "tether HTTPTransport": post_tether,
        "urllib3 HTTPConnectionPool": post_urllib3,
        "http.client": post_httpclient,
    },
    "transport: stream 1 GiB in 64 KiB chunks": {
        "tether HTTPTransport": stream_tether,
        "urllib3 stream()": stream_urllib3,
    },
    f"transport: async {N_ASYNC} GETs, {IN_FLIGHT} in flight": {
        "tether AsyncHTTPTransport": async_tether,
        "aiohttp ClientSession": async_aiohttp,
    },
}

#: Request-API comparisons (tether vs requests / httpx), owned by the API layer.
API_GROUPS: dict[str, dict[str, Fn]] = {}

GROUPS: dict[str, dict[str, Fn]] = {**TRANSPORT_GROUPS, **API_GROUPS}
