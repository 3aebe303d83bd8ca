"""``HTTPAdapter(max_retries=...)``: the Retry policy (unit, and differential against
urllib3's own Retry) and the adapter's retry loop against httpbin and raw-socket peers,
in both colours."""

from __future__ import annotations

import email.utils
import io
import pickle
import socket
import struct
import time
from collections.abc import Callable, Iterator

import pytest
import urllib3.exceptions as u3e
import urllib3.util.retry as u3

import tether
from servers._http_colours import Both
from servers._peers import tcp_peer
from tether import errors
from tether.adapters import AsyncHTTPAdapter, HTTPAdapter, Retry
from tether.exceptions import InvalidHeader
from tether.http._retry import MaxRetryError, RequestHistory, ResponseError, as_retry
from tether.http._types import RawResponse

# -- the policy ------------------------------------------------------------------------


def _failed(n: int, **kw: object) -> Retry:
    retry = Retry(total=None, **kw)  # type: ignore[arg-type]
    for _ in range(n):
        retry = retry.increment("GET", "/", error=errors.ConnectError("refused"))
    return retry


def test_backoff_doubles_after_the_first_retry_and_is_capped() -> None:
    waits = [_failed(n, backoff_factor=0.5).get_backoff_time() for n in range(6)]
    assert waits == [0, 0, 1.0, 2.0, 4.0, 8.0]
    assert _failed(12, backoff_factor=0.5, backoff_max=3).get_backoff_time() == 3
    jittered = [_failed(3, backoff_factor=1, backoff_jitter=0.5).get_backoff_time()
                for _ in range(50)]
    assert all(4 <= w <= 4.5 for w in jittered) and len(set(jittered)) > 1


def test_a_redirect_ends_the_run_of_failures() -> None:
    retry = _failed(3, backoff_factor=1)
    history = (*retry.history, RequestHistory("GET", "/", None, 301, "/x"))
    assert retry.new(history=history).get_backoff_time() == 0
    assert retry.new(history=(*history, *retry.history[:2])).get_backoff_time() == 2


@pytest.mark.parametrize("n", range(7))
def test_backoff_matches_urllib3(n: int) -> None:
    theirs = u3.Retry(total=None, backoff_factor=0.3, backoff_max=5)
    for _ in range(n):
        theirs = theirs.increment("GET", "/", error=u3e.ConnectTimeoutError("x"))
    assert _failed(n, backoff_factor=0.3, backoff_max=5).get_backoff_time() == \
        theirs.get_backoff_time()


def test_parse_retry_after() -> None:
    retry = Retry()
    assert retry.parse_retry_after("120") == 120
    assert retry.parse_retry_after(" 7 ") == 7
    assert retry.parse_retry_after("99999999") == Retry.DEFAULT_RETRY_AFTER_MAX
    assert Retry(retry_after_max=60).parse_retry_after("3600") == 60
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry.parse_retry_after(soon) <= 31
    past = email.utils.formatdate(time.time() - 3600, usegmt=True)
    assert retry.parse_retry_after(past) == 0
    for bad in ("soon", "-5", "1.5", ""):
        with pytest.raises(InvalidHeader, match="Invalid Retry-After header"):
            retry.parse_retry_after(bad)


@pytest.mark.parametrize("value", ["0", "42", " 3 ", "Fri, 31 Dec 1999 23:59:59 GMT"])
def test_parse_retry_after_matches_urllib3(value: str) -> None:
    assert Retry().parse_retry_after(value) == u3.Retry().parse_retry_after(value)


@pytest.mark.parametrize(("method", "status", "has_retry_after"), [
    (m, s, h) for m in ("GET", "get", "POST", "PUT", "PATCH")
    for s in (200, 413, 429, 500, 502, 503) for h in (False, True)])
@pytest.mark.parametrize("kw", [
    {}, {"status_forcelist": [500, 502]}, {"total": 0}, {"total": 0, "status_forcelist": [500]},
    {"allowed_methods": None, "status_forcelist": [503]},
    {"allowed_methods": ["POST"], "status_forcelist": [500]},
    {"respect_retry_after_header": False}])
def test_is_retry_matches_urllib3(kw: dict[str, object], method: str, status: int,
                                  has_retry_after: bool) -> None:
    ours = Retry(**kw).is_retry(method, status, has_retry_after)  # type: ignore[arg-type]
    assert ours == u3.Retry(**kw).is_retry(method, status, has_retry_after)  # type: ignore[arg-type]


class _Resp:
    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}


def test_status_retries_run_out() -> None:
    retry = Retry(total=2, status_forcelist=[500])
    first = retry.increment("GET", "/x", response=_Resp(500))
    second = first.increment("GET", "/x", response=_Resp(500))
    assert (retry.total, first.total, second.total) == (2, 1, 0)  # immutable values
    with pytest.raises(MaxRetryError) as info:
        second.increment("GET", "/x", response=_Resp(500))
    assert isinstance(info.value.reason, ResponseError)
    assert "too many 500 error responses" in str(info.value)
    assert [h.status for h in second.history] == [500, 500]


def test_each_counter_runs_out_on_its_own() -> None:
    retry = Retry(total=None, connect=1, read=5)
    retry = retry.increment("GET", "/", error=errors.ConnectError("refused"))
    with pytest.raises(MaxRetryError) as info:
        retry.increment("GET", "/", error=errors.ConnectTimeout("slow"))
    assert isinstance(info.value.reason, errors.ConnectTimeout)
    assert Retry(total=None, status=0).new(status=-1).is_exhausted()
    assert not Retry(total=None).is_exhausted()


def test_read_errors_follow_the_methods_and_read_false() -> None:
    reset = errors.ReadError("reset")
    with pytest.raises(errors.ReadError):
        Retry(3).increment("POST", "/", error=reset)
    assert Retry(3, allowed_methods=None).increment("POST", "/", error=reset).total == 2
    with pytest.raises(errors.ReadError):
        Retry(3, read=False).increment("GET", "/", error=reset)
    refused = errors.ConnectError("refused")
    assert Retry(3, read=False).increment("POST", "/", error=refused).total == 2
    with pytest.raises(errors.ConnectError):
        Retry(False).increment("GET", "/", error=refused)


def test_from_int_and_max_retries_forms() -> None:
    assert Retry.from_int(3).total == 3 and Retry.from_int(3).redirect is None
    assert Retry.from_int(None) is Retry.DEFAULT and Retry.DEFAULT.total == 3
    mine = Retry(4)
    assert Retry.from_int(mine) is mine and as_retry(mine) is mine
    zero = as_retry(0)
    assert (zero.total, zero.read) == (0, False) and zero.never_retries
    assert as_retry(False).never_retries
    assert not as_retry(2).never_retries and not Retry(0, status_forcelist=[500]).never_retries
    with pytest.raises(TypeError):
        as_retry("three")
    assert HTTPAdapter().max_retries.total == 0
    assert HTTPAdapter(max_retries=5).max_retries.total == 5
    assert repr(Retry(2)) == repr(u3.Retry(2))


def test_a_urllib3_retry_is_read_by_its_attributes() -> None:
    theirs = u3.Retry(total=7, connect=2, read=1, status=4, other=0, backoff_factor=0.25,
                      backoff_max=9, backoff_jitter=0.1, status_forcelist=[502, 504],
                      allowed_methods=["GET", "POST"], raise_on_status=False,
                      respect_retry_after_header=False, retry_after_max=30,
                      remove_headers_on_redirect=["X-Secret"])
    ours = as_retry(theirs)
    assert isinstance(ours, Retry)
    for name in ("total", "connect", "read", "status", "other", "backoff_factor",
                 "backoff_max", "backoff_jitter", "status_forcelist", "allowed_methods",
                 "raise_on_status", "respect_retry_after_header", "retry_after_max",
                 "remove_headers_on_redirect", "redirect", "raise_on_redirect"):
        assert getattr(ours, name) == getattr(theirs, name), name
    used = theirs.increment("GET", "/", error=u3e.ConnectTimeoutError("x"))
    used = used.increment("GET", "/", error=u3e.ConnectTimeoutError("x"))
    converted = as_retry(used)
    assert converted.get_backoff_time() == pytest.approx(used.get_backoff_time(), abs=0.11)
    assert len(converted.history) == 2
    adapter = HTTPAdapter(max_retries=theirs)
    assert adapter.max_retries is theirs
    copy = pickle.loads(pickle.dumps(adapter))
    assert copy._retry.status_forcelist == [502, 504]


# -- the adapter against real peers, both colours --------------------------------------


def mount(s: Both, max_retries: object) -> None:
    cls = AsyncHTTPAdapter if s.colour == "async" else HTTPAdapter
    s.mount("http://", cls(max_retries=max_retries))


def read_request(conn: socket.socket) -> bytes:
    """One request's head and Content-Length body (b"" if the peer went away)."""
    conn.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


def scripted(*steps: Callable[[socket.socket], None], requests: list[bytes]
             ) -> Callable[[socket.socket], None]:
    """A peer that answers the n-th request it receives (over any connection) with
    ``steps[n]``, recording each request."""

    def handler(conn: socket.socket) -> None:
        while True:
            request = read_request(conn)
            if not request:
                return
            requests.append(request)
            step = steps[min(len(requests), len(steps)) - 1]
            step(conn)
            if conn.fileno() == -1:
                return

    return handler


def test_urllib3_retry_status_forcelist_raises_retry_error(s: Both, httpbin: object) -> None:
    mount(s, u3.Retry(total=2, status_forcelist=[500]))
    with pytest.raises(tether.exceptions.RetryError) as info:
        s.get(httpbin + "/status/500")  # type: ignore[operator]
    assert "too many 500 error responses" in str(info.value)
    assert info.value.request is not None


def test_status_retries_without_raise_on_status_return_the_response(
        s: Both, httpbin: object) -> None:
    mount(s, Retry(total=1, status_forcelist=[502], raise_on_status=False))
    r = s.get(httpbin + "/status/502")  # type: ignore[operator]
    assert r.status_code == 502
    assert s.get(httpbin + "/status/200").status_code == 200  # type: ignore[operator]


def test_a_reset_connection_is_retried(s: Both) -> None:
    seen: list[bytes] = []
    with tcp_peer(scripted(reset, lambda c: c.sendall(OK), requests=seen),
                  connections=2) as port:
        mount(s, 2)
        r = s.get(f"http://127.0.0.1:{port}/again")
    assert (r.status_code, r.text, len(seen)) == (200, "ok", 2)


def test_without_max_retries_a_reset_is_an_error(s: Both) -> None:
    seen: list[bytes] = []
    with tcp_peer(scripted(reset, lambda c: c.sendall(OK), requests=seen)) as port, \
            pytest.raises(tether.exceptions.ConnectionError):
        s.get(f"http://127.0.0.1:{port}/once")
    assert len(seen) == 1


def test_refused_connections_back_off_then_raise_connection_error(s: Both) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connections are refused
        mount(s, Retry(total=3, backoff_factor=0.1))
        start = time.monotonic()
        with pytest.raises(tether.exceptions.ConnectionError) as info:
            s.get(f"http://127.0.0.1:{port}/")
        elapsed = time.monotonic() - start
    assert not isinstance(info.value, tether.exceptions.RetryError)
    assert 0.55 <= elapsed < 5  # waits of 0, 0.2 and 0.4 s between the four attempts


def test_503_with_retry_after_then_200(s: Both) -> None:
    seen: list[bytes] = []
    busy = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
            b"Content-Length: 4\r\n\r\nbusy")
    with tcp_peer(scripted(lambda c: c.sendall(busy), lambda c: c.sendall(OK),
                           requests=seen)) as port:
        mount(s, 3)
        start = time.monotonic()
        r = s.get(f"http://127.0.0.1:{port}/")
        elapsed = time.monotonic() - start
    assert (r.status_code, r.text) == (200, "ok")
    # Both requests came over the one connection: the 503's body was drained.
    assert len(seen) == 2
    assert 0.9 <= elapsed < 5


def test_the_wait_never_outlives_the_total_deadline(s: Both) -> None:
    seen: list[bytes] = []
    busy = b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with tcp_peer(scripted(lambda c: c.sendall(busy), requests=seen), connections=2) as port:
        mount(s, Retry(total=5, backoff_factor=5, status_forcelist=[503]))
        start = time.monotonic()
        with pytest.raises(tether.exceptions.RetryError):
            s.get(f"http://127.0.0.1:{port}/", timeout=tether.TimeoutConfig(total=2))
        elapsed = time.monotonic() - start
        time.sleep(0.1)  # let the peer record what it received
    # The first retry has no wait; the second would wait 10 s, past the deadline.
    assert len(seen) == 2
    assert elapsed < 1.5


def test_a_long_retry_after_is_not_waited_past_the_deadline(s: Both) -> None:
    seen: list[bytes] = []
    busy = (b"HTTP/1.1 429 Slow down\r\nRetry-After: 30\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n")
    with tcp_peer(scripted(lambda c: c.sendall(busy), requests=seen)) as port:
        mount(s, Retry(total=3, raise_on_status=False))
        start = time.monotonic()
        r = s.get(f"http://127.0.0.1:{port}/", timeout=tether.TimeoutConfig(total=3))
        assert time.monotonic() - start < 1
    assert r.status_code == 429 and len(seen) == 1


def test_post_is_not_retried_on_a_read_error(s: Both) -> None:
    seen: list[bytes] = []
    with tcp_peer(scripted(reset, lambda c: c.sendall(OK), requests=seen)) as port:
        mount(s, Retry(total=3))
        with pytest.raises(tether.exceptions.ConnectionError):
            s.post(f"http://127.0.0.1:{port}/", data=b"payload")
    assert len(seen) == 1


@pytest.mark.parametrize("allowed", [None, ["GET", "POST"]])
def test_post_is_retried_when_allowed_methods_says_so(s: Both, allowed: object) -> None:
    seen: list[bytes] = []
    with tcp_peer(scripted(reset, lambda c: c.sendall(OK), requests=seen),
                  connections=2) as port:
        mount(s, Retry(total=3, allowed_methods=allowed))  # type: ignore[arg-type]
        r = s.post(f"http://127.0.0.1:{port}/", data=b"payload")
    assert r.text == "ok" and len(seen) == 2
    assert all(req.endswith(b"\r\n\r\npayload") for req in seen)


def test_a_file_body_is_rewound_for_the_retry(s: Both) -> None:
    seen: list[bytes] = []
    with tcp_peer(scripted(reset, lambda c: c.sendall(OK), requests=seen),
                  connections=2) as port:
        mount(s, Retry(total=3, allowed_methods=None))
        body = io.BytesIO(b"ignored-prefix:file body")
        body.seek(15)
        r = s.post(f"http://127.0.0.1:{port}/", data=body)
    assert r.text == "ok" and len(seen) == 2
    assert [req.split(b"\r\n\r\n", 1)[1] for req in seen][1].endswith(b"file body")


def test_a_generator_body_is_never_sent_twice(s: Both) -> None:
    seen: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        yield b"one-"
        yield b"shot"

    with tcp_peer(scripted(reset, lambda c: c.sendall(OK), requests=seen)) as port:
        mount(s, Retry(total=3, allowed_methods=None))
        with pytest.raises(tether.exceptions.ConnectionError):
            s.post(f"http://127.0.0.1:{port}/", data=chunks())
    assert len(seen) == 1


class _ScriptedTransport:
    """A transport of the caller's own (not tether's): the adapter calls it through
    ``handle_request``/``handle_async_request`` for each attempt."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls = 0

    def _next(self) -> RawResponse:
        status = self.statuses[min(self.calls, len(self.statuses) - 1)]
        self.calls += 1
        return RawResponse(status, [(b"Content-Length", b"1")], stream=b"x")

    def handle_request(self, request: object) -> RawResponse:
        return self._next()

    async def handle_async_request(self, request: object) -> RawResponse:
        return self._next()

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def test_a_custom_transport_is_retried_through_its_own_methods(s: Both) -> None:
    cls = AsyncHTTPAdapter if s.colour == "async" else HTTPAdapter
    adapter = cls(max_retries=Retry(total=3, status_forcelist=[500, 502]))
    transport = _ScriptedTransport([500, 502, 200])
    adapter._transport = transport
    s.mount("http://", adapter)
    r = s.get("http://example.invalid/")
    assert (r.status_code, transport.calls) == (200, 3)
