"""Request, the handler chain, file:, data:, ftp: and names: no network needed."""

from __future__ import annotations

import email.message
import urllib.error
import urllib.request

import pytest

import tether.opener as request
from tether import errors

# urllib.request's public names in CPython 3.13 (its __all__ minus the URLopener and
# FancyURLopener classes 3.14 removes, plus the names issue 12 lists by hand).
NAMES_313 = [
    "Request", "OpenerDirector", "BaseHandler", "HTTPDefaultErrorHandler",
    "HTTPRedirectHandler", "HTTPCookieProcessor", "ProxyHandler", "HTTPPasswordMgr",
    "HTTPPasswordMgrWithDefaultRealm", "HTTPPasswordMgrWithPriorAuth",
    "AbstractBasicAuthHandler", "HTTPBasicAuthHandler", "ProxyBasicAuthHandler",
    "AbstractDigestAuthHandler", "HTTPDigestAuthHandler", "ProxyDigestAuthHandler",
    "HTTPHandler", "FileHandler", "FTPHandler", "CacheFTPHandler", "DataHandler",
    "UnknownHandler", "HTTPErrorProcessor", "urlopen", "install_opener", "build_opener",
    "pathname2url", "url2pathname", "getproxies", "urlretrieve", "urlcleanup",
    "HTTPSHandler", "AbstractHTTPHandler", "parse_http_list", "parse_keqv_list",
    "proxy_bypass",
]


@pytest.mark.parametrize("name", NAMES_313)
def test_every_urllib_request_name_exists(name: str) -> None:
    assert hasattr(request, name)
    if name in urllib.request.__all__:
        assert name in request.__all__


@pytest.mark.parametrize("name", ["URLError", "HTTPError", "ContentTooShortError"])
def test_urllib_error_names(name: str) -> None:
    ours = getattr(request, name)
    assert issubclass(ours, errors.TetherError)
    assert issubclass(ours, OSError)


def test_urlerror_text() -> None:
    err = request.URLError("no route")
    assert err.reason == "no route"
    assert str(err) == "<urlopen error no route>"
    assert str(urllib.error.URLError("no route")) == str(err)


def test_request_attributes() -> None:
    req = request.Request("http://user@Example.com:8080/a/b?q=1#frag", data=b"x",
                          headers={"x-one": "1"})
    assert req.type == "http"
    assert req.host == "user@Example.com:8080"
    assert req.selector == "/a/b?q=1"
    assert req.full_url == "http://user@Example.com:8080/a/b?q=1#frag"
    assert req.get_method() == "POST"
    assert req.get_header("X-one") == "1"
    assert not req.unverifiable
    theirs = urllib.request.Request("http://user@Example.com:8080/a/b?q=1#frag", data=b"x",
                                    headers={"x-one": "1"})
    for attr in ("type", "host", "selector", "full_url", "origin_req_host", "fragment"):
        assert getattr(req, attr) == getattr(theirs, attr), attr
    assert req.header_items() == theirs.header_items()


def test_bad_url() -> None:
    with pytest.raises(ValueError, match="unknown url type"):
        request.urlopen("no scheme here")
    with pytest.raises(request.URLError, match="unknown url type: gopher"):
        request.urlopen("gopher://example.com/")


def test_file_url(tmp_path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>hi</p>\nsecond\n")
    with request.urlopen(path.as_uri()) as r:
        assert r.status is None
        assert r.info()["Content-type"] == "text/html"
        assert r.info()["Content-length"] == "17"
        assert r.readline() == b"<p>hi</p>\n"
        assert r.read() == b"second\n"
        assert r.geturl() == path.as_uri()


def test_file_url_errors(tmp_path) -> None:
    with pytest.raises(request.URLError) as info:
        request.urlopen((tmp_path / "missing").as_uri())
    assert isinstance(info.value.reason, FileNotFoundError)
    with pytest.raises(request.URLError, match="only on localhost"):
        request.urlopen("file://files.example.com//etc/hosts")


@pytest.mark.parametrize("url,body,ctype", [
    ("data:,A%20brief%20note", b"A brief note", "text/plain;charset=US-ASCII"),
    ("data:text/plain;charset=utf-8;base64,aMOpbGxv", "héllo".encode(),
     "text/plain;charset=utf-8"),
    ("data:image/gif;base64,R0lGODdh", b"GIF87a", "image/gif"),
    ("data:;base64,SGVs%62G8=", b"Hello", "text/plain;charset=US-ASCII"),  # RFC 2397 §3
    ("data:text/html,%3Ch1%3EHi%3C%2Fh1%3E", b"<h1>Hi</h1>", "text/html"),
])
def test_data_urls(url: str, body: bytes, ctype: str) -> None:
    with request.urlopen(url) as r:
        assert r.read() == body
        assert r.info()["Content-type"] == ctype
        assert int(r.info()["Content-length"]) == len(body)
    with urllib.request.urlopen(url) as theirs:
        assert theirs.read() == body


@pytest.mark.parametrize("url", ["data:text/plain;base64", "data:;base64,QQ"])
def test_bad_data_urls(url: str) -> None:
    with pytest.raises(request.URLError):
        request.urlopen(url)


def test_ftp_is_not_yet_supported() -> None:
    with pytest.raises(request.URLError, match="FTP is not yet supported"):
        request.urlopen("ftp://127.0.0.1/pub/file.txt")


def test_handler_chain_order_and_processors() -> None:
    calls: list[str] = []

    class Early(request.BaseHandler):
        handler_order = 100

        def http_request(self, req):  # type: ignore[no-untyped-def]
            calls.append("early-request")
            req.add_header("X-Early", "1")
            return req

    class Fake(request.BaseHandler):
        handler_order = 400  # before HTTPHandler (500), as in urllib

        def http_open(self, req):  # type: ignore[no-untyped-def]
            calls.append("open " + req.get_header("X-early"))
            msg = email.message.Message()
            return request._handlers_misc._addinfourl(  # type: ignore[attr-defined]
                __import__("io").BytesIO(b"fake"), msg, req.full_url, 200)

        def http_response(self, req, resp):  # type: ignore[no-untyped-def]
            calls.append("response")
            return resp

    opener = request.build_opener(Early, Fake())
    assert opener.open("http://example.invalid/").read() == b"fake"
    assert calls == ["early-request", "open 1", "response"]


def test_build_opener_replaces_defaults() -> None:
    class MyRedirects(request.HTTPRedirectHandler):
        max_redirections = 3

    opener = request.build_opener(MyRedirects)
    kinds = [type(h) for h in opener.handlers]
    assert MyRedirects in kinds and request.HTTPRedirectHandler not in kinds
    assert request.HTTPSHandler in kinds and request.DataHandler in kinds


def test_install_opener() -> None:
    class Canned(request.BaseHandler):
        handler_order = 400

        def http_open(self, req):  # type: ignore[no-untyped-def]
            return request._handlers_misc._addinfourl(  # type: ignore[attr-defined]
                __import__("io").BytesIO(b"canned"), email.message.Message(), req.full_url,
                200)

    request.install_opener(request.build_opener(Canned))
    assert request.urlopen("http://example.invalid/").read() == b"canned"


def test_proxies_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("http_proxy", "http://proxy.local:3128")
    monkeypatch.setenv("HTTPS_PROXY", "socks5h://s.local:1080")
    monkeypatch.setenv("no_proxy", "internal.example, .corp")
    assert request.getproxies() == urllib.request.getproxies()
    for host in ("internal.example", "a.corp", "example.com", "corp", "x.internal.example:80"):
        assert request.proxy_bypass(host) == urllib.request.proxy_bypass_environment(host)


def test_socks_proxy_is_attached() -> None:
    handler = request.ProxyHandler({"http": "socks5h://user:pw@s.local:1090"})
    req = request.Request("http://example.com/")
    assert handler.proxy_open(req, "socks5h://user:pw@s.local:1090", "http") is None
    proxy = req._tether_proxy  # type: ignore[attr-defined]
    assert (proxy.scheme, proxy.host, proxy.port, proxy.username, proxy.password) == \
        ("socks5h", "s.local", 1090, "user", "pw")


def test_pathname_round_trip(tmp_path) -> None:
    path = str(tmp_path / "a dir" / "é.txt")
    url = request.pathname2url(path)
    assert url == urllib.request.pathname2url(path)
    assert request.url2pathname(url) == path


def test_digest_algorithms() -> None:
    handler = request.AbstractDigestAuthHandler()
    H, _KD = handler.get_algorithm_impls("MD5")
    assert H("a") == "0cc175b9c0f1b6a831c399e269772661"
    H, _ = handler.get_algorithm_impls("SHA-256")
    assert len(H("a")) == 64
    with pytest.raises(ValueError, match="Unsupported digest authentication algorithm"):
        handler.get_algorithm_impls("MD4")


def test_http_error_pickles() -> None:
    import pickle

    err = request.URLError("gone")
    again = pickle.loads(pickle.dumps(err))
    assert again.reason == "gone" and isinstance(again, errors.TetherError)
