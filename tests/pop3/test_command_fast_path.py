"""The one-read path of ordinary commands: read sizes, split answers, poplib's results."""

from __future__ import annotations

import poplib
import time
from typing import Any

import pytest

import tether.pop3 as pop3
from pop3._colours import call, open_client
from pop3._fake import Peer, fake_pop3
from tether.pop3 import _exchanges as ex

COLOURS = ["sync", "async"]
GREETING = b"+OK ready\r\n"
BIG = b"".join(b"line %06d of a large message\r\n" % n for n in range(12_000))  # ~400 KB


class RecordingStream:
    """Wraps the client's stream; records the size asked of each read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reads: list[int] = []

    def read(self, max_bytes: int = 65536, *args: Any) -> Any:
        self.reads.append(max_bytes)
        return self.inner.read(max_bytes, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _answers(peer: Peer) -> None:
    """TOP 1: one small answer; TOP 2: its status and body trickle in three writes;
    TOP 3: dot-stuffed; RETR 4: a large body; NOOP; then TOP 5 answered -ERR."""
    peer.send(GREETING)
    peer.expect(b"TOP 1", b"+OK\r\nSubject: one\r\n\r\n.\r\n")
    peer.line()
    for piece in (b"+OK 2", b" follows\r\nSubject: t", b"wo\r\n\r\n.\r\n"):
        peer.send(piece)
        time.sleep(0.05)
    peer.expect(b"TOP 3", b"+OK\r\n..dot\r\n.\r\n")
    peer.expect(b"RETR 4", b"+OK big\r\n" + BIG + b".\r\n")
    peer.expect(b"NOOP", b"+OK\r\n")
    peer.expect(b"TOP 5", b"-ERR no such message\r\n")
    peer.line()


def _run_poplib(port: int) -> list[Any]:
    client = poplib.POP3("127.0.0.1", port, timeout=5)
    out: list[Any] = [client.top(n, 0) for n in (1, 2, 3)]
    out.append(client.retr(4)[2])
    out.append(client.noop())
    with pytest.raises(poplib.error_proto) as info:
        client.top(5, 0)
    out.append(info.value.args)
    client.close()
    return out


@pytest.mark.parametrize("colour", COLOURS)
async def test_same_results_as_poplib_and_small_first_reads(colour: str) -> None:
    with fake_pop3(_answers) as (port, _):
        expected = _run_poplib(port)
    with fake_pop3(_answers) as (port, _):
        client = await open_client(colour, port, timeout=5)
        stream = RecordingStream(client._s.transport.stream)
        client._s.transport.stream = stream
        got: list[Any] = [await call(client, "top", n, 0) for n in (1, 2, 3)]
        stream.reads.clear()
        assert await call(client, "retr_bytes", 4) == BIG
        got.append(len(BIG))
        big_reads = list(stream.reads)
        got.append(await call(client, "noop"))
        with pytest.raises(pop3.error_proto) as info:
            await call(client, "top", 5, 0)
        got.append(info.value.args)
        await call(client, "close")
    assert got == expected
    # The read right after a command stays below glibc's mmap threshold (128 KiB): a
    # 256 KiB recv per TOP cost an mmap/mremap/munmap each. A large body continues with
    # large reads.
    assert ex.FIRST_READ_SIZE <= 64 * 1024
    assert big_reads[0] == ex.FIRST_READ_SIZE
    assert set(big_reads[1:]) == {ex.READ_SIZE}


def test_top_loop_reads_once_per_command() -> None:
    def handler(peer: Peer) -> None:
        peer.send(GREETING)
        for n in range(1, 51):
            peer.expect(b"TOP %d" % n, b"+OK\r\nSubject: %d\r\n\r\n.\r\n" % n)
        peer.line()

    with fake_pop3(handler) as (port, _):
        client = pop3.POP3("127.0.0.1", port, timeout=5)
        stream = RecordingStream(client._s.transport.stream)
        client._s.transport.stream = stream
        for n in range(1, 51):
            assert client.top(n, 0) == (b"+OK", [b"Subject: %d" % n, b""],
                                        len(b"Subject: %d\r\n\r\n" % n))
        assert stream.reads == [ex.FIRST_READ_SIZE] * 50
        client.close()
