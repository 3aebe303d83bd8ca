"""tether.url against urllib.parse, yarl, rfc3986 and ada-url on 100,000 distinct inputs.

Every input list is built from a fixed seed before the clock starts, and every input is
distinct, so urllib.parse's lru_cache on urlsplit never hits (as in a crawler or a proxy,
unlike a loop over one URL). Each function returns the seconds of its measured loop.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

N = 100_000
SEED = 20261125

_HOSTS = ["example.com", "www.python.org", "api.github.com", "localhost", "127.0.0.1",
          "cdn{}.example.net", "[2001:db8::{:x}]", "bücher{}.example"]  # fmt: skip
_SEGMENTS = ["a", "b", "index.html", "v1", "users", "x y", "caf\u00e9", "%7Euser", "..", "."]
_REFS = ["../x/y?z=1", "g", "//other.example/p", "#frag", "?q=1", "/abs/path", "./a/./b"]


def _urls(seed: int = SEED, n: int = N) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        host = rng.choice(_HOSTS).format(i % 65536, i)
        port = rng.choice(["", "", ":8080", f":{1024 + i % 60000}"])
        user = rng.choice(["", "", "", f"user{i}@", f"u{i}:pw@"])
        path = "/".join(rng.choice(_SEGMENTS) for _ in range(rng.randint(0, 5)))
        query = "&".join(f"k{j}={rng.randint(0, 10**6)}" for j in range(rng.randint(0, 4)))
        frag = rng.choice(["", "", f"#s{i}"])
        scheme = rng.choice(["http", "https", "https", "HTTP", "ftp", "ws"])
        out.append(f"{scheme}://{user}{host}{port}/{path}{'?' + query if query else ''}{frag}")
    return out


def _texts(seed: int = SEED, n: int = N) -> list[str]:
    rng = random.Random(seed + 1)
    words = ["hello", "world", "a b", "x/y", "caf\u00e9", "100%", "q&a", "\u20ac5", "~tilde"]
    return [f"{rng.choice(words)} {i} {rng.choice(words)}" for i in range(n)]


def _timed(func: Callable[[Any], object], items: list[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        func(item)
    return time.perf_counter() - start


# --- urlsplit / urlparse ---


def split_tether(env: dict[str, Any]) -> float:
    from tether.url import urlsplit

    return _timed(urlsplit, _urls())


def split_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import urlsplit

    return _timed(urlsplit, _urls())


def split_rfc3986(env: dict[str, Any]) -> float:
    from rfc3986 import urlparse

    return _timed(urlparse, _urls())


def split_ada(env: dict[str, Any]) -> float:
    from ada_url import parse_url

    return _timed(parse_url, _urls())


def parse_tether(env: dict[str, Any]) -> float:
    from tether.url import urlparse

    return _timed(urlparse, _urls())


def parse_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import urlparse

    return _timed(urlparse, _urls())


def roundtrip_tether(env: dict[str, Any]) -> float:
    from tether.url import urlsplit, urlunsplit

    return _timed(lambda u: urlunsplit(urlsplit(u)), _urls())


def roundtrip_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import urlsplit, urlunsplit

    return _timed(lambda u: urlunsplit(urlsplit(u)), _urls())


def defrag_tether(env: dict[str, Any]) -> float:
    from tether.url import urldefrag

    return _timed(urldefrag, _urls())


def defrag_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import urldefrag

    return _timed(urldefrag, _urls())


# --- joining ---


def _pairs() -> list[tuple[str, str]]:
    urls = _urls()
    return [(u, _REFS[i % len(_REFS)]) for i, u in enumerate(urls)]


def join_tether(env: dict[str, Any]) -> float:
    from tether.url import urljoin

    return _timed(lambda p: urljoin(*p), _pairs())


def join_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import urljoin

    return _timed(lambda p: urljoin(*p), _pairs())


def join_ada(env: dict[str, Any]) -> float:
    from ada_url import join_url

    return _timed(lambda p: join_url(*p), _pairs())


def urljoin_type_tether(env: dict[str, Any]) -> float:
    from tether.url import URL

    pairs = [(URL(b), r) for b, r in _pairs()]
    return _timed(lambda p: p[0].join(p[1]), pairs)


def urljoin_type_yarl(env: dict[str, Any]) -> float:
    from yarl import URL

    pairs = [(URL(b), URL(r)) for b, r in _pairs()]
    return _timed(lambda p: p[0].join(p[1]), pairs)


def urljoin_parsed_tether(env: dict[str, Any]) -> float:
    from tether.url import URL

    pairs = [(URL(b), URL(r)) for b, r in _pairs()]
    return _timed(lambda p: p[0].join(p[1]), pairs)


# --- the URL type ---


def url_tether(env: dict[str, Any]) -> float:
    from tether.url import URL

    return _timed(URL, _urls())


def url_yarl(env: dict[str, Any]) -> float:
    from yarl import URL

    return _timed(URL, _urls())


def url_ada(env: dict[str, Any]) -> float:
    from ada_url import URL

    return _timed(URL, _urls())


def url_rfc3986(env: dict[str, Any]) -> float:
    from rfc3986 import uri_reference

    return _timed(lambda u: uri_reference(u).normalize(), _urls())


def url_str_tether(env: dict[str, Any]) -> float:
    from tether.url import URL

    return _timed(lambda u: str(URL(u)), _urls())


def url_str_yarl(env: dict[str, Any]) -> float:
    from yarl import URL

    return _timed(lambda u: str(URL(u)), _urls())


def url_str_ada(env: dict[str, Any]) -> float:
    from ada_url import URL

    return _timed(lambda u: URL(u).href, _urls())


# --- quoting and queries ---


def quote_tether(env: dict[str, Any]) -> float:
    from tether.url import quote

    return _timed(quote, _texts())


def quote_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import quote

    return _timed(quote, _texts())


def quote_plus_tether(env: dict[str, Any]) -> float:
    from tether.url import quote_plus

    return _timed(quote_plus, _texts())


def quote_plus_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import quote_plus

    return _timed(quote_plus, _texts())


def _quoted() -> list[str]:
    from urllib.parse import quote

    return [quote(t) for t in _texts()]


def unquote_tether(env: dict[str, Any]) -> float:
    from tether.url import unquote

    return _timed(unquote, _quoted())


def unquote_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import unquote

    return _timed(unquote, _quoted())


def unquote_plus_tether(env: dict[str, Any]) -> float:
    from tether.url import unquote_plus

    return _timed(unquote_plus, _quoted())


def unquote_plus_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import unquote_plus

    return _timed(unquote_plus, _quoted())


def _queries() -> list[str]:
    from urllib.parse import urlencode

    rng = random.Random(SEED + 2)
    texts = _texts()
    return [
        urlencode([(f"k{j}", texts[(i + j) % N]) for j in range(rng.randint(1, 6))])
        for i in range(N)
    ]


def parse_qsl_tether(env: dict[str, Any]) -> float:
    from tether.url import parse_qsl

    return _timed(parse_qsl, _queries())


def parse_qsl_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import parse_qsl

    return _timed(parse_qsl, _queries())


def _dicts() -> list[dict[str, str]]:
    from urllib.parse import parse_qsl

    return [dict(parse_qsl(q)) for q in _queries()]


def urlencode_tether(env: dict[str, Any]) -> float:
    from tether.url import urlencode

    return _timed(urlencode, _dicts())


def urlencode_urllib(env: dict[str, Any]) -> float:
    from urllib.parse import urlencode

    return _timed(urlencode, _dicts())


GROUPS: dict[str, dict[str, Callable[[dict[str, Any]], float]]] = {
    "urlsplit 100k distinct": {
        "tether": split_tether,
        "urllib.parse": split_urllib,
        "rfc3986": split_rfc3986,
        "ada_url.parse_url": split_ada,
    },
    "urlparse 100k distinct": {"tether": parse_tether, "urllib.parse": parse_urllib},
    "urlunsplit(urlsplit()) 100k": {"tether": roundtrip_tether, "urllib.parse": roundtrip_urllib},
    "urldefrag 100k": {"tether": defrag_tether, "urllib.parse": defrag_urllib},
    "urljoin 100k": {"tether": join_tether, "urllib.parse": join_urllib, "ada_url": join_ada},
    # rfc3986 is not a peer here: it refuses to resolve against the IRI bases (bücher...).
    # tether joins the reference text; yarl needs it parsed first (outside the clock).
    "URL.join 100k": {"tether": urljoin_type_tether, "yarl": urljoin_type_yarl},
    # Both given parsed references: the like-for-like comparison.
    "URL.join(URL) 100k": {"tether": urljoin_parsed_tether, "yarl": urljoin_type_yarl},
    "URL() 100k distinct": {
        "tether": url_tether,
        "yarl": url_yarl,
        "ada_url": url_ada,
        "rfc3986 (normalize)": url_rfc3986,
    },
    "str(URL()) 100k distinct": {
        "tether": url_str_tether,
        "yarl": url_str_yarl,
        "ada_url": url_str_ada,
    },
    "quote 100k": {"tether": quote_tether, "urllib.parse": quote_urllib},
    "quote_plus 100k": {"tether": quote_plus_tether, "urllib.parse": quote_plus_urllib},
    "unquote 100k": {"tether": unquote_tether, "urllib.parse": unquote_urllib},
    "unquote_plus 100k": {"tether": unquote_plus_tether, "urllib.parse": unquote_plus_urllib},
    "parse_qsl 100k": {"tether": parse_qsl_tether, "urllib.parse": parse_qsl_urllib},
    "urlencode 100k": {"tether": urlencode_tether, "urllib.parse": urlencode_urllib},
}
