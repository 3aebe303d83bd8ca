"""Demo steps for tether.url: parsing, joining, quoting, and refusing unsafe input.

Each step checks its results against values written from the standards (WHATWG URL,
RFC 3986 §5.4 examples), so the demo fails if tether's answers are wrong.
"""

from __future__ import annotations

from tether.demo._runner import DemoContext, Step


def _expect(got: object, want: object, what: str) -> None:
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, expected {want!r}")


def parse_and_join(ctx: DemoContext) -> str:
    from tether.url import URL, urljoin

    url = URL("HTTPS://User:p%40ss@B\u00fccher.Example:8443/a/b/../c?q=1&q=2#top")
    _expect(url.raw_host, "xn--bcher-kva.example", "IDNA host")
    _expect((url.port, url.path, url.password), (8443, "/a/c", "p@ss"), "components")
    _expect(url.params.getall("q"), ["1", "2"], "query parameters")
    joined = url.join("../d?x=1")
    _expect(str(joined), "https://User:p%40ss@xn--bcher-kva.example:8443/d?x=1", "join")
    # RFC 3986 §5.4.1, through the urllib.parse-compatible function.
    _expect(urljoin("http://a/b/c/d;p?q", "../g"), "http://a/b/g", "urljoin")
    return f"{url.host} -> {url.raw_host}; join('../d?x=1') = {joined.path}?{joined.query}"


def quote_and_refuse(ctx: DemoContext) -> str:
    from tether.url import InvalidHost, quote, urlencode, urlsplit

    _expect(quote("a b/\u00fc"), "a%20b/%C3%BC", "quote")
    _expect(urlencode({"q": "tether demo", "n": 1}), "q=tether+demo&n=1", "urlencode")
    try:
        urlsplit("http://a[::1]/")
    except InvalidHost as exc:  # a ValueError too, as urllib.parse raises
        return f"quote/urlencode ok; 'http://a[::1]/' refused: {exc}"
    raise AssertionError("a bracket outside an IP literal was accepted")


STEPS = [
    Step("url: parse (WHATWG, IDNA) and join (RFC 3986)", parse_and_join),
    Step("url: quote, urlencode, refuse an unsafe host", quote_and_refuse),
]
