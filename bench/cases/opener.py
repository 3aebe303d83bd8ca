"""tether.opener vs urllib.request on nginx, and tether.robots vs urllib.robotparser.

- ``urlopen 100 B``: ``urlopen(url).read()`` of a 100-byte page, N_GET times. urllib
  opens (and closes) a connection per call; tether reuses a pooled keep-alive one.
  Issue 8 asks for at least 2x. What tether's side costs is mostly the transport and
  the round trip; the opener layer itself (handler chain, Request, response object)
  adds about 11 us of Python per call (measured with a stand-in transport).
- ``can_fetch 100k``: 100,000 distinct URLs against a 1,000-rule robots.txt (one
  ``*`` group of allow/disallow prefixes, a few wildcard rules, and five named groups).
  Issue 8 asks tether (RFC 9309 longest match) to be at least as fast as urllib's
  first-match scan. The parse is done before the clock starts.

Needs ``env["nginx_http"]`` (bench/servers.py starts nginx).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

NEEDS = ["nginx"]

N_GET = 3000
N_URLS = 100_000
N_RULES = 1000
SEED = 20261125


def _tether_urlopen(env: dict[str, Any]) -> float:
    import tether.opener as request

    url = env["nginx_http"] + "/small.txt"
    request.urlopen(url).read()  # warm the pool and the installed opener
    start = time.perf_counter()
    for _ in range(N_GET):
        with request.urlopen(url) as r:
            r.read()
    return time.perf_counter() - start


def _urllib_urlopen(env: dict[str, Any]) -> float:
    import urllib.request as request

    url = env["nginx_http"] + "/small.txt"
    request.urlopen(url).read()
    start = time.perf_counter()
    for _ in range(N_GET):
        with request.urlopen(url) as r:
            r.read()
    return time.perf_counter() - start


def _robots_txt(seed: int = SEED) -> str:
    rng = random.Random(seed)
    words = ["shop", "cart", "user", "api", "v1", "v2", "search", "tmp", "img", "static",
             "private", "admin", "blog", "post", "tag", "page", "docs", "files"]
    lines = ["User-agent: *"]
    for i in range(N_RULES - 60):
        path = "/" + "/".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.3:
            path += f"-{i}"
        lines.append(("Allow: " if rng.random() < 0.25 else "Disallow: ") + path)
    for i in range(10):
        lines.append(f"Disallow: /*.{rng.choice(['gif', 'pdf', 'zip'])}{i}$")
    for bot in ("googlebot", "bingbot", "yandex", "baiduspider", "duckduckbot"):
        lines.append(f"\nUser-agent: {bot}")
        for _ in range(10):
            lines.append("Disallow: /" + "/".join(rng.choice(words) for _ in range(2)))
    return "\n".join(lines) + "\n"


def _urls(seed: int = SEED) -> list[str]:
    rng = random.Random(seed + 1)
    words = ["shop", "cart", "user", "api", "v1", "search", "img", "blog", "post", "about",
             "index.html", "a.gif", "b.pdf", "item"]
    out = []
    for i in range(N_URLS):
        path = "/".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        query = f"?id={i}" if rng.random() < 0.3 else ""
        out.append(f"https://www.example.com/{path}{query}")
    return out


def _can_fetch(parser_class: Callable[[], Any]) -> float:
    text = _robots_txt()
    urls = _urls()
    parser = parser_class()
    parser.parse(text.splitlines())
    agents = ["MyCrawler/1.0", "googlebot", "SomeBot"]
    start = time.perf_counter()
    for i, url in enumerate(urls):
        parser.can_fetch(agents[i % 3], url)
    return time.perf_counter() - start


def _tether_can_fetch(env: dict[str, Any]) -> float:
    from tether.robots import RobotFileParser

    return _can_fetch(RobotFileParser)


def _urllib_can_fetch(env: dict[str, Any]) -> float:
    from urllib.robotparser import RobotFileParser

    return _can_fetch(RobotFileParser)


GROUPS: dict[str, dict[str, Callable[[dict[str, Any]], float]]] = {
    f"urlopen 100 B x{N_GET}": {"tether.opener": _tether_urlopen,
                                "urllib.request": _urllib_urlopen},
    f"can_fetch {N_URLS // 1000}k URLs, {N_RULES} rules": {
        "tether.robots": _tether_can_fetch, "urllib.robotparser": _urllib_can_fetch},
}
