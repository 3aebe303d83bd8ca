"""tether.smtp against smtplib, aiosmtplib and Postfix's smtp-source, on smtp-sink.

Targets (issue 6): 1,000 messages of 10 KiB on one connection >= 1.5x smtplib and
>= smtp-source; one message to 1,000 recipients >= 2x smtplib; 1,000 messages over 8
async connections >= 2x aiosmtplib.

Two tether rows for bulk sending: ``send_many`` (the API for it: one round trip per
message under PIPELINING) and a plain loop of ``sendmail`` (what migrated smtplib code
does: two round trips per message), each in its own group so both ratios show.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from typing import Any

NEEDS = ["smtp_sink"]
N_MESSAGES = 1000
BODY = b"Subject: bench\r\nFrom: a@example.com\r\nTo: b@example.com\r\n\r\n" + (
    b"0123456789abcdef" * 63 + b"\r\n"
) * 10  # about 10 KiB
N_RCPTS = 1000
RCPTS = [f"user{i}@example.com" for i in range(N_RCPTS)]
N_CONNS = 8


def _many_sync(module: Any, env: dict[str, Any]) -> float:
    host, port = env["smtp_sink"]
    smtp = module.SMTP(host, port, local_hostname="bench.test", timeout=30)
    smtp.ehlo()
    start = time.perf_counter()
    for _ in range(N_MESSAGES):
        smtp.sendmail("a@example.com", ["b@example.com"], BODY)
    elapsed = time.perf_counter() - start
    smtp.quit()
    return elapsed


def many_tether(env: dict[str, Any]) -> float:
    import tether.smtp

    return _many_sync(tether.smtp, env)


def many_tether_send_many(env: dict[str, Any]) -> float:
    import tether.smtp

    host, port = env["smtp_sink"]
    smtp = tether.smtp.SMTP(host, port, local_hostname="bench.test", timeout=30)
    smtp.ehlo()
    messages = [("a@example.com", ["b@example.com"], BODY)] * N_MESSAGES
    start = time.perf_counter()
    results = smtp.send_many(messages)
    elapsed = time.perf_counter() - start
    assert results == [{}] * N_MESSAGES
    smtp.quit()
    return elapsed


def many_smtplib(env: dict[str, Any]) -> float:
    import smtplib

    return _many_sync(smtplib, env)


def _smtp_source(env: dict[str, Any], *args: str) -> float:
    host, port = env["smtp_sink"]
    program = shutil.which("smtp-source") or "/usr/sbin/smtp-source"
    start = time.perf_counter()
    subprocess.run([program, *args, f"{host}:{port}"], check=True, timeout=300)
    return time.perf_counter() - start


def many_smtp_source(env: dict[str, Any]) -> float:
    # -d: keep the connection between messages; -l: payload bytes.
    return _smtp_source(env, "-d", "-s", "1", "-m", str(N_MESSAGES), "-l", str(len(BODY)))


def _rcpts_sync(module: Any, env: dict[str, Any]) -> float:
    host, port = env["smtp_sink"]
    smtp = module.SMTP(host, port, local_hostname="bench.test", timeout=30)
    smtp.ehlo()
    start = time.perf_counter()
    smtp.sendmail("a@example.com", RCPTS, BODY)
    elapsed = time.perf_counter() - start
    smtp.quit()
    return elapsed


def rcpts_tether(env: dict[str, Any]) -> float:
    import tether.smtp

    return _rcpts_sync(tether.smtp, env)


def rcpts_smtplib(env: dict[str, Any]) -> float:
    import smtplib

    return _rcpts_sync(smtplib, env)


def rcpts_smtp_source(env: dict[str, Any]) -> float:
    return _smtp_source(env, "-s", "1", "-m", "1", "-r", str(N_RCPTS), "-l", str(len(BODY)))


async def _async_tether(env: dict[str, Any]) -> float:
    import tether.smtp

    host, port = env["smtp_sink"]
    clients = [tether.smtp.AsyncSMTP(host, port, local_hostname="bench.test", timeout=30)
               for _ in range(N_CONNS)]
    for c in clients:
        await c.connect()
        await c.ehlo()

    async def worker(c: Any) -> None:
        for _ in range(N_MESSAGES // N_CONNS):
            await c.sendmail("a@example.com", ["b@example.com"], BODY)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    elapsed = time.perf_counter() - start
    for c in clients:
        await c.quit()
    return elapsed


async def _async_tether_send_many(env: dict[str, Any]) -> float:
    import tether.smtp

    host, port = env["smtp_sink"]
    clients = [tether.smtp.AsyncSMTP(host, port, local_hostname="bench.test", timeout=30)
               for _ in range(N_CONNS)]
    for c in clients:
        await c.connect()
        await c.ehlo()
    share = [("a@example.com", ["b@example.com"], BODY)] * (N_MESSAGES // N_CONNS)

    start = time.perf_counter()
    results = await asyncio.gather(*(c.send_many(share) for c in clients))
    elapsed = time.perf_counter() - start
    assert all(r == [{}] * len(share) for r in results)
    for c in clients:
        await c.quit()
    return elapsed


async def _async_aiosmtplib(env: dict[str, Any]) -> float:
    import aiosmtplib

    host, port = env["smtp_sink"]
    clients = [aiosmtplib.SMTP(hostname=host, port=port, local_hostname="bench.test",
                               timeout=30, start_tls=False, use_tls=False)
               for _ in range(N_CONNS)]
    for c in clients:
        await c.connect()
        await c.ehlo()

    async def worker(c: Any) -> None:
        for _ in range(N_MESSAGES // N_CONNS):
            await c.sendmail("a@example.com", ["b@example.com"], BODY)

    start = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    elapsed = time.perf_counter() - start
    for c in clients:
        await c.quit()
    return elapsed


def async_tether(env: dict[str, Any]) -> float:
    return asyncio.run(_async_tether(env))


def async_tether_send_many(env: dict[str, Any]) -> float:
    return asyncio.run(_async_tether_send_many(env))


def async_aiosmtplib(env: dict[str, Any]) -> float:
    return asyncio.run(_async_aiosmtplib(env))


GROUPS = {
    "1000 messages x 10 KiB, one connection, send_many": {
        "tether send_many": many_tether_send_many,
        "smtplib sendmail loop": many_smtplib,
        "smtp-source": many_smtp_source,
    },
    "1000 messages x 10 KiB, one connection, sendmail loop": {
        "tether sendmail loop": many_tether,
        "smtplib sendmail loop": many_smtplib,
    },
    "one message to 1000 recipients": {
        "tether": rcpts_tether,
        "smtplib": rcpts_smtplib,
        "smtp-source": rcpts_smtp_source,
    },
    "async: 1000 messages over 8 connections, send_many": {
        "tether send_many": async_tether_send_many,
        "aiosmtplib sendmail loop": async_aiosmtplib,
    },
    "async: 1000 messages over 8 connections, sendmail loop": {
        "tether sendmail loop": async_tether,
        "aiosmtplib sendmail loop": async_aiosmtplib,
    },
}
