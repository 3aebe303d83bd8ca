"""Request preparation and Response reading, checked against requests itself.

requests (installed as a dev dependency) is the oracle: for the same arguments,
``PreparedRequest.url``, headers, body and raised exception types must match.
"""

from __future__ import annotations

import io
import pickle
import re
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

import tether
from tether.http._body import RawBody
from tether.http._types import RawResponse

URLS = [
    "http://x/%7Euser", "http://x/a b?q=1 2#f g", "http://[::1]:80/", "http://EXAMPLE.com/../a/./b",
    "http://ünicode.de/", "http://x/%zz", "HTTP://x", "http://u:p@x:0080/", "http://x/%2f%41",
    "http://x?a=1", "*example.com", "http://*example.com", "http://.example.com", "example.com",
    "mailto:a@b", "http://", "http://x:99999", "http://x:abc/", "ftp://x/a b", "http://a b/",
    "http:/x", "http://xn--n3h.com", "http://☃.net/", "http://[fe80::1%25eth0]/",
    "http://[::ffff:1.2.3.4]/", "http://x:0/", "http://x:/", "http://x/?", "http://x/#",
    "http://%41b.com/", "http://x/%", "http://1.2.3.4.5/", "https://x/ü?ü=ü#ü", "http://x\\y/",
    "http://[::1/", "http://u@@x/", "  http://lead.ing/space", "http://x/%7e?%7e#%7e",
    b"http://bytes.example/p",
]
PARAMS: list[Any] = [None, {"k": "v w", "l": ["1", "2"]}, "a=b", b"x=y", [("a", "1"), ("a", "2")],
                     {"n": None, "e": ""}]


def _prepare(lib: Any, method: str = "GET", **kw: Any) -> Any:
    try:
        return lib.Request(method, **kw).prepare()
    except Exception as exc:  # compare the exception class names
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("params", PARAMS)
def test_prepared_url_matches_requests(url: Any, params: Any) -> None:
    ours = _prepare(tether, url=url, params=params)
    theirs = _prepare(requests, url=url, params=params)
    if isinstance(theirs, tuple):
        assert ours == theirs
    else:
        assert ours.url == theirs.url


_url_chars = st.sampled_from(list("abcXYZ019-._~%/?#[]@!$&'()*+,;=: \\\"<>^`{|}\tü☃"))


@settings(max_examples=300, deadline=None)
@given(host=st.sampled_from(["example.com", "EXAMPLE.org", "127.0.0.1", "[::1]", "ünï.de"]),
       port=st.sampled_from(["", ":80", ":8080", ":0"]),
       rest=st.text(_url_chars, max_size=30),
       scheme=st.sampled_from(["http", "https", "HTTP"]))
def test_prepared_url_matches_requests_generated(host: str, port: str, rest: str,
                                                 scheme: str) -> None:
    url = f"{scheme}://{host}{port}/{rest}"
    ours = _prepare(tether, url=url)
    theirs = _prepare(requests, url=url)
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and ours[0] == theirs[0]
    else:
        assert not isinstance(ours, tuple), ours
        assert ours.url == theirs.url


def _strip_boundary(body: bytes | None, headers: Any) -> tuple[Any, dict[str, str]]:
    h = {k: v for k, v in headers.items()}
    ctype = h.get("Content-Type", "")
    m = re.search(r"boundary=(\w+)", ctype)
    if m and body is not None:
        body = body.replace(m.group(1).encode(), b"BOUNDARY")
        h["Content-Type"] = ctype.replace(m.group(1), "BOUNDARY")
    return body, h


BODIES: list[dict[str, Any]] = [
    {"data": {"a": "1", "b": ["x", "y"], "c": None}},
    {"data": [("a", "1"), ("a", "2")]},
    {"data": "raw text ü"},
    {"data": b"raw bytes"},
    {"data": {}},
    {"json": {"a": [1, 2, None], "ü": "é"}},
    {"json": None},
    {"data": {"a": "1"}, "json": {"ignored": True}},
    {"files": {"f": ("name.txt", b"content", "text/plain")}},
    {"files": {"f": ("n", b"c", "text/x", {"X-Extra": "1"})}, "data": {"field": "v", "n": 3}},
    {"files": [("f", ("a\"b\r\n.txt", "text content")), ("g", io.BytesIO(b"file obj"))]},
    {"files": {"f": b"just bytes"}},
    {"files": {"f": (None, b"no filename")}},
    {"data": {"a": "b"}, "headers": {"Content-Type": "application/custom"}},
]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "HEAD"])
@pytest.mark.parametrize("kw", BODIES, ids=range(len(BODIES)))
def test_prepared_body_and_headers_match_requests(method: str, kw: dict[str, Any]) -> None:
    def fresh() -> dict[str, Any]:
        out = dict(kw)
        if "files" in out and isinstance(out["files"], list):
            out["files"] = [(k, io.BytesIO(v.getvalue()) if isinstance(v, io.BytesIO) else v)
                            for k, v in out["files"]]
        return out

    ours = _prepare(tether, method, url="http://h/p", **fresh())
    theirs = _prepare(requests, method, url="http://h/p", **fresh())
    if isinstance(theirs, tuple):
        assert ours == theirs
        return
    body_o, headers_o = _strip_boundary(ours.body, ours.headers)
    body_t, headers_t = _strip_boundary(theirs.body, theirs.headers)
    assert body_o == body_t
    assert headers_o == headers_t


def test_streamed_bodies_get_chunked_or_length() -> None:
    p = tether.Request("POST", "http://h/", data=(b"x" for _ in range(3))).prepare()
    assert p.headers["Transfer-Encoding"] == "chunked"
    f = io.BytesIO(b"12345")
    f.read(2)
    p = tether.Request("POST", "http://h/", data=f).prepare()
    assert p.headers["Content-Length"] == "3" and p._body_position == 2


@pytest.mark.parametrize("header", [("X-Bad", "a\r\nInjected: 1"), ("Bad:Name", "v"),
                                    (" lead", "v"), ("X-Int", 3), ("X-Lead", " space")])
def test_invalid_headers_match_requests(header: tuple[Any, Any]) -> None:
    ours = _prepare(tether, url="http://h/", headers=dict([header]))
    theirs = _prepare(requests, url="http://h/", headers=dict([header]))
    assert ours == theirs


def test_invalid_json_matches() -> None:
    with pytest.raises(tether.exceptions.InvalidJSONError):
        tether.Request("POST", "http://h/", json=float("nan")).prepare()


def test_auth_from_url_and_tuple() -> None:
    p = tether.Request("GET", "http://us%40er:p%3Ass@h/").prepare()
    q = requests.Request("GET", "http://us%40er:p%3Ass@h/").prepare()
    assert p.headers["Authorization"] == q.headers["Authorization"]
    p = tether.Request("GET", "http://h/", auth=("ü", "x")).prepare()
    q = requests.Request("GET", "http://h/", auth=("ü", "x")).prepare()
    assert p.headers["Authorization"] == q.headers["Authorization"]


def test_copy_and_path_url_and_hooks() -> None:
    p = tether.Request("GET", "http://h/a?b=c", hooks={"response": [print]}).prepare()
    c = p.copy()
    c.headers["X"] = "1"
    assert "X" not in p.headers
    assert p.path_url == "/a?b=c"
    assert p.hooks["response"] == [print]
    with pytest.raises(ValueError, match="Unsupported event"):
        p.register_hook("nope", print)
    assert p.deregister_hook("response", print) is True


# -- Response --------------------------------------------------------------------------

def _response(body: bytes, headers: list[tuple[bytes, bytes]] | None = None,
              status: int = 200, url: str = "http://h/") -> tether.Response:
    raw = RawResponse(status, headers or [], reason="OK", stream=body)
    r = tether.Response()
    r.raw = RawBody(raw)
    r.status_code = status
    r.headers = r.raw.headers.copy()
    r.encoding = tether.utils.get_encoding_from_headers(r.headers)
    r.url = url
    r.reason = "OK"
    return r


def test_content_text_json() -> None:
    r = _response('{"a": "é"}'.encode(), [(b"Content-Type", b"application/json")])
    assert r.json() == {"a": "é"}
    assert r.text == '{"a": "é"}'
    assert r.content == '{"a": "é"}'.encode()


def test_text_uses_header_charset_and_latin1_default() -> None:
    r = _response("é".encode("latin-1"), [(b"Content-Type", b"text/plain")])
    assert r.encoding == "ISO-8859-1" and r.text == "é"


def test_json_error_is_both_classes() -> None:
    r = _response(b"not json")
    with pytest.raises(tether.exceptions.JSONDecodeError) as info:
        r.json()
    import json

    assert isinstance(info.value, json.JSONDecodeError)


def _requests_response(body: bytes) -> requests.Response:
    r = requests.Response()
    r.raw = io.BytesIO(body)
    r.status_code = 200
    return r


@pytest.mark.parametrize("body", [b"one\ntwo\r\nthree\n\nfour", b"a;b;;c;", b"\r\n\r\n", b"x"])
@pytest.mark.parametrize("chunk_size", [1, 2, 3, 512])
@pytest.mark.parametrize("delimiter", [None, b";", b"\r\n"])
def test_iter_lines_matches_requests(body: bytes, chunk_size: int, delimiter: Any) -> None:
    ours = list(_response(body).iter_lines(chunk_size=chunk_size, delimiter=delimiter))
    theirs = list(_requests_response(body).iter_lines(chunk_size=chunk_size,
                                                       delimiter=delimiter))
    assert ours == theirs


def test_iter_content_consumed() -> None:
    body = b"one\ntwo\r\nthree\n\nfour"
    r = _response(body)
    assert b"".join(r.iter_content(4)) == body
    with pytest.raises(tether.exceptions.StreamConsumedError):
        list(r.iter_content(4))


def test_iter_content_decode_unicode() -> None:
    r = _response("héllo wörld".encode(), [(b"Content-Type", b"text/plain; charset=utf-8")])
    assert "".join(r.iter_content(1, decode_unicode=True)) == "héllo wörld"


def test_raise_for_status_and_ok() -> None:
    r = _response(b"", status=404)
    r.reason = "Not Found"
    assert not r.ok and not bool(r)
    with pytest.raises(tether.HTTPError, match="404 Client Error: Not Found for url: http://h/"):
        r.raise_for_status()
    r = _response(b"", status=503)
    r.reason = "Service Unavailable"
    with pytest.raises(tether.HTTPError, match="503 Server Error"):
        r.raise_for_status()


def test_links_and_redirect_flags() -> None:
    r = _response(b"", [(b"Link", b'<http://a/2>; rel="next", <http://a/9>; rel="last"'),
                        (b"Location", b"/x")], status=308)
    assert r.links["next"]["url"] == "http://a/2"
    assert r.links["last"]["url"] == "http://a/9"
    assert r.is_redirect and r.is_permanent_redirect


def test_pickle_response() -> None:
    r = _response(b"body")
    again = pickle.loads(pickle.dumps(r))
    assert again.content == b"body" and again.status_code == 200


def test_raw_read_is_undecoded_by_default() -> None:
    import gzip

    data = gzip.compress(b"hello" * 100)
    r = _response(data, [(b"Content-Encoding", b"gzip")])
    assert r.raw.read() == data
    r = _response(data, [(b"Content-Encoding", b"gzip")])
    assert r.raw.read(decode_content=True) == b"hello" * 100
    r = _response(data, [(b"Content-Encoding", b"gzip")])
    assert r.content == b"hello" * 100
    assert r.raw.tell() == len(data)


def test_original_response_headers_for_cookies() -> None:
    r = _response(b"", [(b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")])
    assert r.raw._original_response.msg.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert r.headers["set-cookie"] == "a=1, b=2"
    assert r.raw.headers.getlist("Set-Cookie") == ["a=1", "b=2"]


def test_codes_match_requests() -> None:
    assert tether.codes.__dict__ == requests.codes.__dict__
    assert tether.codes["nope"] is None


def test_case_insensitive_dict() -> None:
    d = tether.structures.CaseInsensitiveDict({"Accept": "x"})
    assert d["aCCEPT"] == "x" and "accept" in d
    d["ACCEPT"] = "y"
    assert list(d) == ["ACCEPT"] and d == {"accept": "y"}
    assert dict(d.lower_items()) == {"accept": "y"}


@given(st.lists(st.tuples(st.sampled_from([b"A", b"a", b"B", b"Content-Type", b"X-Y"]),
                          st.binary(max_size=6)), max_size=8))
@settings(max_examples=200)
def test_response_headers_match_field_by_field_decoding(pairs: list[tuple[bytes, bytes]]) -> None:
    # headers_from_pairs decodes the whole block at once; the result must be what
    # decoding and merging each field in turn gives, whatever the bytes (NUL included).
    from tether.http._body import headers_from_pairs

    headers = headers_from_pairs(pairs)
    expected: dict[str, tuple[str, str]] = {}
    for name, value in pairs:
        n, v = name.decode("latin-1"), value.decode("latin-1")
        earlier = expected.get(n.lower())
        expected[n.lower()] = (n, v) if earlier is None else (n, earlier[1] + ", " + v)
    assert dict(headers._store) == expected
    assert list(headers._store) == list(expected)
    assert headers._fields == [(n.decode("latin-1"), v.decode("latin-1")) for n, v in pairs]


def test_credentials_stay_out_of_process_wide_header_caches() -> None:
    # Recent header sets are cached process-wide (validated and encoded once); sets
    # carrying credentials must not be kept there after their request.
    from tether import adapters, models

    secret = "Bearer s3cret-for-this-test"
    for headers in ({"Authorization": secret}, {"Cookie": "sid=" + secret},
                    {"Proxy-Authorization": secret}):
        for _ in range(2):
            prepared = tether.Request(  # a CaseInsensitiveDict, as a session passes
                "GET", "http://example.com/",
                headers=tether.structures.CaseInsensitiveDict(headers)).prepare()
            adapters.build_raw_request(prepared, None, True, None, {})
    kept = repr(list(models._PREPARED_HEADERS)) + repr(list(adapters._WIRE_HEADERS))
    assert "s3cret" not in kept
    # Ordinary header sets are still cached.
    plain = tether.structures.CaseInsensitiveDict({"X-Plain": "kept"})
    adapters.build_raw_request(
        tether.Request("GET", "http://example.com/", headers=plain).prepare(), None, True,
        None, {})
    assert "kept" in repr(list(models._PREPARED_HEADERS))
    assert "kept" in repr(list(adapters._WIRE_HEADERS))
