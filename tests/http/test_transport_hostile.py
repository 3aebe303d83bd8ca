"""The transport against raw-socket peers that misbehave on purpose, both colours."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tether import errors
from tether.http import AsyncHTTPTransport, HTTPTransport, RawRequest, RawResponse
from tether.net import TimeoutConfig

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


class Client:
    def __init__(self, colour: str, **kwargs: Any) -> None:
        self.colour = colour
        if colour == "sync":
            self.t: Any = HTTPTransport(**kwargs)
        else:
            self.loop = asyncio.new_event_loop()
            self.t = AsyncHTTPTransport(**kwargs)

    def run(self, fn: Callable[..., Any], afn: Callable[..., Any], *args: Any) -> Any:
        if self.colour == "sync":
            return fn(*args)
        return self.loop.run_until_complete(afn(*args))

    def send(self, request: RawRequest) -> RawResponse:
        return self.run(self.t.handle_request if self.colour == "sync" else None,  # type: ignore[arg-type]
                        getattr(self.t, "handle_async_request", None), request)

    def read(self, response: RawResponse) -> bytes:
        return self.run(response.read, response.aread)

    def fetch(self, request: RawRequest) -> tuple[RawResponse, bytes]:
        response = self.send(request)
        return response, self.read(response)

    def close(self) -> None:
        if self.colour == "sync":
            self.t.close()
        else:
            self.loop.run_until_complete(self.t.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    c = Client(request.param)
    yield c
    c.close()


@contextmanager
def peer(*handlers: Callable[[socket.socket], None]) -> Iterator[int]:
    """Serve one connection per handler (in accept order, concurrently); yield the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(5)
    port = listener.getsockname()[1]
    failures: list[BaseException] = []

    def handle(handler: Callable[[socket.socket], None], conn: socket.socket) -> None:
        with conn:
            try:
                handler(conn)
            except OSError:
                pass
            except BaseException as exc:
                failures.append(exc)

    workers: list[threading.Thread] = []

    def serve() -> None:
        for handler in handlers:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            worker = threading.Thread(target=handle, args=(handler, conn), daemon=True)
            worker.start()
            workers.append(worker)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        listener.close()
        thread.join(5)
        for worker in workers:
            worker.join(6)
    if failures:
        raise failures[0]


def read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    return data


def read_until(conn: socket.socket, marker: bytes, data: bytes = b"") -> bytes:
    while marker not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def req(port: int, method: bytes = b"GET", body: Any = None,
        headers: list[tuple[bytes, bytes]] | None = None,
        timeouts: TimeoutConfig | None = None) -> RawRequest:
    timeouts = timeouts or TimeoutConfig(connect=5, read=5, write=5, pool=5)
    return RawRequest(method, "http", "127.0.0.1", port, b"/", [(b"Host", b"t"),
                      *(headers or [])], body=body, timeouts=timeouts,
                      deadline=timeouts.deadline())


def serve_requests(*responses: bytes, then_close: bool = True) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        for response in responses:
            read_head(conn)
            conn.sendall(response)
        if not then_close:
            conn.settimeout(5)
            conn.recv(1)  # hold the connection open until the client closes it
    return handler


# -- keep-alive and the idle-close race ---------------------------------------------------
def test_idle_close_detected_before_reuse(client: Client) -> None:
    with peer(serve_requests(OK), serve_requests(OK)) as port:
        _, body = client.fetch(req(port))
        time.sleep(0.2)  # the peer's FIN arrives while the connection is idle
        response, body = client.fetch(req(port))
        assert body == b"ok"
        assert response.extensions["reused"] is False


def test_idempotent_request_retried_once_after_idle_close_race(client: Client) -> None:
    def first(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(OK)
        read_head(conn)  # the second request arrives... and we hang up without answering

    with peer(first, serve_requests(OK)) as port:
        client.fetch(req(port))
        response, body = client.fetch(req(port))
        assert body == b"ok" and response.extensions["reused"] is False


def test_non_idempotent_request_not_retried(client: Client) -> None:
    def first(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(OK)
        read_until(conn, b"body")

    with peer(first) as port:
        client.fetch(req(port))
        with pytest.raises((errors.ConnectionClosed, errors.ReadError)):
            client.fetch(req(port, b"POST", b"body"))
        assert client.t.statistics()["connections"] == 0


def test_data_sent_while_idle_makes_connection_unusable(client: Client) -> None:
    with peer(serve_requests(OK + b"HTTP/1.1 408 Request Timeout\r\n\r\n", then_close=False),
              serve_requests(OK)) as port:
        client.fetch(req(port))
        time.sleep(0.1)
        response, body = client.fetch(req(port))
        assert body == b"ok" and not response.extensions["reused"]


# -- deadlines ----------------------------------------------------------------------------
def drip_after(prefix: bytes, interval: float = 0.2, limit: float = 4.0
               ) -> Callable[[socket.socket], None]:
    def handler(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(prefix)
        end = time.monotonic() + limit
        while time.monotonic() < end:
            conn.sendall(b"x")
            time.sleep(interval)
    return handler


def test_total_deadline_bounds_a_dripped_head(client: Client) -> None:
    timeouts = TimeoutConfig(connect=2, read=2, total=1.0)
    with peer(drip_after(b"HTTP/1.1 200 OK\r\nX-Drip: ")) as port:
        start = time.monotonic()
        with pytest.raises(errors.ReadTimeout, match="total deadline"):
            client.send(req(port, timeouts=timeouts))
        assert time.monotonic() - start < 2.0


def test_total_deadline_bounds_a_dripped_body(client: Client) -> None:
    timeouts = TimeoutConfig(connect=2, read=2, total=1.0)
    with peer(drip_after(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")) as port:
        start = time.monotonic()
        response = client.send(req(port, timeouts=timeouts))
        with pytest.raises(errors.ReadTimeout, match="total deadline"):
            client.read(response)
        assert time.monotonic() - start < 2.0
        assert client.t.statistics()["connections"] == 0


def test_read_timeout_is_per_wait_without_total(client: Client) -> None:
    timeouts = TimeoutConfig(connect=2, read=0.6)
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"

    def slow(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(head)
        for _ in range(6):
            time.sleep(0.25)
            conn.sendall(b"y")

    with peer(slow) as port:
        start = time.monotonic()
        _, body = client.fetch(req(port, timeouts=timeouts))
        assert body == b"yyyyyy"
        assert time.monotonic() - start > 1.2  # longer than one read timeout, no error


# -- framing and hostile responses --------------------------------------------------------
@pytest.mark.parametrize(
    "wire",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc",
    ],
    ids=["te+cl", "two-cl", "te-gzip", "bare-cr", "space-before-colon"],
)
def test_smuggling_attempts_refused(client: Client, wire: bytes) -> None:
    with peer(serve_requests(wire)) as port:
        with pytest.raises(errors.RemoteProtocolError):
            client.send(req(port))
        assert client.t.statistics()["connections"] == 0


def test_truncated_body(client: Client) -> None:
    with peer(serve_requests(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")) as port:
        response = client.send(req(port))
        with pytest.raises(errors.RemoteProtocolError, match="3 of 10"):
            client.read(response)


def test_no_response_at_all(client: Client) -> None:
    with peer(read_head) as port, pytest.raises(errors.ConnectionClosed,
                                                 match="without sending a response"):
        client.send(req(port))


def test_endless_head_is_bounded(client: Client) -> None:
    def endless(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(200):
            conn.sendall(b"X-Junk: " + b"j" * 1000 + b"\r\n")

    with peer(endless) as port, pytest.raises(errors.LimitExceeded):
        client.send(req(port))


def test_close_delimited_body_and_trailers(client: Client) -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"3\r\nabc\r\n0\r\nX-Checksum: 42\r\n\r\n")
    with peer(serve_requests(chunked, b"HTTP/1.0 200 OK\r\n\r\nuntil close")) as port:
        response, body = client.fetch(req(port))
        assert body == b"abc" and response.extensions["trailers"] == [(b"X-Checksum", b"42")]
        response, body = client.fetch(req(port))
        assert body == b"until close"
        assert client.t.statistics()["connections"] == 0


# -- request bodies and Expect ------------------------------------------------------------
def test_iterable_body_is_sent_chunked(client: Client) -> None:
    got: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        got.append(read_until(conn, b"0\r\n\r\n"))
        conn.sendall(OK)

    def gen() -> Iterator[bytes]:
        yield b"hello "
        yield b""
        yield b"world"

    with peer(handler) as port:
        client.fetch(req(port, b"POST", gen()))
    head, _, body = got[0].partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked" in head
    assert body == b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"


def test_async_iterable_body() -> None:
    got: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        got.append(read_until(conn, b"0\r\n\r\n"))
        conn.sendall(OK)

    async def gen() -> Any:
        for piece in (b"a", b"bc"):
            await asyncio.sleep(0)
            yield piece

    async def main(port: int) -> bytes:
        async with AsyncHTTPTransport() as transport:
            response = await transport.handle_async_request(req(port, b"PUT", gen()))
            return await response.aread()

    with peer(handler) as port:
        assert asyncio.run(main(port)) == b"ok"
    assert got[0].endswith(b"1\r\na\r\n2\r\nbc\r\n0\r\n\r\n")


def test_expect_100_continue(client: Client) -> None:
    def handler(conn: socket.socket) -> None:
        head = read_head(conn)
        assert head.endswith(b"\r\n\r\n"), head  # nothing of the body before 100
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = read_until(conn, b"payload")
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body))

    with peer(handler) as port:
        response, body = client.fetch(req(port, b"POST", b"payload",
                                          [(b"Expect", b"100-continue")]))
    assert body == b"payload"
    assert [e.status_code for e in response.extensions["interim"]] == [100]


def test_expect_final_answer_means_body_not_sent(client: Client) -> None:
    received: list[bytes] = []

    def handler(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n")
        conn.settimeout(0.5)
        try:
            received.append(conn.recv(100))
        except OSError:
            received.append(b"")

    with peer(handler) as port:
        response, _ = client.fetch(req(port, b"POST", b"payload",
                                       [(b"Expect", b"100-continue")]))
    assert response.status == 417
    assert received == [b""]
    assert client.t.statistics()["connections"] == 0


def test_header_injection_refused_before_connecting(client: Client) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(errors.LocalProtocolError):
            client.send(req(port, headers=[(b"X", b"a\r\nInjected: yes")]))
        listener.settimeout(0.2)
        with pytest.raises(OSError):  # nobody even connected
            listener.accept()


# -- the pool -----------------------------------------------------------------------------
def test_pool_timeout_and_release_on_close() -> None:
    timeouts = TimeoutConfig(connect=2, read=2, pool=0.2)
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"z" * 100
    with peer(serve_requests(big, then_close=False), serve_requests(OK)) as port:
        transport = HTTPTransport(max_connections_per_host=1)
        first = transport.handle_request(req(port, timeouts=timeouts))
        with pytest.raises(errors.PoolTimeout):
            transport.handle_request(req(port, timeouts=timeouts))
        first.close()
        assert transport.handle_request(req(port, timeouts=timeouts)).read() == b"ok"
        transport.close()


def test_unclosed_response_returns_its_slot_when_collected() -> None:
    timeouts = TimeoutConfig(connect=2, read=2, pool=0.5)
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"z" * 100
    with peer(serve_requests(big, then_close=False), serve_requests(OK)) as port:
        transport = HTTPTransport(max_connections_per_host=1)
        response = transport.handle_request(req(port, timeouts=timeouts))
        del response
        gc.collect()
        assert transport.handle_request(req(port, timeouts=timeouts)).read() == b"ok"
        transport.close()


def test_async_pool_wait_is_cancellable() -> None:
    big = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"z" * 100

    async def main(port: int) -> dict[str, int]:
        transport = AsyncHTTPTransport(max_connections_per_host=1)
        first = await transport.handle_async_request(req(port))
        task = asyncio.ensure_future(transport.handle_async_request(req(port)))
        await asyncio.sleep(0.05)
        assert transport.statistics()["waiting"] == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        stats = transport.statistics()
        await first.aclose()
        await transport.aclose()
        return stats

    with peer(serve_requests(big, then_close=False)) as port:
        assert asyncio.run(main(port)) == {"connections": 1, "idle": 0, "waiting": 0}
