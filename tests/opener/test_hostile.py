"""tether.opener against raw-socket peers that misbehave on purpose."""

from __future__ import annotations

import http.client
import os
import socket
import time

import pytest

import tether.opener as request
from opener._httppeer import Seen, http_peer, reply
from tether import errors
from tether.net import TimeoutConfig


def _redirect_to(location: str):
    return reply(302, b"", {"Location": location})


@pytest.mark.parametrize("location", [
    "file:///etc/passwd", "FILE:///etc/hostname", "data:text/plain,owned",
    "javascript:alert(1)", "gopher://example.com/",
])
def test_redirect_to_other_schemes_refused(location: str) -> None:
    with http_peer(_redirect_to(location)) as peer, pytest.raises(request.HTTPError) as info:
        request.urlopen(peer.url + "/")
    assert info.value.code == 302
    assert "is not allowed" in info.value.reason
    assert len(peer.requests) == 1


def test_file_url_opened_directly_still_works(tmp_path) -> None:
    target = tmp_path / "f.txt"
    target.write_bytes(b"local")
    with request.urlopen(target.as_uri()) as r:
        assert r.read() == b"local"


def test_endless_redirect_body_is_not_drained_to_the_end() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        if seen.target == "/":
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /next\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            try:
                for _ in range(10000):  # an "endless" body (bounded for the test)
                    conn.sendall(b"4000\r\n" + b"a" * 0x4000 + b"\r\n")
            except OSError:
                pass
            return False
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        return True

    with http_peer(respond) as peer:
        start = time.monotonic()
        with request.urlopen(peer.url + "/") as r:
            assert r.read() == b"ok"
        assert time.monotonic() - start < 5


def test_endless_body_bounded_by_total() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n")  # body until close
        end = time.monotonic() + 8
        try:
            while time.monotonic() < end:
                conn.sendall(b"z" * 1024)
                time.sleep(0.05)
        except OSError:
            pass
        return False

    with http_peer(respond) as peer:
        start = time.monotonic()
        r = request.urlopen(peer.url + "/", timeout=TimeoutConfig(connect=2, read=2, total=1.5))
        with pytest.raises(TimeoutError) as info:
            r.read()
        assert time.monotonic() - start < 4
        assert "total deadline" in str(info.value)
        r.close()


def test_drip_head_bounded_by_total() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 100:
                conn.sendall(bytes([byte]))
                time.sleep(0.5)
        except OSError:
            pass
        return False

    with http_peer(respond) as peer:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            request.urlopen(peer.url + "/", timeout=TimeoutConfig(connect=2, read=2, total=2))
        assert time.monotonic() - start < 4


def test_number_timeout_is_per_read() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        time.sleep(1.5)
        return False

    with http_peer(respond) as peer:
        start = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            request.urlopen(peer.url + "/", timeout=0.5)
        assert isinstance(info.value, socket.timeout)
        assert isinstance(info.value, errors.ReadTimeout)
        assert time.monotonic() - start < 2.5


def test_setdefaulttimeout_is_honoured() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        time.sleep(1.5)
        return False

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(0.5)
    try:
        with http_peer(respond) as peer:
            start = time.monotonic()
            with pytest.raises(TimeoutError):
                request.urlopen(peer.url + "/")
            assert time.monotonic() - start < 2.5
    finally:
        socket.setdefaulttimeout(old)


def test_short_body_raises_incomplete_read() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"a" * 40)
        return False

    with http_peer(respond) as peer:
        r = request.urlopen(peer.url + "/")
        with pytest.raises(http.client.IncompleteRead) as info:
            r.read()
    err = info.value
    assert isinstance(err, errors.TetherError)
    assert isinstance(err, http.client.HTTPException)
    assert err.partial == b"a" * 40
    assert err.expected == 60


def test_bad_chunk_raises_http_exception() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\nZZZ\r\n")
        return False

    # The framing error may surface with the head (a small body is read eagerly) or
    # on read(); either way it is http.client's IncompleteRead, as urllib raises.
    with http_peer(respond) as peer, pytest.raises(http.client.IncompleteRead) as info:
        request.urlopen(peer.url + "/").read()
    assert isinstance(info.value, errors.RemoteProtocolError)


def test_endless_trailers_raise_http_exception() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n")
        try:
            for i in range(100000):
                conn.sendall(b"X-T-%d: %s\r\n" % (i, b"t" * 100))
        except OSError:
            pass
        return False

    with http_peer(respond) as peer, pytest.raises(http.client.HTTPException) as info:
        request.urlopen(peer.url + "/").read()
    assert isinstance(info.value, errors.LimitExceeded)


def test_closed_without_response() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        return False

    with http_peer(respond) as peer, pytest.raises(http.client.RemoteDisconnected) as info:
        request.urlopen(peer.url + "/")
    assert isinstance(info.value, ConnectionResetError)
    assert isinstance(info.value, errors.TetherError)


def test_garbage_status_line() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"SMTP ready\r\n\r\n")
        return False

    with http_peer(respond) as peer, pytest.raises(http.client.HTTPException) as info:
        request.urlopen(peer.url + "/")
    assert isinstance(info.value, errors.ProtocolError)


def test_connection_refused_is_urlerror() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(request.URLError) as info:
        request.urlopen(f"http://127.0.0.1:{port}/")
    assert isinstance(info.value.reason, ConnectionRefusedError | errors.ConnectError)


def test_credentials_not_sent_to_another_origin() -> None:
    with http_peer(reply(200, b"second")) as other, \
            http_peer(_redirect_to(other.url + "/landing")) as first:
        req = request.Request(first.url + "/", headers={
            "Authorization": "Bearer secret", "Cookie": "s=1", "X-Keep": "yes"})
        with request.urlopen(req) as r:
            assert r.read() == b"second"
    assert first.requests[0].headers["authorization"] == "Bearer secret"
    landed = other.requests[0].headers
    assert "authorization" not in landed and "cookie" not in landed
    assert landed["x-keep"] == "yes"


def test_credentials_kept_on_same_origin_redirect() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        if seen.target == "/":
            conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nk")
        return True

    with http_peer(respond) as peer:
        req = request.Request(peer.url + "/", headers={"Authorization": "Bearer x"})
        with request.urlopen(req) as r:
            r.read()
    assert peer.requests[1].headers["authorization"] == "Bearer x"
    assert len(peer.connections) == 1  # the redirect reused the connection


def test_too_many_redirects() -> None:
    counter = iter(range(1000))

    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /%d\r\nContent-Length: 0\r\n\r\n"
                     % next(counter))
        return True

    with http_peer(respond) as peer, pytest.raises(request.HTTPError) as info:
        request.urlopen(peer.url + "/")
    assert "infinite loop" in info.value.reason
    assert len(peer.requests) == 11


def test_post_body_and_headers() -> None:
    with http_peer(reply(200, b"done")) as peer:
        with request.urlopen(peer.url + "/form", data=b"a=1&b=2") as r:
            assert r.read() == b"done"
        req = request.Request(peer.url + "/up", data=iter([b"one", b"two"]), method="PUT")
        request.urlopen(req).close()
    posted = peer.requests[0]
    assert posted.method == "POST" and posted.body == b"a=1&b=2"
    assert posted.headers["content-type"] == "application/x-www-form-urlencoded"
    assert posted.headers["content-length"] == "7"
    assert posted.headers["user-agent"].startswith("Python-urllib/")
    assert posted.headers["accept-encoding"] == "identity"
    put = peer.requests[1]
    assert put.method == "PUT" and put.body == b"onetwo"
    assert put.headers["transfer-encoding"] == "chunked"


def test_file_body_is_streamed(tmp_path) -> None:
    payload = os.urandom(300_000)
    path = tmp_path / "up.bin"
    path.write_bytes(payload)
    with http_peer(reply(201)) as peer, path.open("rb") as fp, \
            request.urlopen(request.Request(peer.url + "/", data=fp)) as r:
        assert r.status == 201
    assert peer.requests[0].body == payload


def test_header_injection_refused() -> None:
    with http_peer(reply(200)) as peer:
        req = request.Request(peer.url + "/", headers={"X-A": "v\r\nX-Evil: 1"})
        with pytest.raises(ValueError, match="Invalid header value"):
            request.urlopen(req)
        with pytest.raises(request.InvalidURL):
            request.urlopen(peer.url + "/a b")
    assert peer.requests == []


def test_basic_auth_round_trip() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        if seen.headers.get("authorization") == "Basic dTpw":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nin")
        else:
            conn.sendall(b'HTTP/1.1 401 No\r\nWWW-Authenticate: Basic realm="r"\r\n'
                         b"Content-Length: 0\r\n\r\n")
        return True

    with http_peer(respond) as peer:
        mgr = request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, peer.url, "u", "p")
        opener = request.build_opener(request.HTTPBasicAuthHandler(mgr))
        with opener.open(peer.url + "/secret") as r:
            assert r.read() == b"in"
    assert len(peer.requests) == 2


def test_cookies_round_trip() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        if seen.target == "/set":
            conn.sendall(b"HTTP/1.1 200 OK\r\nSet-Cookie: k=v; Path=/\r\n"
                         b"Content-Length: 0\r\n\r\n")
        else:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        return True

    with http_peer(respond) as peer:
        opener = request.build_opener(request.HTTPCookieProcessor())
        opener.open(peer.url + "/set").read()
        opener.open(peer.url + "/get").read()
    assert peer.requests[1].headers["cookie"] == "k=v"


def test_http_proxy_gets_absolute_form_and_credentials() -> None:
    with http_peer(reply(200, b"via proxy")) as proxy:
        opener = request.build_opener(request.ProxyHandler(
            {"http": f"http://joe:s%40cret@127.0.0.1:{proxy.port}"}))
        with opener.open("http://origin.invalid:8080/page?q=1") as r:
            assert r.read() == b"via proxy"
    seen = proxy.requests[0]
    assert seen.target == "http://origin.invalid:8080/page?q=1"
    assert seen.headers["host"] == "origin.invalid:8080"
    assert seen.headers["proxy-authorization"] == "Basic am9lOnNAY3JldA=="  # joe:s@cret


def test_no_proxy_bypasses(monkeypatch) -> None:
    with http_peer(reply(200, b"direct")) as origin:
        monkeypatch.setenv("no_proxy", "127.0.0.1")
        opener = request.build_opener(request.ProxyHandler({"http": "http://127.0.0.1:9"}))
        with opener.open(origin.url + "/") as r:
            assert r.read() == b"direct"
