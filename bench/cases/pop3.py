"""tether.pop3 against poplib and curl, on Dovecot over loopback.

Targets (issue 7): RETR of 200 messages of 1 MiB at least 2x poplib's MB/s; TOP n 0
over 10,000 messages at least as fast as poplib; async retrieval over 4 connections at
least 2x sync poplib. ``curl pop3://`` is the C anchor.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from typing import Any

NEEDS = ["dovecot"]
N_CONNS = 4


def _login(module: Any, creds: tuple[str, int, str, str]) -> Any:
    host, port, user, password = creds
    client = module.POP3(host, port, timeout=60)
    client.user(user)
    client.pass_(password)
    return client


def _retr_all(module: Any, env: dict[str, Any], method: str) -> float:
    module._MAXLINE = 1 << 20
    client = _login(module, env["dovecot_pop3"])
    count = client.stat()[0]
    fetch = getattr(client, method)
    total = 0
    start = time.perf_counter()
    for n in range(1, count + 1):
        result = fetch(n)
        total += len(result) if isinstance(result, bytes) else result[2]
    elapsed = time.perf_counter() - start
    client.quit()
    assert total > 200 * 1000 * 1000, total
    return elapsed


def retr_tether(env: dict[str, Any]) -> float:
    import tether.pop3

    return _retr_all(tether.pop3, env, "retr")


def retr_bytes_tether(env: dict[str, Any]) -> float:
    import tether.pop3

    return _retr_all(tether.pop3, env, "retr_bytes")


def retr_poplib(env: dict[str, Any]) -> float:
    import poplib

    return _retr_all(poplib, env, "retr")


def retr_curl(env: dict[str, Any]) -> float:
    host, port, user, password = env["dovecot_pop3"]
    curl = shutil.which("curl")
    assert curl, "curl not installed"
    start = time.perf_counter()
    subprocess.run([curl, "-s", "-u", f"{user}:{password}", f"pop3://{host}:{port}/[1-200]"],
                   stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def _top_all(module: Any, env: dict[str, Any]) -> float:
    client = _login(module, env["dovecot_pop3_top"])
    count = client.stat()[0]
    start = time.perf_counter()
    for n in range(1, count + 1):
        client.top(n, 0)
    elapsed = time.perf_counter() - start
    client.quit()
    return elapsed


def top_tether(env: dict[str, Any]) -> float:
    import tether.pop3

    return _top_all(tether.pop3, env)


def top_many_tether(env: dict[str, Any]) -> float:
    import tether.pop3

    client = _login(tether.pop3, env["dovecot_pop3_top"])
    count = client.stat()[0]
    start = time.perf_counter()
    results = client.top_many(range(1, count + 1), 0)
    elapsed = time.perf_counter() - start
    client.quit()
    assert len(results) == count
    return elapsed


def top_poplib(env: dict[str, Any]) -> float:
    import poplib

    return _top_all(poplib, env)


def async4_tether(env: dict[str, Any]) -> float:
    import tether.pop3

    host, port, user, password = env["dovecot_pop3"]

    async def connect() -> Any:
        client = tether.pop3.AsyncPOP3(host, port, timeout=60)
        await client.connect()
        await client.user(user)
        await client.pass_(password)
        return client

    async def worker(client: Any, numbers: range) -> int:
        size = 0
        for n in numbers:
            data = await client.retr_bytes(n)
            size += len(data)
        return size

    async def main() -> float:
        clients = [await connect() for _ in range(N_CONNS)]
        count = (await clients[0].stat())[0]
        start = time.perf_counter()
        sizes = await asyncio.gather(*(worker(c, range(i + 1, count + 1, N_CONNS))
                                       for i, c in enumerate(clients)))
        elapsed = time.perf_counter() - start
        for c in clients:
            await c.quit()
        assert sum(sizes) > 200 * 1000 * 1000
        return elapsed

    return asyncio.run(main())


GROUPS = {
    "POP3 RETR 200 x 1 MiB (lines, poplib shape)": {
        "tether": retr_tether,
        "poplib": retr_poplib,
        "curl": retr_curl,
    },
    "POP3 RETR 200 x 1 MiB as bytes (retr_bytes)": {
        "tether": retr_bytes_tether,
        "poplib": retr_poplib,
    },
    "POP3 TOP n 0 x 10,000 (top() in a loop)": {
        "tether": top_tether,
        "poplib": top_poplib,
    },
    "POP3 TOP n 0 x 10,000 (tether: pipelined top_many)": {
        "tether": top_many_tether,
        "poplib": top_poplib,
    },
    "POP3 200 x 1 MiB over 4 async connections": {
        "tether": async4_tether,
        "poplib": retr_poplib,
    },
}
