"""The requests API against raw-socket peers that misbehave on purpose, both colours.

Timeouts keep requests' per-wait meaning; ``TimeoutConfig(total=...)`` bounds the whole
call (issue 11); bombs, truncated bodies and silent peers give requests' exceptions,
which are also tether's.
"""

from __future__ import annotations

import datetime
import resource
import socket
import time
import zlib
from collections.abc import Callable

import pytest

import tether
from servers._http_colours import Both
from servers._peers import tcp_peer


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def http_peer(respond: Callable[[socket.socket], None]) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        _read_head(conn)
        respond(conn)

    return handler


def _drip(conn: socket.socket, data: bytes, interval: float, limit: float = 8.0) -> None:
    end = time.monotonic() + limit
    for i in range(len(data)):
        if time.monotonic() > end:
            return
        conn.sendall(data[i : i + 1])
        time.sleep(interval)


ENDLESS_HEAD = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 1000


def test_drip_head_is_bounded_by_total(s: Both) -> None:
    with tcp_peer(http_peer(lambda c: _drip(c, ENDLESS_HEAD, 0.5))) as port:
        start = time.monotonic()
        with pytest.raises(tether.Timeout) as info:
            s.get(f"http://127.0.0.1:{port}/",
                  timeout=tether.TimeoutConfig(connect=2, read=2, total=4))
        assert time.monotonic() - start < 5
        assert isinstance(info.value, tether.ReadTimeout)
        assert isinstance(info.value, TimeoutError)
        assert "total deadline" in str(info.value)


def test_drip_body_is_bounded_by_total(s: Both) -> None:
    def respond(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        _drip(conn, b"b" * 1000, 0.5)

    with tcp_peer(http_peer(respond)) as port:
        start = time.monotonic()
        with pytest.raises(tether.Timeout) as info:
            s.get(f"http://127.0.0.1:{port}/",
                  timeout=tether.TimeoutConfig(connect=2, read=2, total=4))
        assert time.monotonic() - start < 5
        assert "total deadline" in str(info.value)
        # requests reports a stalled body as ConnectionError; this is both.
        assert isinstance(info.value, tether.ConnectionError)


def test_drip_body_with_number_keeps_per_read_meaning(s: Both) -> None:
    body = b"abcdef"

    def respond(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n")
        _drip(conn, body, 0.5)

    with tcp_peer(http_peer(respond)) as port:
        start = time.monotonic()
        r = s.get(f"http://127.0.0.1:{port}/", timeout=2)
        assert r.content == body
        assert time.monotonic() - start >= 2.5  # the whole body took longer than 2 s


def test_silent_peer_read_timeout(s: Both) -> None:
    with tcp_peer(http_peer(lambda c: time.sleep(3))) as port:
        with pytest.raises(tether.Timeout) as info:
            s.get(f"http://127.0.0.1:{port}/", timeout=(2, 0.5))
        assert isinstance(info.value, tether.ReadTimeout)
        assert isinstance(info.value, tether.errors.ReadTimeout)
        assert info.value.request.url == f"http://127.0.0.1:{port}/"


def test_stream_body_timeout_is_connection_error_too(s: Both) -> None:
    def respond(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab")
        time.sleep(3)

    with tcp_peer(http_peer(respond)) as port:
        r = s.get(f"http://127.0.0.1:{port}/", timeout=0.5, stream=True)
        with pytest.raises(tether.ConnectionError) as info:
            s.read(r)
        assert isinstance(info.value, tether.ReadTimeout)


def test_truncated_body_is_chunked_encoding_error(s: Both) -> None:
    def respond(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")

    with tcp_peer(http_peer(respond)) as port:
        with pytest.raises(tether.exceptions.ChunkedEncodingError) as info:
            s.get(f"http://127.0.0.1:{port}/")
        assert isinstance(info.value, tether.errors.RemoteProtocolError)


def test_no_response_is_connection_error(s: Both) -> None:
    with tcp_peer(http_peer(lambda c: None)) as port, pytest.raises(tether.ConnectionError):
        s.get(f"http://127.0.0.1:{port}/")


def test_bad_gzip_is_content_decoding_error(s: Both) -> None:
    def respond(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 20\r\n\r\n"
                     + b"\xff" * 20)

    with tcp_peer(http_peer(respond)) as port, \
            pytest.raises(tether.exceptions.ContentDecodingError):
        s.get(f"http://127.0.0.1:{port}/")


_BOMB_SIZE = 1024 * 1024 * 1024


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """1 GiB of zeros, gzip'd (about 1 MiB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [comp.compress(block) for _ in range(_BOMB_SIZE // len(block))]
    parts.append(comp.flush())
    return b"".join(parts)


def _serve_body(body: bytes, coding: str = "gzip") -> Callable[[socket.socket], None]:
    def respond(conn: socket.socket) -> None:
        head = (f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        try:
            conn.sendall(head + body)
        except OSError:
            pass

    return http_peer(respond)


def test_gzip_bomb_in_memory_is_refused(s: Both, gzip_bomb: bytes) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tcp_peer(_serve_body(gzip_bomb)) as port, \
            pytest.raises(tether.exceptions.DecompressionBombError) as info:
        s.get(f"http://127.0.0.1:{port}/")
    err = info.value
    assert isinstance(err, tether.exceptions.ContentDecodingError)
    assert isinstance(err, tether.errors.LimitExceeded)
    assert err.limit == "max_decompression_ratio"
    assert "stream=True" in str(err) and "max_decompression_ratio" in str(err)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 256 * 1024


def test_gzip_bomb_streams_in_bounded_chunks(s: Both, gzip_bomb: bytes) -> None:
    with tcp_peer(_serve_body(gzip_bomb)) as port:
        r = s.get(f"http://127.0.0.1:{port}/", stream=True)
        if s.loop is None:
            it = r.iter_content(65536)
            sizes = [len(next(it)) for _ in range(100)]
            r.close()
        else:
            async def take() -> list[int]:
                out = []
                async for chunk in r.aiter_content(65536):
                    out.append(len(chunk))
                    if len(out) == 100:
                        break
                await r.aclose()
                return out

            sizes = s.run(take())
    assert sizes == [65536] * 100


def test_bomb_guard_can_be_turned_off(gzip_bomb: bytes) -> None:
    small = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = small.compress(b"\0" * (40 * 1024 * 1024)) + small.flush()
    with tcp_peer(_serve_body(body)) as port, \
            tether.Session(max_decompression_ratio=None) as session:
        assert len(session.get(f"http://127.0.0.1:{port}/").content) == 40 * 1024 * 1024


def test_normal_ratio_large_body_reads_in_full(s: Both) -> None:
    text = b"".join(b"line %08d: the quick brown fox jumps over the lazy dog\n" % i
                    for i in range(600_000))  # about 37 MiB, gzip ratio well under 100
    comp = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = comp.compress(text) + comp.flush()
    assert len(text) / len(body) < 100
    with tcp_peer(_serve_body(body)) as port:
        assert s.get(f"http://127.0.0.1:{port}/").content == text


def test_adapter_build_response_of_its_own_gets_a_timedelta(s: Both) -> None:
    # A session runs its adapter's exchange inline and records ``elapsed`` as seconds on
    # tether's Response; an adapter whose build_response returns its own object (with
    # a plain ``elapsed`` attribute) must still get the timedelta requests sets.
    class Plain:
        def __init__(self, inner: tether.Response) -> None:
            self.inner = inner
            self.elapsed: object = None
            self.history: list[object] = []
            self.headers = inner.headers
            self.status_code = inner.status_code
            self.raw = inner.raw
            self.request = inner.request
            self.is_redirect = False
            self.hooks = None

    base = tether.adapters.AsyncHTTPAdapter if s.colour == "async" else tether.adapters.HTTPAdapter

    class Own(base):  # type: ignore[misc, valid-type]
        def build_response(self, req: object, resp: object) -> object:
            return Plain(super().build_response(req, resp))  # type: ignore[arg-type]

    body = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    with tcp_peer(http_peer(lambda c: c.sendall(body))) as port:
        s.mount("http://", Own())
        r = s.get(f"http://127.0.0.1:{port}/", stream=True)
    assert type(r) is Plain
    assert isinstance(r.elapsed, datetime.timedelta)
