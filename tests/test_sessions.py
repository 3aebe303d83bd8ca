"""Session and AsyncSession against a real httpbin (gunicorn) and nginx, both colours."""

from __future__ import annotations

import gzip
import os
from typing import Any

import pytest

import tether
from servers._http_colours import Both
from servers.httpbin import HttpBin

pytestmark = pytest.mark.server


def test_get_params_headers(s: Both, httpbin: HttpBin) -> None:
    s.headers["X-Session"] = "1"
    s.params = {"sp": "x"}
    r = s.get(httpbin + "/get", params={"a": ["1", "2"], "b": "ü"}, headers={"X-Req": "2"})
    assert r.status_code == 200 and r.ok
    body = r.json()
    assert body["args"] == {"a": ["1", "2"], "b": "ü", "sp": "x"}
    assert body["headers"]["X-Session"] == "1" and body["headers"]["X-Req"] == "2"
    assert body["headers"]["User-Agent"].startswith("python-tether/")
    assert r.url == httpbin + "/get?sp=x&a=1&a=2&b=%C3%BC"
    assert r.elapsed.total_seconds() > 0
    assert r.request.method == "GET"


def test_header_none_removes_session_header(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/headers", headers={"Accept-Encoding": None, "User-Agent": None})
    headers = r.json()["headers"]
    assert "Accept-Encoding" not in headers and "User-Agent" not in headers


def test_post_form_json_multipart(s: Both, httpbin: HttpBin, tmp_path: Any) -> None:
    r = s.post(httpbin + "/post", data={"a": "1", "b": ["2", "3"]})
    assert r.json()["form"] == {"a": "1", "b": ["2", "3"]}
    r = s.post(httpbin + "/post", json={"k": [1, None]})
    assert r.json()["json"] == {"k": [1, None]}
    path = tmp_path / "upload.txt"
    path.write_bytes(b"file contents")
    with open(path, "rb") as fh:
        r = s.post(httpbin + "/post", data={"field": "v"},
                   files={"up": fh, "t": ("t.txt", b"tuple", "text/plain")})
    body = r.json()
    assert body["files"] == {"up": "file contents", "t": "tuple"}
    assert body["form"] == {"field": "v"}
    assert body["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")


def test_streamed_upload_is_chunked(s: Both, httpbin: HttpBin) -> None:
    r = s.put(httpbin + "/put", data=iter([b"ab", b"cd", "é"]))
    assert r.json()["data"] == "abcdé"


@pytest.mark.parametrize("code", [200, 204, 304, 404, 418, 500])
def test_status_codes(s: Both, httpbin: HttpBin, code: int) -> None:
    r = s.get(httpbin + f"/status/{code}")
    assert r.status_code == code
    assert r.ok is (code < 400)
    if code >= 400:
        with pytest.raises(tether.HTTPError) as info:
            r.raise_for_status()
        assert info.value.response is r


def test_head_and_options(s: Both, httpbin: HttpBin) -> None:
    r = s.head(httpbin + "/get")
    assert r.status_code == 200 and r.content == b""
    r = s.options(httpbin + "/get")
    assert "GET" in r.headers["Allow"]


def test_redirect_chain(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/redirect/3")
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [302, 302, 302]
    assert r.url == httpbin + "/get"
    assert r.history[0].url == httpbin + "/redirect/3"
    r = s.get(httpbin + "/relative-redirect/2")
    assert r.url == httpbin + "/get" and len(r.history) == 2


def test_too_many_redirects(s: Both, httpbin: HttpBin) -> None:
    s.max_redirects = 2
    with pytest.raises(tether.TooManyRedirects, match="Exceeded 2 redirects") as info:
        s.get(httpbin + "/redirect/5")
    assert info.value.response.status_code == 302


def test_no_redirects_gives_next(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/redirect/1", allow_redirects=False)
    assert r.status_code == 302 and r.is_redirect
    assert r.next is not None and r.next.url == httpbin + "/get"


@pytest.mark.parametrize(("status", "method", "expect_method", "keeps_body"), [
    (301, "POST", "GET", False), (302, "POST", "GET", False), (302, "PUT", "GET", False),
    (303, "POST", "GET", False), (303, "PUT", "GET", False),
    (307, "POST", "POST", True), (308, "PUT", "PUT", True),
])
def test_redirect_method_and_body_rules(s: Both, httpbin: HttpBin, status: int, method: str,
                                        expect_method: str, keeps_body: bool) -> None:
    r = s.request(method, httpbin + f"/redirect-to?url=/anything&status_code={status}",
                  data=b"payload", headers={"Content-Type": "text/plain"})
    body = r.json()
    assert body["method"] == expect_method
    assert (body["data"] == "payload") is keeps_body
    if not keeps_body:
        assert "Content-Type" not in body["headers"]


def test_cross_origin_redirect_strips_credentials(s: Both, httpbin: HttpBin) -> None:
    # 127.0.0.1 and localhost are different origins on the same server.
    other = f"http://localhost:{httpbin.port}/anything"
    r = s.get(httpbin + f"/redirect-to?url={other}", auth=("u", "p"),
              headers={"Cookie": "explicit=1"}, cookies={"per_request": "1"})
    headers = r.json()["headers"]
    assert r.url == other
    assert "Authorization" not in headers
    assert "Cookie" not in headers


def test_same_origin_redirect_keeps_credentials(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/redirect-to?url=/anything", auth=("u", "p"),
              cookies={"per_request": "1"})
    headers = r.json()["headers"]
    assert headers["Authorization"].startswith("Basic ")
    assert headers["Cookie"] == "per_request=1"


def test_redirect_keeps_fragment(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/redirect-to?url=/get#frag")
    assert r.url.endswith("/get#frag")


def test_cookies_persist_and_are_bound(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/cookies/set?a=1&b=2")
    assert r.json()["cookies"] == {"a": "1", "b": "2"}
    assert s.cookies.get_dict() == {"a": "1", "b": "2"}
    r = s.get(httpbin + "/cookies")
    assert r.json()["cookies"] == {"a": "1", "b": "2"}
    # A cookie set by 127.0.0.1 is not sent to localhost.
    r = s.get(f"http://localhost:{httpbin.port}/cookies")
    assert r.json()["cookies"] == {}
    r = s.get(httpbin + "/cookies/delete?a")
    assert s.cookies.get_dict() == {"b": "2"}


def test_response_cookies(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/response-headers?Set-Cookie=k%3Dv")
    assert r.cookies["k"] == "v"


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_digest_auth(s: Both, httpbin: HttpBin, algorithm: str) -> None:
    auth = tether.auth.HTTPDigestAuth("user", "secret")
    r = s.get(httpbin + f"/digest-auth/auth/user/secret/{algorithm}", auth=auth)
    assert r.status_code == 200 and r.json() == {"authenticated": True, "user": "user"}
    assert [h.status_code for h in r.history] == [401]
    # The nonce is remembered: the next call answers at once.
    r = s.get(httpbin + f"/digest-auth/auth/user/secret/{algorithm}", auth=auth)
    assert r.status_code == 200


def test_digest_auth_wrong_password(s: Both, httpbin: HttpBin) -> None:
    auth = tether.auth.HTTPDigestAuth("user", "wrong")
    r = s.get(httpbin + "/digest-auth/auth/user/secret", auth=auth)
    assert r.status_code == 401


def test_basic_auth(s: Both, httpbin: HttpBin) -> None:
    assert s.get(httpbin + "/basic-auth/u/p", auth=("u", "p")).status_code == 200
    assert s.get(httpbin + "/basic-auth/u/p", auth=("u", "x")).status_code == 401
    s.auth = tether.auth.HTTPBasicAuth("u", "p")
    assert s.get(httpbin + "/basic-auth/u/p").status_code == 200


def test_response_hooks(s: Both, httpbin: HttpBin) -> None:
    seen: list[int] = []

    def hook(r: tether.Response, **kwargs: Any) -> None:
        seen.append(r.status_code)
        assert "timeout" in kwargs

    s.hooks["response"].append(hook)
    s.get(httpbin + "/redirect/2")
    assert seen == [302, 302, 200]


@pytest.mark.parametrize("coding", ["gzip", "deflate", "brotli"])
def test_content_decoding(s: Both, httpbin: HttpBin, coding: str) -> None:
    r = s.get(httpbin + f"/{coding}")
    flag = {"gzip": "gzipped", "deflate": "deflated", "brotli": "brotli"}[coding]
    assert r.json()[flag] is True


def test_streaming(s: Both, httpbin: HttpBin) -> None:
    r = s.get(httpbin + "/stream/20", stream=True)
    lines = s.lines(r)
    assert len(lines) == 20
    r = s.get(httpbin + "/bytes/100000?seed=1", stream=True)
    chunks = s.chunks(r, 8192)
    assert sum(len(c) for c in chunks) == 100000
    assert all(len(c) == 8192 for c in chunks[:-1])
    r = s.get(httpbin + "/bytes/5000", stream=True)
    assert len(s.read(r)) == 5000


def test_request_and_send(s: Both, httpbin: HttpBin) -> None:
    prep = s.prepare_request(tether.Request("PATCH", httpbin + "/patch", data="x"))
    r = s.send(prep)
    assert r.json()["data"] == "x"
    with pytest.raises(ValueError, match="You can only send PreparedRequests"):
        s.send(tether.Request("GET", httpbin + "/get"))


def test_invalid_schema_and_url(s: Both) -> None:
    with pytest.raises(tether.exceptions.InvalidSchema, match="No connection adapters"):
        s.get("gopher://example.invalid/")
    with pytest.raises(tether.exceptions.MissingSchema):
        s.get("example.invalid/path")


def test_connection_refused(s: Both) -> None:
    from servers._harness import free_port

    with pytest.raises(tether.ConnectionError) as info:
        s.get(f"http://127.0.0.1:{free_port()}/")
    assert isinstance(info.value, tether.errors.NetworkError)
    assert info.value.request is not None


def test_tls(s: Both, httpbin_secure: HttpBin) -> None:
    r = s.get(httpbin_secure + "/get", verify=httpbin_secure.ca_pem)
    assert r.status_code == 200
    with pytest.raises(tether.exceptions.SSLError) as info:
        s.get(httpbin_secure + "/get")
    import ssl

    assert isinstance(info.value, ssl.SSLError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)
    r = s.get(httpbin_secure + "/get", verify=False)
    assert r.status_code == 200


def test_tls_ca_bundle_from_environment(s: Both, httpbin_secure: HttpBin,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", httpbin_secure.ca_pem or "")
    assert s.get(httpbin_secure + "/get").status_code == 200
    s.trust_env = False
    with pytest.raises(tether.exceptions.SSLError):
        s.get(httpbin_secure + "/get")


def test_missing_ca_bundle_message(s: Both, httpbin_secure: HttpBin) -> None:
    with pytest.raises(OSError, match="Could not find a suitable TLS CA certificate bundle"):
        s.get(httpbin_secure + "/get", verify="/nonexistent/ca.pem")


def test_bad_timeout_values(s: Both, httpbin: HttpBin) -> None:
    with pytest.raises(ValueError, match="Pass a \\(connect, read\\) timeout tuple"):
        s.get(httpbin + "/get", timeout=(1, 2, 3))
    with pytest.raises(ValueError, match="must be an int, float or None"):
        s.get(httpbin + "/get", timeout="soon")


def test_netrc(s: Both, httpbin: HttpBin, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login nu password np\n")
    os.chmod(netrc, 0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    assert s.get(httpbin + "/basic-auth/nu/np").status_code == 200


# -- nginx: static files and gzip ----------------------------------------------------

def test_nginx_static_and_gzip(s: Both, nginx: Any) -> None:
    r = s.get(nginx.http_url + "/small.txt")
    assert r.content == b"x" * 100
    expected = (nginx.docroot / "text.txt").read_bytes()
    r = s.get(nginx.http_url + "/text.txt")
    assert r.headers.get("Content-Encoding") == "gzip"
    assert r.content == expected
    assert r.raw.tell() < len(expected) // 3
    r = s.get(nginx.http_url + "/random-1m.bin", stream=True)
    assert b"".join(s.chunks(r, 65536)) == (nginx.docroot / "random-1m.bin").read_bytes()
    r = s.get(nginx.http_url + "/redirect")
    assert r.url == nginx.http_url + "/small.txt" and r.history[0].status_code == 302


def test_nginx_https(s: Both, nginx: Any) -> None:
    r = s.get(nginx.https_url + "/small.txt", verify=nginx.tls.ca_pem)
    assert r.content == b"x" * 100


def test_nginx_keepalive_reuse(s: Both, nginx: Any) -> None:
    for _ in range(5):
        assert s.get(nginx.http_url + "/small.txt").status_code == 200
    r = s.get(nginx.http_url + "/small.txt")
    assert r.raw.extensions.get("reused") is True


def test_gzip_file_served_raw(s: Both, nginx: Any) -> None:
    r = s.get(nginx.http_url + "/text.txt.gz")
    assert gzip.decompress(r.content) == (nginx.docroot / "text.txt").read_bytes()
