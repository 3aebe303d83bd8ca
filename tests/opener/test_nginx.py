"""tether.opener against a real nginx (HTTP and HTTPS)."""

from __future__ import annotations

import gzip
import http.client
import ssl
import urllib.request

import pytest

import tether.opener as request
from tether import errors
from tether.opener._handlers_http import shared_transport

pytestmark = pytest.mark.server


def test_urlopen_small_page(nginx) -> None:
    with request.urlopen(nginx.http_url + "/small.txt") as r:
        assert r.status == 200
        assert r.getcode() == 200
        assert r.reason == "OK"
        assert r.msg == "OK"
        assert r.geturl() == nginx.http_url + "/small.txt"
        assert r.headers["Content-Length"] == "100"
        assert r.info().get_content_type() == "text/plain"
        assert isinstance(r.headers, http.client.HTTPMessage)
        assert r.getheader("content-type") == "text/plain"
        assert r.read() == b"x" * 100
        assert r.read() == b""


def test_same_result_as_urllib(nginx) -> None:
    url = nginx.http_url + "/text.txt"
    with urllib.request.urlopen(url, timeout=10) as theirs, request.urlopen(url) as ours:
        assert ours.read() == theirs.read()
        assert ours.status == theirs.status
        assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]


def test_connections_are_reused(nginx) -> None:
    for _ in range(5):
        with request.urlopen(nginx.http_url + "/small.txt") as r:
            r.read()
    stats = shared_transport().statistics()
    assert stats["connections"] == 1
    assert stats["idle"] == 1


def test_lines_and_iteration(nginx) -> None:
    with request.urlopen(nginx.http_url + "/text.txt") as r:
        first = r.readline()
        assert first == b"line 000000 of a compressible text file\n"
        assert r.readline(5) == b"line "
        rest = list(r)
    assert len(rest) == 19999
    assert rest[-1] == b"line 019999 of a compressible text file\n"


def test_read_in_fixed_blocks(nginx) -> None:
    expected = (nginx.docroot / "random-1m.bin").read_bytes()
    blocks = []
    with request.urlopen(nginx.http_url + "/random-1m.bin") as r:
        while block := r.read(10000):
            assert len(block) == 10000 or len(b"".join(blocks)) + len(block) == len(expected)
            blocks.append(block)
    assert b"".join(blocks) == expected


def test_body_is_not_content_decoded(nginx) -> None:
    req = request.Request(nginx.http_url + "/text.txt", headers={"Accept-Encoding": "gzip"})
    with request.urlopen(req) as r:
        assert r.headers["Content-Encoding"] == "gzip"
        body = r.read()
    assert gzip.decompress(body) == (nginx.docroot / "text.txt").read_bytes()
    # Without the caller's header, identity is asked for (as urllib/http.client do).
    with request.urlopen(nginx.http_url + "/text.txt") as r:
        assert "Content-Encoding" not in r.headers


def test_http_error_is_a_response(nginx) -> None:
    with pytest.raises(request.HTTPError) as info:
        request.urlopen(nginx.http_url + "/status/404")
    err = info.value
    assert isinstance(err, request.URLError) and isinstance(err, OSError)
    assert isinstance(err, errors.TetherError)
    assert err.code == 404 and err.status == 404
    assert err.reason == "Not Found"
    assert err.headers["Content-Type"] == "text/html"
    assert b"404" in err.read()
    assert str(err) == "HTTP Error 404: Not Found"
    err.close()


def test_redirect_followed(nginx) -> None:
    with request.urlopen(nginx.http_url + "/redirect") as r:
        assert r.geturl() == nginx.http_url + "/small.txt"
        assert r.read() == b"x" * 100


def test_no_content(nginx) -> None:
    with request.urlopen(nginx.http_url + "/status/204") as r:
        assert r.status == 204
        assert r.read() == b""


def test_head_request(nginx) -> None:
    req = request.Request(nginx.http_url + "/small.txt", method="HEAD")
    with request.urlopen(req) as r:
        assert r.headers["Content-Length"] == "100"
        assert r.read() == b""


def test_https_with_context(nginx) -> None:
    ctx = ssl.create_default_context(cafile=str(nginx.tls.ca_pem))
    with request.urlopen(nginx.https_url + "/small.txt", context=ctx) as r:
        assert r.read() == b"x" * 100


def test_https_with_ssl_cert_file(nginx, monkeypatch) -> None:
    from tether.net import clear_context_cache

    monkeypatch.setenv("SSL_CERT_FILE", str(nginx.tls.ca_pem))
    clear_context_cache()
    try:
        with request.urlopen(nginx.https_url + "/small.txt") as r:
            assert r.read() == b"x" * 100
    finally:
        clear_context_cache()


def test_https_unknown_ca_refused(nginx) -> None:
    with pytest.raises(request.URLError) as info:
        request.urlopen(nginx.https_url + "/small.txt")
    assert isinstance(info.value.reason, ssl.SSLCertVerificationError)
    assert isinstance(info.value.reason, errors.TLSVerificationError)


def test_handler_with_its_own_context(nginx) -> None:
    ctx = ssl.create_default_context(cafile=str(nginx.tls.ca_pem))
    opener = request.build_opener(request.HTTPSHandler(context=ctx))
    with opener.open(nginx.https_url + "/index.html") as r:
        assert b"hello" in r.read()
