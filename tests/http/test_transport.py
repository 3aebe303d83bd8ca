"""HTTPTransport and AsyncHTTPTransport against a real nginx, both colours."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from typing import Any

import pytest

from tether.http import AsyncHTTPTransport, HTTPTransport, RawRequest, RawResponse
from tether.net import create_ssl_context

pytestmark = pytest.mark.server


class Client:
    """One transport of either colour, driven from sync test code."""

    def __init__(self, colour: str, **kwargs: Any) -> None:
        self.colour = colour
        if colour == "sync":
            self.sync = HTTPTransport(**kwargs)
        else:
            self.loop = asyncio.new_event_loop()
            self.aio = AsyncHTTPTransport(**kwargs)

    def send(self, request: RawRequest) -> RawResponse:
        if self.colour == "sync":
            return self.sync.handle_request(request)
        return self.loop.run_until_complete(self.aio.handle_async_request(request))

    def fetch(self, request: RawRequest) -> tuple[RawResponse, bytes]:
        response = self.send(request)
        return response, self.read(response)

    def read(self, response: RawResponse) -> bytes:
        if self.colour == "sync":
            return response.read()
        return self.loop.run_until_complete(response.aread())

    def chunks(self, response: RawResponse, size: int) -> list[bytes]:
        if self.colour == "sync":
            return list(response.iter_raw(size))

        async def collect() -> list[bytes]:
            return [c async for c in response.aiter_raw(size)]

        return self.loop.run_until_complete(collect())

    def stats(self) -> dict[str, int]:
        return self.sync.statistics() if self.colour == "sync" else self.aio.statistics()

    def close(self) -> None:
        if self.colour == "sync":
            self.sync.close()
        else:
            self.loop.run_until_complete(self.aio.aclose())
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest) -> Any:
    c = Client(request.param)
    yield c
    c.close()


def make(nginx: Any, path: bytes, *, https: bool = False, method: bytes = b"GET",
         headers: list[tuple[bytes, bytes]] | None = None, body: Any = None) -> RawRequest:
    host = "localhost" if https else nginx.host
    port = nginx.tls_port if https else nginx.port
    ctx = create_ssl_context(verify=str(nginx.tls.ca_pem)) if https else None
    return RawRequest(method, "https" if https else "http", host, port, path,
                      [(b"Host", f"{host}:{port}".encode()), *(headers or [])],
                      body=body, ssl_context=ctx)


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_get_and_keep_alive_reuse(client: Client, nginx: Any, https: bool) -> None:
    expected = (nginx.docroot / "small.txt").read_bytes()
    for i in range(4):
        response, body = client.fetch(make(nginx, b"/small.txt", https=https))
        assert response.status == 200 and response.reason == "OK"
        assert response.http_version == "HTTP/1.1"
        assert body == expected
        assert response.extensions["reused"] is (i > 0)
        assert (response.extensions["ssl_object"] is not None) is https
    assert client.stats() == {"connections": 1, "idle": 1, "waiting": 0}


def test_tls_settings_are_part_of_the_pool_key(client: Client, nginx: Any) -> None:
    client.fetch(make(nginx, b"/small.txt", https=True))
    request = make(nginx, b"/small.txt", https=True)
    request.ssl_context = create_ssl_context(verify=False)
    response, _ = client.fetch(request)
    assert not response.extensions["reused"]
    assert client.stats()["connections"] == 2


def test_head_204_404(client: Client, nginx: Any) -> None:
    response, body = client.fetch(make(nginx, b"/small.txt", method=b"HEAD"))
    assert response.status == 200 and body == b""
    assert (b"Content-Length", b"100") in response.headers
    response, body = client.fetch(make(nginx, b"/status/204"))
    assert response.status == 204 and body == b""
    response, body = client.fetch(make(nginx, b"/status/404"))
    assert response.status == 404 and b"404" in body
    assert client.stats()["connections"] == 1


def test_chunked_gzip_body_is_dechunked_not_decoded(client: Client, nginx: Any) -> None:
    response, body = client.fetch(make(nginx, b"/text.txt",
                                       headers=[(b"Accept-Encoding", b"gzip")]))
    names = {n.lower(): v for n, v in response.headers}
    assert names[b"content-encoding"] == b"gzip"
    assert names[b"transfer-encoding"] == b"chunked"
    assert gzip.decompress(body) == (nginx.docroot / "text.txt").read_bytes()
    assert client.stats()["idle"] == 1


def test_streamed_body_in_fixed_chunks(client: Client, nginx: Any) -> None:
    response = client.send(make(nginx, b"/random-1m.bin"))
    chunks = client.chunks(response, 65536)
    assert all(len(c) == 65536 for c in chunks)
    assert b"".join(chunks) == (nginx.docroot / "random-1m.bin").read_bytes()
    assert client.stats()["idle"] == 1


def test_closing_half_read_response_discards_connection(client: Client, nginx: Any) -> None:
    response = client.send(make(nginx, b"/random-1m.bin"))
    if client.colour == "sync":
        assert len(response.read_some(1000)) <= 1000
        response.close()
    else:
        client.loop.run_until_complete(response.aread_some(1000))
        client.loop.run_until_complete(response.aclose())
    assert client.stats()["connections"] == 0
    _, body = client.fetch(make(nginx, b"/small.txt"))
    assert len(body) == 100


def test_post_body_bytes_and_chunked_iterable(client: Client, nginx: Any) -> None:
    # nginx refuses POST to a static file with 405 after reading the body.
    response, _ = client.fetch(make(nginx, b"/small.txt", method=b"POST", body=b"x" * 5000))
    assert response.status == 405
    response, _ = client.fetch(make(nginx, b"/small.txt", method=b"POST",
                                    body=iter([b"a" * 10, b"b" * 20])))
    assert response.status == 405


def test_server_keepalive_requests_limit(client: Client, nginx: Any) -> None:
    for _ in range(5):
        response, body = client.fetch(make(nginx, b"/ka2/small.txt"))
        assert response.status == 200 and len(body) == 100
    # every second response said "Connection: close", so at most one stays idle
    assert client.stats()["connections"] <= 1


def test_server_closed_idle_connection_is_detected(client: Client, nginx: Any) -> None:
    client.fetch(make(nginx, b"/ka-short/small.txt"))
    time.sleep(1.5)  # nginx's keepalive_timeout there is 1 s
    response, body = client.fetch(make(nginx, b"/ka-short/small.txt"))
    assert response.status == 200 and len(body) == 100
    assert not response.extensions["reused"]
    assert client.stats()["connections"] == 1


def test_connection_close_from_server(client: Client, nginx: Any) -> None:
    for _ in range(3):
        response, body = client.fetch(make(nginx, b"/no-ka/small.txt"))
        assert response.status == 200 and len(body) == 100
    assert client.stats()["connections"] == 0


def test_64_concurrent_async_requests_never_queue(nginx: Any) -> None:
    async def main() -> tuple[int, list[int]]:
        async with AsyncHTTPTransport() as transport:
            waiting: list[int] = []

            async def one() -> int:
                response = await transport.handle_async_request(make(nginx, b"/small.txt"))
                waiting.append(transport.statistics()["waiting"])
                await response.aread()
                return response.status

            statuses = await asyncio.gather(*(one() for _ in range(64)))
            assert set(statuses) == {200}
            return transport.statistics()["connections"], waiting

    connections, waiting = asyncio.run(main())
    assert connections <= 64
    assert set(waiting) == {0}


def test_threads_share_a_sync_transport(nginx: Any) -> None:
    transport = HTTPTransport(max_connections_per_host=4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                response = transport.handle_request(make(nginx, b"/small.txt"))
                assert len(response.read()) == 100
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert transport.statistics()["connections"] <= 4
    transport.close()
    assert transport.statistics()["connections"] == 0
