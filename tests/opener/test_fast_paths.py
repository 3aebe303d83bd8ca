"""The opener's per-call shortcuts (cached handler chains, URL parts, header pairs,
response framing) must not change what a program sees. No network: a stand-in transport
answers every request and records what it was asked."""

from __future__ import annotations

from typing import Any

import pytest

import tether.opener as request
from tether.http import RawResponse
from tether.opener import _handlers_http, _request

HEAD = [(b"Content-Type", b"text/plain"), (b"content-length", b"5"),
        (b"X-Two", b"a"), (b"X-Two", b"b")]


class RecordingTransport:
    def __init__(self, headers: list[tuple[bytes, bytes]] = HEAD,
                 body: bytes = b"hello") -> None:
        self.requests: list[Any] = []
        self.headers = headers
        self.body = body

    def handle_request(self, raw_request: Any) -> RawResponse:
        self.requests.append(raw_request)
        return RawResponse(200, list(self.headers), reason="OK", stream=self.body)


def _opener(*handlers: Any) -> tuple[request.OpenerDirector, RecordingTransport]:
    transport = RecordingTransport()
    return request.build_opener(request.HTTPHandler(transport=transport), *handlers), \
        transport


def test_handler_added_after_first_use_takes_part() -> None:
    opener, _ = _opener()
    assert opener.open("http://example.test/a").read() == b"hello"  # chains now cached

    seen: list[str] = []

    class Tagger(request.BaseHandler):
        handler_order = 100

        def http_request(self, req: Any) -> Any:
            seen.append("request")
            req.add_header("X-Tag", "1")
            return req

        def http_response(self, req: Any, resp: Any) -> Any:
            seen.append("response")
            return resp

    opener.add_handler(Tagger())
    opener.open("http://example.test/b").read()
    assert seen == ["request", "response"]


def test_opener_added_after_first_use_for_new_protocol() -> None:
    opener, _ = _opener()
    with pytest.raises(request.URLError, match="unknown url type"):
        opener.open("tethertest://x/")  # the (empty) chain for the protocol is cached

    class Proto(request.BaseHandler):
        def tethertest_open(self, req: Any) -> Any:
            return "opened " + req.full_url

    opener.add_handler(Proto())
    assert opener.open("tethertest://x/") == "opened tethertest://x/"


def test_subclassed_handler_and_patched_method_are_honoured() -> None:
    calls: list[str] = []

    class MyHTTP(request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            calls.append(req.full_url)
            return super().http_open(req)

    transport = RecordingTransport()
    opener = request.build_opener(MyHTTP(transport=transport))
    opener.open("http://example.test/1").read()
    handler = next(h for h in opener.handlers if isinstance(h, MyHTTP))
    # Replacing a handler method after first use must take effect (no stale bound method).

    def patched(req: Any) -> Any:
        calls.append("patched")
        return MyHTTP.http_open(handler, req)

    handler.http_open = patched  # type: ignore[method-assign]
    opener.open("http://example.test/2").read()
    assert calls == ["http://example.test/1", "patched", "http://example.test/2"]


def test_default_open_falsy_result_falls_through_like_urllib() -> None:
    class Falsy(request.BaseHandler):
        def default_open(self, req: Any) -> Any:
            return ""  # not None: ends the default chain, but is not an answer

    opener, transport = _opener(Falsy())
    assert opener.open("http://example.test/").read() == b"hello"
    assert len(transport.requests) == 1


def test_overridden_call_chain_is_used() -> None:
    chains: list[str] = []

    class Director(request.OpenerDirector):
        def _call_chain(self, chain: Any, kind: Any, meth_name: str, *args: Any) -> Any:
            chains.append(meth_name)
            return super()._call_chain(chain, kind, meth_name, *args)

    director = Director()
    transport = RecordingTransport()
    for handler in (request.HTTPHandler(transport=transport), request.HTTPErrorProcessor(),
                    request.HTTPDefaultErrorHandler()):
        director.add_handler(handler)
    director.open("http://example.test/").read()
    assert chains[:2] == ["default_open", "http_open"]


def test_request_parts_come_from_each_url() -> None:
    for _ in range(2):  # the second round is served from the cache
        a = request.Request("http://One.example:81/p?q#f")
        b = request.Request("https://two.example/x")
        assert (a.type, a.host, a.selector, a.fragment, a.origin_req_host) == \
            ("http", "One.example:81", "/p?q", "f", "one.example")
        assert (b.type, b.host, b.selector, b.origin_req_host) == \
            ("https", "two.example", "/x", "two.example")
        a.full_url = "ftp://three.example/y"
        assert (a.type, a.host, a.selector, a.fragment) == ("ftp", "three.example", "/y",
                                                              None)


def test_host_header_request_host_is_not_remembered_for_the_url() -> None:
    first = request.Request("http:///path", headers={"Host": "a.example:8080"})
    second = request.Request("http:///path", headers={"Host": "b.example"})
    assert first.origin_req_host == "a.example"
    assert second.origin_req_host == "b.example"


def test_request_subclass_with_own_parse_is_parsed() -> None:
    class Lower(request.Request):
        def _parse(self) -> None:
            super()._parse()
            self.host = self.host.upper()

    request.Request("http://mixed.example/")  # cache it for the plain class
    assert Lower("http://mixed.example/").host == "MIXED.EXAMPLE"
    assert request.Request("http://mixed.example/").host == "mixed.example"


def test_url_caches_stay_bounded() -> None:
    for i in range(_request.URL_CACHE_SIZE * 3):
        request.Request(f"http://h{i}.example/")
    assert len(_request._URL_PARTS) <= _request.URL_CACHE_SIZE
    assert len(_request._URL_HOSTS) <= _request.URL_CACHE_SIZE


@pytest.mark.parametrize(("name", "value"), [
    ("X-Bad", "a\r\nInjected: 1"), ("X-Bad", b"a\nb"), ("Bad:Name", "v"), (" Lead", "v"),
    ("X-Nul", "a\0")])
def test_bad_headers_refused_every_time(name: str, value: Any) -> None:
    opener, transport = _opener()
    for _ in range(2):
        req = request.Request("http://example.test/", headers={name: value})
        with pytest.raises(ValueError, match="Invalid header"):
            opener.open(req)
    assert transport.requests == []


def test_header_pairs_sent_as_given() -> None:
    opener, transport = _opener()
    for value in ("one", "two", "one"):
        opener.open(request.Request("http://example.test/",
                                    headers={"X-Value": value})).read()
    sent = [dict(r.headers)[b"X-Value"] for r in transport.requests]
    assert sent == [b"one", b"two", b"one"]
    for i in range(_handlers_http.HEADER_CACHE_SIZE * 2):
        _handlers_http._header_bytes("X-N", str(i))
    assert len(_handlers_http._HEADER_CACHE) <= _handlers_http.HEADER_CACHE_SIZE


def test_response_head_and_framing() -> None:
    opener, _ = _opener()
    resp = opener.open("http://example.test/")
    assert resp.length == 5 and resp.chunked is False
    assert resp.headers.get_all("x-two") == ["a", "b"]
    assert resp.getheader("Content-Length") == "5"
    assert resp.info().get_content_type() == "text/plain"
    assert resp.headers.defects == []
    assert resp.read() == b"hello"
    assert resp.length == 0
    # each message has its own header list and defects list
    other = opener.open("http://example.test/")
    other.headers["X-Added"] = "1"
    other.headers.defects.append("x")
    assert "X-Added" not in resp.headers and resp.headers.defects == []


def test_chunked_framing_first_transfer_encoding() -> None:
    transport = RecordingTransport(headers=[(b"Transfer-Encoding", b"gzip, Chunked"),
                                            (b"Content-Length", b" 12 ")])
    opener = request.build_opener(request.HTTPHandler(transport=transport))
    resp = opener.open("http://example.test/")
    assert resp.chunked is True and resp.length == 12


def test_length_counts_down_and_can_be_set() -> None:
    opener, _ = _opener()
    resp = opener.open("http://example.test/")
    assert resp.read(2) == b"he"
    assert resp.length == 3
    resp.length = 10
    assert resp.length == 10
    resp.chunked = True
    assert resp.chunked is True
    assert resp.headers["Content-Length"] == "5"  # the head is still the server's
    resp.headers = None
    assert resp.info() is None and resp.read() == b"llo"


def test_error_status_gets_the_parsed_head() -> None:
    class NotFound(RecordingTransport):
        def handle_request(self, raw_request: Any) -> RawResponse:
            return RawResponse(404, [(b"X-Why", b"gone"), (b"Content-Length", b"4")],
                               reason="Not Found", stream=b"nope")

    opener = request.build_opener(request.HTTPHandler(transport=NotFound()))
    with pytest.raises(request.HTTPError) as info:
        opener.open("http://example.test/")
    assert info.value.code == 404 and info.value.reason == "Not Found"
    assert info.value.headers["x-why"] == "gone"
    assert info.value.read() == b"nope"
