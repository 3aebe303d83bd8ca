"""tether.robots: RobotFileParser against real servers and hostile peers, CPython's own
test_robotparser through an import alias, and agreement with urllib.robotparser where
RFC 9309 and the old draft agree."""

from __future__ import annotations

import socket
import urllib.robotparser

import pytest

import tether.opener
import tether.robots
from opener._cpython import aliased, load, run_suite
from opener._httppeer import Seen, http_peer, reply
from tether.robots import MAX_ROBOTS_TXT_BYTES, RequestRate, RobotFileParser


@pytest.fixture(autouse=True)
def _fresh_pool():
    tether.opener.urlcleanup()
    yield
    tether.opener.urlcleanup()


# -- CPython's test_robotparser -------------------------------------------------------

# test id -> why tether fails it on purpose (also in tether.robots' docstring).
DELIBERATE: dict[str, str] = {
    "UserAgentGoogleMobileTest.test_bad_urls": (
        "RFC 9309 §2.2.1: 'Googlebot-Mobile' matches its own group (Allow: /); "
        "urllib.robotparser matched the 'Googlebot' group by substring"
    ),
    "UseFirstUserAgentWildcardTest.test_good_urls": (
        "RFC 9309 §2.2.1: groups for the same agent ('*' twice) are merged; urllib used "
        "the first only"
    ),
}


def test_cpython_test_robotparser(monkeypatch) -> None:
    from test import support

    # NetworkTestCase needs www.pythontest.net: deny the 'network' resource so it skips.
    monkeypatch.setattr(support, "use_resources", [], raising=False)
    modules = {"urllib.robotparser": tether.robots, "urllib.request": tether.opener,
               "urllib.error": tether.opener}
    with aliased(modules):
        module = load("test_robotparser")
        total, result = run_suite(module, {})
    failed = set(result.failed)
    print(f"CPython test_robotparser: {total} run, {len(result.passed)} passed, "
          f"{len(failed)} failed, {len(result.skipped_names)} skipped")
    unexpected = failed - DELIBERATE.keys()
    fixed = DELIBERATE.keys() - failed
    assert not unexpected, "unexpected failures:\n" + "\n".join(
        result.failed[name] for name in sorted(unexpected))
    assert not fixed, f"listed as deliberate differences but passing: {sorted(fixed)}"
    assert len(result.passed) >= 58


def test_docstring_lists_the_same_differences() -> None:
    doc = tether.robots.__doc__ or ""
    for name in DELIBERATE:
        assert f"``{name}``" in doc, name


# -- agreement with urllib.robotparser on ordinary files -------------------------------

ORDINARY = """\
# a typical file
User-agent: *
Disallow: /cgi-bin/
Disallow: /tmp/
Disallow: /private.html
Crawl-delay: 5
Request-rate: 10/60

User-agent: archiver
Disallow: /

Sitemap: https://example.com/sitemap.xml
"""


@pytest.mark.parametrize("agent", ["*", "somebot", "archiver", "Archiver/2.0 (+x)"])
@pytest.mark.parametrize("path", ["/", "/cgi-bin/run", "/tmp", "/tmp/x", "/private.html",
                                  "/private.html?x=1", "/public/page", "http://h/cgi-bin/a"])
def test_agrees_with_urllib_on_ordinary_files(agent: str, path: str) -> None:
    theirs = urllib.robotparser.RobotFileParser()
    theirs.parse(ORDINARY.splitlines())
    ours = RobotFileParser()
    ours.parse(ORDINARY.splitlines())
    assert ours.can_fetch(agent, path) == theirs.can_fetch(agent, path)
    assert ours.crawl_delay(agent) == theirs.crawl_delay(agent)
    assert ours.request_rate(agent) == theirs.request_rate(agent)
    assert ours.site_maps() == theirs.site_maps()


def test_str_matches_urllib() -> None:
    theirs = urllib.robotparser.RobotFileParser()
    theirs.parse(ORDINARY.splitlines())
    ours = RobotFileParser()
    ours.parse(ORDINARY.splitlines())
    assert str(ours) == str(theirs)


def test_request_rate_type() -> None:
    ours = RobotFileParser()
    ours.parse(ORDINARY.splitlines())
    rate = ours.request_rate("x")
    assert isinstance(rate, RequestRate) and isinstance(rate, tuple)
    assert (rate.requests, rate.seconds) == (10, 60)


def test_nothing_read_means_nothing_allowed() -> None:
    parser = RobotFileParser("http://127.0.0.1:9/robots.txt")
    assert parser.can_fetch("*", "/") is False
    assert parser.mtime() == 0


# -- read(): real server and hostile peers --------------------------------------------


@pytest.mark.server
def test_read_from_nginx(nginx) -> None:
    parser = RobotFileParser()
    parser.set_url(nginx.http_url + "/robots.txt")
    assert parser.host == f"127.0.0.1:{nginx.port}" and parser.path == "/robots.txt"
    parser.read()
    assert parser.mtime() > 0
    assert parser.can_fetch("anybot", nginx.http_url + "/private/x") is False
    assert parser.can_fetch("anybot", nginx.http_url + "/index.html") is True


@pytest.mark.parametrize("status,allow_all,disallow_all", [
    (401, False, True), (403, False, True),                  # as urllib.robotparser
    (404, True, False), (410, True, False), (418, True, False),  # RFC 9309 §2.3.1.3
    (500, False, True), (503, False, True),                  # RFC 9309 §2.3.1.4
])
def test_read_status(status: int, allow_all: bool, disallow_all: bool) -> None:
    with http_peer(reply(status, b"User-agent: *\nDisallow: /\n")) as peer:
        parser = RobotFileParser(peer.url + "/robots.txt")
        parser.read()
    assert (parser.allow_all, parser.disallow_all) == (allow_all, disallow_all)
    assert parser.can_fetch("bot", "/page") is allow_all
    assert isinstance(parser.error, tether.opener.HTTPError)


def test_unreachable_means_disallow_all() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    parser = RobotFileParser(f"http://127.0.0.1:{port}/robots.txt")
    parser.read()  # urllib.robotparser would raise URLError here
    assert parser.disallow_all is True
    assert isinstance(parser.error, tether.opener.URLError)
    assert parser.can_fetch("bot", "/") is False


def _redirect_chain(hops: int):
    def respond(seen: Seen, conn: socket.socket) -> bool:
        n = int(seen.target.rsplit("/", 1)[1] or 0) if seen.target != "/robots.txt" else 0
        if n < hops:
            conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /r/%d\r\nContent-Length: 0\r\n\r\n"
                         % (n + 1))
        else:
            body = b"User-agent: *\nDisallow: /secret\n"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body), body))
        return True
    return respond


def test_five_redirects_are_followed() -> None:
    with http_peer(_redirect_chain(5)) as peer:
        parser = RobotFileParser(peer.url + "/robots.txt")
        parser.read()
    assert not parser.allow_all and not parser.disallow_all
    assert parser.can_fetch("bot", "/secret") is False
    assert parser.can_fetch("bot", "/open") is True


def test_six_redirects_mean_unavailable() -> None:
    with http_peer(_redirect_chain(6)) as peer:
        parser = RobotFileParser(peer.url + "/robots.txt")
        parser.read()
    assert parser.allow_all is True
    assert len(peer.requests) == 6


def test_parse_limit() -> None:
    filler = b"# " + b"x" * 1000 + b"\n"
    head = b"User-agent: *\nDisallow: /early\n"
    body = head + filler * (MAX_ROBOTS_TXT_BYTES // len(filler) + 10) + b"Disallow: /late\n"

    def respond(seen: Seen, conn: socket.socket) -> bool:
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        return False

    with http_peer(respond) as peer:
        parser = RobotFileParser(peer.url + "/robots.txt")
        parser.read()
    assert parser.can_fetch("bot", "/early") is False
    assert parser.can_fetch("bot", "/late") is True  # past 500 KiB: not parsed


def test_non_utf8_file_does_not_raise() -> None:
    body = b"User-agent: *\nDisallow: /caf\xe9\n"
    with http_peer(reply(200, body)) as peer:
        parser = RobotFileParser(peer.url + "/robots.txt")
        parser.read()
    assert parser.can_fetch("bot", "/caf%E9") is False
    assert parser.can_fetch("bot", "/cafe") is True
