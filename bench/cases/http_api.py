"""The requests-style API on nginx over loopback: tether vs requests, httpx, urllib3, aiohttp.

Needs ``env["nginx_http"]``, ``env["nginx_https"]``, ``env["ca_pem"]`` (bench/servers.py
starts nginx with ``/small.txt`` of 100 bytes and a sparse 1 GiB ``/big-1g.bin``).
Each function does its setup (session, first request to open the connection) before
the clock starts and returns the seconds of the measured part.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

NEEDS = ["nginx"]

N_GET = 3000
N_TLS = 2000
N_POST = 2000
N_ASYNC = 10_000
IN_FLIGHT = 64
CHUNK = 65536
JSON_1K = json.loads(json.dumps({"items": ["x" * 30] * 28}))


def _loop_gets(get: Callable[[str], Any], url: str, n: int) -> float:
    get(url)
    start = time.perf_counter()
    for _ in range(n):
        get(url)
    return time.perf_counter() - start


# -- keep-alive GET ---------------------------------------------------------------------
def get_tether(env: dict[str, Any]) -> float:
    import tether

    with tether.Session() as s:
        return _loop_gets(lambda u: s.get(u).content, env["nginx_http"] + "/small.txt", N_GET)


def get_requests(env: dict[str, Any]) -> float:
    import requests

    with requests.Session() as s:
        return _loop_gets(lambda u: s.get(u).content, env["nginx_http"] + "/small.txt", N_GET)


def get_httpx(env: dict[str, Any]) -> float:
    import httpx

    with httpx.Client() as c:
        return _loop_gets(lambda u: c.get(u).content, env["nginx_http"] + "/small.txt", N_GET)


def get_urllib3(env: dict[str, Any]) -> float:
    import urllib3

    pm = urllib3.PoolManager()
    return _loop_gets(lambda u: pm.request("GET", u).data, env["nginx_http"] + "/small.txt",
                      N_GET)


# -- HTTPS -------------------------------------------------------------------------------
def tls_tether(env: dict[str, Any]) -> float:
    import tether

    with tether.Session() as s:
        ca = env["ca_pem"]  # per call: REQUESTS_CA_BUNDLE would override Session.verify
        return _loop_gets(lambda u: s.get(u, verify=ca).content, env["nginx_https"] + "/small.txt",
                          N_TLS)


def tls_requests(env: dict[str, Any]) -> float:
    import requests

    with requests.Session() as s:
        ca = env["ca_pem"]  # per call: REQUESTS_CA_BUNDLE would override Session.verify
        return _loop_gets(lambda u: s.get(u, verify=ca).content, env["nginx_https"] + "/small.txt",
                          N_TLS)


def tls_httpx(env: dict[str, Any]) -> float:
    import httpx

    with httpx.Client(verify=env["ca_pem"]) as c:
        return _loop_gets(lambda u: c.get(u).content, env["nginx_https"] + "/small.txt", N_TLS)


def tls_urllib3(env: dict[str, Any]) -> float:
    import urllib3

    pm = urllib3.PoolManager(ca_certs=env["ca_pem"])
    return _loop_gets(lambda u: pm.request("GET", u).data, env["nginx_https"] + "/small.txt",
                      N_TLS)


# -- POST JSON ---------------------------------------------------------------------------
def post_tether(env: dict[str, Any]) -> float:
    import tether

    with tether.Session() as s:
        return _loop_gets(lambda u: s.post(u, json=JSON_1K).content,
                          env["nginx_http"] + "/small.txt", N_POST)


def post_requests(env: dict[str, Any]) -> float:
    import requests

    with requests.Session() as s:
        return _loop_gets(lambda u: s.post(u, json=JSON_1K).content,
                          env["nginx_http"] + "/small.txt", N_POST)


def post_httpx(env: dict[str, Any]) -> float:
    import httpx

    with httpx.Client() as c:
        return _loop_gets(lambda u: c.post(u, json=JSON_1K).content,
                          env["nginx_http"] + "/small.txt", N_POST)


def post_urllib3(env: dict[str, Any]) -> float:
    import urllib3

    pm = urllib3.PoolManager()
    return _loop_gets(lambda u: pm.request("POST", u, json=JSON_1K).data,
                      env["nginx_http"] + "/small.txt", N_POST)


# -- streaming 1 GiB ---------------------------------------------------------------------
def _stream(iterate: Callable[[], Any]) -> float:
    start = time.perf_counter()
    total = 0
    for chunk in iterate():
        total += len(chunk)
    assert total == 1024 * 1024 * 1024, total
    return time.perf_counter() - start


def stream_tether(env: dict[str, Any]) -> float:
    import tether

    with tether.Session() as s:
        r = s.get(env["nginx_http"] + "/big-1g.bin", stream=True)
        return _stream(lambda: r.iter_content(CHUNK))


def stream_requests(env: dict[str, Any]) -> float:
    import requests

    with requests.Session() as s:
        r = s.get(env["nginx_http"] + "/big-1g.bin", stream=True)
        return _stream(lambda: r.iter_content(CHUNK))


def stream_urllib3(env: dict[str, Any]) -> float:
    import urllib3

    pm = urllib3.PoolManager()
    r = pm.request("GET", env["nginx_http"] + "/big-1g.bin", preload_content=False)
    return _stream(lambda: r.stream(CHUNK))


# -- async -------------------------------------------------------------------------------
async def _gather(one: Callable[[], Any]) -> float:
    sem = asyncio.Semaphore(IN_FLIGHT)

    async def limited() -> None:
        async with sem:
            await one()

    await one()
    start = time.perf_counter()
    await asyncio.gather(*(limited() for _ in range(N_ASYNC)))
    return time.perf_counter() - start


def async_tether(env: dict[str, Any]) -> float:
    import tether

    async def main() -> float:
        async with tether.AsyncSession() as s:
            url = env["nginx_http"] + "/small.txt"

            async def one() -> None:
                (await s.get(url)).content  # noqa: B018

            return await _gather(one)

    return asyncio.run(main())


def async_httpx(env: dict[str, Any]) -> float:
    import httpx

    async def main() -> float:
        limits = httpx.Limits(max_connections=IN_FLIGHT)
        async with httpx.AsyncClient(limits=limits) as c:
            url = env["nginx_http"] + "/small.txt"

            async def one() -> None:
                (await c.get(url)).content  # noqa: B018

            return await _gather(one)

    return asyncio.run(main())


def async_aiohttp(env: dict[str, Any]) -> float:
    import aiohttp

    async def main() -> float:
        async with aiohttp.ClientSession() as session:
            url = env["nginx_http"] + "/small.txt"

            async def one() -> None:
                async with session.get(url) as response:
                    await response.read()

            return await _gather(one)

    return asyncio.run(main())


Fn = Callable[[dict[str, Any]], float]

GROUPS: dict[str, dict[str, Fn]] = {
    f"api: {N_GET} keep-alive GETs, 100 B body": {
        "tether Session": get_tether,
        "requests Session": get_requests,
        "httpx Client": get_httpx,
        "urllib3 PoolManager": get_urllib3,
    },
    f"api: {N_TLS} keep-alive GETs over HTTPS": {
        "tether Session": tls_tether,
        "requests Session": tls_requests,
        "httpx Client": tls_httpx,
        "urllib3 PoolManager": tls_urllib3,
    },
    f"api: {N_POST} POSTs, 1 KiB JSON": {
        "tether Session": post_tether,
        "requests Session": post_requests,
        "httpx Client": post_httpx,
        "urllib3 PoolManager": post_urllib3,
    },
    "api: stream 1 GiB, iter_content(65536)": {
        "tether Session": stream_tether,
        "requests Session": stream_requests,
        "urllib3 stream()": stream_urllib3,
    },
    f"api: async {N_ASYNC} GETs, {IN_FLIGHT} in flight": {
        "tether AsyncSession": async_tether,
        "httpx AsyncClient": async_httpx,
        "aiohttp ClientSession": async_aiohttp,
    },
}
