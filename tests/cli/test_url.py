"""``tether url`` and ``tether robots`` as subprocesses."""

from __future__ import annotations

import json
import socket

from cli._run import one_error_line, raw_http_server, tether

ROBOTS = (b"User-agent: *\nDisallow: /private/\nAllow: /private/press/\n\n"
          b"User-agent: examplebot\nDisallow: /\nAllow: /public/\n")


def test_url_parse_json() -> None:
    proc = tether("url", "parse", "--json", "HTTPS://us%65r:p%40ss@B\u00fccher.Example:8443"
                  "/a/b/../c?x=1&x=2#frag")
    assert proc.returncode == 0, proc.stderr
    parts = json.loads(proc.stdout)
    assert parts["scheme"] == "https"
    assert parts["ascii_host"] == "xn--bcher-kva.example"  # UTS 46 / IDNA
    assert parts["host"] == "b\u00fccher.example"
    assert (parts["username"], parts["password"]) == ("user", "p@ss")
    assert (parts["port"], parts["path"], parts["fragment"]) == (8443, "/a/c", "frag")
    assert parts["params"] == [["x", "1"], ["x", "2"]]


def test_url_parse_table_when_piped() -> None:
    lines = tether("url", "parse", "http://example.com/p?q=1").stdout.decode().splitlines()
    assert "host:   example.com" in lines
    assert "port:   80 (default)" in lines


def test_url_join_quote_unquote_encode() -> None:
    # RFC 3986 §5.4.1 examples.
    joined = tether("url", "join", "http://a/b/c/d;p?q", "../g", "//g", "?y", "#s")
    rows = [line.split("\t") for line in joined.stdout.decode().splitlines()]
    assert rows == [["reference", "result"], ["../g", "http://a/b/g"], ["//g", "http://g/"],
                    ["?y", "http://a/b/c/d;p?y"], ["#s", "http://a/b/c/d;p?q#s"]]
    assert tether("url", "join", "http://a/b", "c").stdout == b"http://a/c\n"
    assert tether("url", "quote", "a b/\u00fc").stdout == b"a%20b/%C3%BC\n"
    assert tether("url", "quote", "--plus", "--safe", "", "a b/c").stdout == b"a+b%2Fc\n"
    assert tether("url", "unquote", "--plus", "a+b%2Fc").stdout == b"a b/c\n"
    assert tether("url", "encode", "q=tether demo", "n=1").stdout == b"q=tether+demo&n=1\n"


def test_url_errors_are_usage_errors() -> None:
    bad = tether("url", "parse", "http://a[::1]/")
    assert bad.returncode == 2
    one_error_line(bad)
    assert tether("url", "encode", "no-equals-sign").returncode == 2


def _robots(head: bytes, sock: socket.socket) -> None:
    if head.startswith(b"GET /robots.txt "):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n" % len(ROBOTS) + ROBOTS)
    else:
        sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")


def test_robots_answers_with_the_deciding_rule() -> None:
    with raw_http_server(_robots) as port:
        base = f"http://127.0.0.1:{port}"
        mixed = tether("robots", base, "/", "/private/x", "/private/press/y")
        only_allowed = tether("robots", base + "/private/press/", "-A", "tether/1.0")
        bot = tether("robots", base, "--json", "-A", "ExampleBot/2.0 (+https://x)",
                     "/public/a", "/other")
    assert mixed.returncode == 1  # some path is disallowed
    rows = [line.split("\t") for line in mixed.stdout.decode().splitlines()]
    assert rows == [["path", "verdict", "because"], ["/", "allowed", "no rule matched"],
                    ["/private/x", "DISALLOWED", "Disallow: /private/"],
                    ["/private/press/y", "allowed", "Allow: /private/press/"]]
    assert only_allowed.returncode == 0
    results = json.loads(bot.stdout)["results"]
    assert [(r["path"], r["allowed"], r["rule"]) for r in results] == [
        ("/public/a", True, "Allow: /public/"), ("/other", False, "Disallow: /")]


def test_robots_unreachable_disallows_everything() -> None:
    def error(head: bytes, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 503 Unavailable\r\nContent-Length: 0\r\n\r\n")

    with raw_http_server(error) as port:
        proc = tether("robots", f"http://127.0.0.1:{port}/", "/anything")
    assert proc.returncode == 1
    assert b"all disallowed" in proc.stdout
