"""Patterns real programs use with urllib.request, written here in their style:
feedparser's handler that turns error statuses into responses, setuptools'
"HTTPError as a response", scrapy's robots middleware feeding parse()."""

from __future__ import annotations

import socket

import tether.opener as request
from opener._httppeer import Seen, http_peer
from tether.robots import RobotFileParser


class FeedHandler(request.HTTPDigestAuthHandler, request.HTTPRedirectHandler,
                  request.HTTPDefaultErrorHandler):
    """Like feedparser's URLHandler: statuses come back as responses, not errors."""

    def http_error_default(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        fp.status = code
        return fp

    def http_error_301(self, req, fp, code, msg, hdrs):  # type: ignore[no-untyped-def]
        result = request.HTTPRedirectHandler.http_error_301(self, req, fp, code, msg, hdrs)
        if not result:
            return fp
        result.status = code
        result.newurl = result.geturl()
        return result

    http_error_302 = http_error_301


def _feed_server(seen: Seen, conn: socket.socket) -> bool:
    if seen.target == "/old":
        conn.sendall(b"HTTP/1.1 301 Moved\r\nLocation: /feed\r\nContent-Length: 0\r\n\r\n")
    elif seen.headers.get("if-none-match") == '"v1"':
        conn.sendall(b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n")
    else:
        body = b"<rss version='2.0'><channel/></rss>"
        conn.sendall(b"HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Type: application/rss+xml"
                     b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return True


def test_feedparser_style_handler() -> None:
    with http_peer(_feed_server) as peer:
        opener = request.build_opener(FeedHandler())
        opener.addheaders = []
        req = request.Request(peer.url + "/old")
        req.add_header("A-IM", "feed")
        f = opener.open(req)
        assert f.read().startswith(b"<rss")
        assert f.status == 301 and f.newurl == peer.url + "/feed"
        assert f.headers["ETag"] == '"v1"'
        f.close()
        req = request.Request(peer.url + "/feed", headers={"If-None-Match": '"v1"'})
        f = opener.open(req)
        assert f.status == 304
        assert f.read() == b""
        f.close()
    assert "user-agent" not in peer.requests[0].headers  # addheaders = [] honoured
    assert peer.requests[0].headers["a-im"] == "feed"


def test_http_error_used_as_response() -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 4\r\n\r\nbusy")
        return True

    with http_peer(respond) as peer:
        try:
            fp = request.urlopen(peer.url + "/")
        except request.HTTPError as v:
            fp = v
        assert fp.code == 503
        assert fp.info()["Retry-After"] == "7"
        assert fp.read() == b"busy"
        fp.close()


def test_scrapy_style_robots() -> None:
    body = "User-agent: *\nDisallow: /private\n"
    parser = RobotFileParser()
    parser.parse(body.splitlines())
    assert parser.can_fetch("Scrapy/2.11 (+https://scrapy.org)", "https://a.example/private/x")\
        is False
    assert parser.can_fetch("Scrapy/2.11 (+https://scrapy.org)", "https://a.example/public")
