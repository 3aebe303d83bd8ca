"""Calls with nothing of their own reuse a prepared request per (method, URL, session
headers): the copy must follow every change of the session's state, and changes to one
call's request must never reach the next."""

from __future__ import annotations

from typing import Any

import pytest

import tether
from tether.adapters import BaseAdapter
from tether.models import Response

URL = "http://example.test/path?q=1"


class Recorder(BaseAdapter):
    """An adapter that answers 200 at once and keeps every request it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Any] = []

    def send(self, request: Any, **kwargs: Any) -> Response:
        self.seen.append(request)
        response = Response()
        response.status_code = 200
        response._content = b""
        response.request = request
        response.url = request.url
        return response

    def close(self) -> None:
        pass


@pytest.fixture()
def session() -> tuple[tether.Session, Recorder]:
    s = tether.Session()
    s.trust_env = False
    recorder = Recorder()
    s.mount("http://", recorder)
    return s, recorder


def test_each_call_gets_its_own_request_and_headers(session: Any) -> None:
    s, rec = session
    s.get(URL)
    rec.seen[0].headers["X-Mine"] = "1"
    rec.seen[0].hooks["response"].append(print)
    s.get(URL)
    assert rec.seen[1] is not rec.seen[0]
    assert "X-Mine" not in rec.seen[1].headers
    assert rec.seen[1].hooks == {"response": []}
    assert rec.seen[1].url == "http://example.test/path?q=1"


def test_session_header_changes_apply_at_once(session: Any) -> None:
    s, rec = session
    s.get(URL)
    s.headers["X-Session"] = "a"
    s.get(URL)
    s.headers["X-Session"] = "b"
    s.get(URL)
    del s.headers["X-Session"]
    s.get(URL)
    assert [r.headers.get("X-Session") for r in rec.seen] == [None, "a", "b", None]


def test_session_auth_params_cookies_and_hooks_apply(session: Any) -> None:
    s, rec = session
    s.get(URL)
    s.auth = ("user", "pass")
    s.get(URL)
    s.auth = None
    s.params = {"p": "2"}
    s.get(URL)
    s.params = {}
    s.cookies.set("c", "v", domain="example.test")
    s.get(URL)
    s.cookies.clear()
    called: list[Any] = []
    s.hooks["response"].append(lambda r, **kw: called.append(r))
    s.get(URL)
    auth, params, cookie, hooked = rec.seen[1:]
    assert auth.headers["Authorization"].startswith("Basic ")
    assert params.url.endswith("q=1&p=2")
    assert cookie.headers["Cookie"] == "c=v"
    assert called and called[0].request is hooked
    assert "Authorization" not in rec.seen[0].headers


def test_method_and_url_are_part_of_the_key(session: Any) -> None:
    s, rec = session
    s.get(URL)
    s.post(URL)
    s.get(URL + "&r=2")
    get, post, other = rec.seen
    assert (get.method, post.method) == ("GET", "POST")
    assert post.headers["Content-Length"] == "0"
    assert "Content-Length" not in get.headers
    assert other.url.endswith("&r=2")


def test_netrc_is_read_for_every_call(session: Any, tmp_path: Any,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    s, rec = session
    s.trust_env = True
    netrc = tmp_path / "netrc"
    monkeypatch.setenv("NETRC", str(netrc))
    s.get(URL)
    netrc.write_text("machine example.test login alice password secret\n")
    s.get(URL)
    assert "Authorization" not in rec.seen[0].headers
    assert rec.seen[1].headers["Authorization"].startswith("Basic ")
