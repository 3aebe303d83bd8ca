"""SMTPPool / AsyncSMTPPool: send_many spread over connections, sendmail on a borrowed one."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import tether.smtp as smtplib
from smtp._sink import read_dump
from tether.errors import ClosedError

pytestmark = pytest.mark.server

MESSAGES = [(f"s{i}@example.com", [f"r{i}@example.com"], f"Subject: {i}\n\nbody {i}\n")
            for i in range(24)]


def _check_dump(dump: Any) -> None:
    got = read_dump(dump, len(MESSAGES))
    # Connections interleave, so compare as sets of (sender, recipients, content).
    assert sorted((s, tuple(r), c.rstrip(b"\n")) for s, r, c in got) == sorted(
        (f"<{s}>".encode(), (f"<{r[0]}>".encode(),), b.encode().rstrip(b"\n"))
        for s, r, b in MESSAGES
    )


def test_sync_pool_send_many_over_three_connections(dumping_sink) -> None:  # type: ignore[no-untyped-def]
    port, dump = dumping_sink
    dump.unlink(missing_ok=True)
    made: list[smtplib.SMTP] = []
    threads: set[int] = set()

    def factory() -> smtplib.SMTP:
        threads.add(threading.get_ident())
        smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="c.test", timeout=10)
        made.append(smtp)
        return smtp

    with smtplib.SMTPPool(factory, size=3) as pool:
        assert pool.send_many(MESSAGES) == [{}] * len(MESSAGES)
        assert pool.sendmail("x@example.com", "y@example.com", "Subject: z\n\nz\n") == {}
    assert len(made) == 3 and len(threads) == 3  # three connections, used concurrently
    assert all(smtp.sock is None for smtp in made)  # QUIT on close
    with pytest.raises(ClosedError):
        pool.sendmail("x@example.com", "y@example.com", "late")
    MESSAGES.append(("x@example.com", ["y@example.com"], "Subject: z\n\nz\n"))
    try:
        _check_dump(dump)
    finally:
        MESSAGES.pop()


def test_async_pool_send_many_and_refusals(dumping_sink, smtpd) -> None:  # type: ignore[no-untyped-def]
    port, dump = dumping_sink
    dump.unlink(missing_ok=True)
    opened = 0

    async def main() -> None:
        nonlocal opened

        async def to_sink() -> smtplib.AsyncSMTP:
            nonlocal opened
            opened += 1
            smtp = smtplib.AsyncSMTP("127.0.0.1", port, local_hostname="c.test", timeout=10)
            await smtp.connect()
            return smtp

        async with smtplib.AsyncSMTPPool(to_sink, size=4) as pool:
            assert await pool.send_many(MESSAGES) == [{}] * len(MESSAGES)

        async def to_aiosmtpd() -> smtplib.AsyncSMTP:
            smtp = smtplib.AsyncSMTP(smtpd.host, smtpd.port, local_hostname="c.test",
                                     timeout=10)
            await smtp.connect()
            return smtp

        async with smtplib.AsyncSMTPPool(to_aiosmtpd, size=2) as pool:
            results = await pool.send_many([
                ("a@example.com", ["ok@example.com"], "x"),
                ("a@example.com", ["reject@example.com"], "y"),
                ("a@example.com", ["ok2@example.com"], "z"),
            ])
            assert results[0] == {} and results[2] == {}
            assert isinstance(results[1], smtplib.SMTPRecipientsRefused)
            refused = await pool.sendmail("a@example.com", ["ok3@x.org", "reject2@x.org"], "w")
            assert refused == {"reject2@x.org": (550, b"5.1.1 no such user here")}

    asyncio.run(main())
    assert opened == 4
    _check_dump(dump)
    assert sorted(m.rcpt_tos[0] for m in smtpd.handler.messages) == [
        "ok2@example.com", "ok3@x.org", "ok@example.com"]


def test_pool_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        smtplib.SMTPPool(lambda: smtplib.SMTP(), size=0)
