"""robots.txt for crawlers: the ``urllib.robotparser`` API with RFC 9309 semantics.

``import tether.robots as robotparser`` keeps :class:`RobotFileParser` (``set_url``,
``read``, ``parse``, ``can_fetch``, ``mtime``, ``modified``, ``crawl_delay``,
``request_rate``, ``site_maps``, ``str(parser)``) and :class:`RequestRate`. The file is
fetched through :mod:`tether.opener`; the rules are matched by the pure engine in
:mod:`tether.protocols.robotstxt`.

Differences from urllib.robotparser (CPython 3.11)
--------------------------------------------------
Matching follows RFC 9309 instead of the 1996 draft:

1. **Groups.** The crawler's product token (its user-agent up to the first ``/`` or
   white space) must *equal* a group's token, case-insensitively; urllib matched any
   substring, so ``Googlebot-Mobile`` obeyed a ``Googlebot`` group. Every group naming
   the crawler applies (merged), and the ``*`` groups (merged too) apply only when none
   does; urllib used the first ``*`` group only. Blank lines do not end a group.
2. **Rules.** The longest matching pattern wins and ``allow`` wins a tie; urllib took
   the first rule that matched. ``*`` and a final ``$`` are wildcards.
3. **Percent-encoding.** Escapes of unreserved characters are decoded on both sides and
   other escapes keep their encoding, so ``/a%2Fb`` is not ``/a/b`` (urllib decoded
   everything, so it was).
4. **/robots.txt is always allowed** by the rules (RFC 9309 §2.2.2). After a failed
   fetch (``disallow_all``) nothing is allowed, as in urllib.
5. **read().** At most :data:`MAX_ROBOTS_TXT_BYTES` (500 KiB, RFC 9309 §2.5) are
   parsed; up to :data:`MAX_ROBOTS_TXT_REDIRECTS` (5) redirects are followed
   (§2.3.1.2, more means "unavailable": allow all); 401/403 mean disallow all, any
   other 4xx allow all (§2.3.1.3); a 5xx or an unreachable server (timeout, refused,
   TLS failure) mean disallow all (§2.3.1.4). urllib let network errors escape from
   ``read()``; tether records the error in ``.error`` and disallows all. Bytes that
   are not UTF-8 are kept (surrogate-escaped) instead of raising
   ``UnicodeDecodeError``. ``read()`` and ``parse()`` replace the previous rules
   instead of appending to them.
6. **Crawl-delay** accepts decimals (``0.5``), returned as a float.

CPython's own ``test_robotparser`` runs against this module
(``tests/test_robots.py``); the tests it fails, all on purpose:

- ``UserAgentGoogleMobileTest.test_bad_urls``: ``Googlebot-Mobile`` has its own group
  (``Allow: /``), which RFC 9309 applies (point 1).
- ``UseFirstUserAgentWildcardTest.test_good_urls``: both ``*`` groups apply (point 1).

Async code fetches the file with its own client and calls :meth:`RobotFileParser.parse`;
``can_fetch`` does no I/O.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterable
from typing import Any

from tether.protocols.robotstxt import (
    MAX_ROBOTS_TXT_BYTES,
    MAX_ROBOTS_TXT_REDIRECTS,
    Group,
    Matcher,
    RequestRate,
    RobotsTxt,
    Rule,
    normalise_path,
    normalise_pattern,
    parse,
    path_of,
    product_token,
)

__all__ = [
    "MAX_ROBOTS_TXT_BYTES",
    "MAX_ROBOTS_TXT_REDIRECTS",
    "Entry",
    "RequestRate",
    "RobotFileParser",
    "RuleLine",
]


class RuleLine:
    """One ``Allow``/``Disallow`` line (urllib.robotparser's name for it)."""

    __slots__ = ("allowance", "path")

    def __init__(self, path: str, allowance: bool) -> None:
        self.path = path
        self.allowance = allowance

    @classmethod
    def _from(cls, rule: Rule) -> RuleLine:
        return cls(rule.raw, rule.allow)

    def applies_to(self, filename: str) -> bool:
        return _rule_matches(self.path, filename)

    def __str__(self) -> str:
        return ("Allow" if self.allowance else "Disallow") + ": " + self.path


def _rule_matches(raw: str, url: str) -> bool:
    matcher = Matcher([Rule(False, raw, normalise_pattern(raw))])
    return not matcher.allowed_normalised(normalise_path(path_of(url)))


class Entry:
    """A view of one group in urllib.robotparser's shape (``useragents``,
    ``rulelines``, ``delay``, ``req_rate``)."""

    __slots__ = ("_group",)

    def __init__(self, group: Group) -> None:
        self._group = group

    @property
    def useragents(self) -> list[str]:
        return list(self._group.agents)

    @property
    def rulelines(self) -> list[RuleLine]:
        return [RuleLine._from(r) for r in self._group.rules]

    @property
    def delay(self) -> float | int | None:
        return self._group.crawl_delay

    @property
    def req_rate(self) -> RequestRate | None:
        return self._group.request_rate

    def applies_to(self, useragent: str) -> bool:
        token = product_token(useragent)
        return token in self._group.tokens or self._group.is_default

    def allowance(self, filename: str) -> bool:
        return Matcher(self._group.rules).allowed(filename)

    def __str__(self) -> str:
        lines = [f"User-agent: {agent}" for agent in self._group.agents]
        if self.delay is not None:
            lines.append(f"Crawl-delay: {self.delay}")
        rate = self.req_rate
        if rate is not None:
            lines.append(f"Request-rate: {rate.requests}/{rate.seconds}")
        lines.extend(str(r) for r in self.rulelines)
        return "\n".join(lines)


class RobotFileParser:
    """Reads one robots.txt file and answers which URLs a crawler may fetch.

    ``timeout`` is used by :meth:`read` (tether.opener's meaning: a number is the
    socket timeout, a :class:`~tether.net.TimeoutConfig` as given; default: finite).
    """

    def __init__(self, url: str = "", *, timeout: Any = None) -> None:
        self._robots = RobotsTxt()
        self._matchers: dict[str, Matcher] = {}
        self.disallow_all = False
        self.allow_all = False
        self.last_checked: float = 0
        self.error: BaseException | None = None
        self.timeout = timeout
        self.url = ""
        self.host = ""
        self.path = ""
        self.set_url(url)

    # -- urllib.robotparser API ----------------------------------------------------
    def mtime(self) -> float:
        """When the file was last fetched or parsed (``time.time()``), 0 if never."""
        return self.last_checked

    def modified(self) -> None:
        """Record that the file was fetched now."""
        self.last_checked = time.time()

    def set_url(self, url: str) -> None:
        """Set the URL of the robots.txt file."""
        self.url = url
        self.host, self.path = urllib.parse.urlparse(url)[1:3]

    def read(self) -> None:
        """Fetch the robots.txt URL and parse it (see the module docstring for the
        outcome of each status)."""
        from tether.opener import HTTPError, HTTPRedirectHandler, build_opener

        self.allow_all = self.disallow_all = False
        self.error = None
        redirects = HTTPRedirectHandler()
        redirects.max_redirections = MAX_ROBOTS_TXT_REDIRECTS
        opener = build_opener(redirects)
        kwargs: dict[str, Any] = {}
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        try:
            with opener.open(self.url, **kwargs) as response:
                raw = response.read(MAX_ROBOTS_TXT_BYTES + 1)
        except HTTPError as err:
            code = err.code or 0
            err.close()
            if code in (401, 403):
                self.disallow_all = True
            elif 300 <= code < 500:
                self.allow_all = True  # unavailable (§2.3.1.3), too many redirects too
            else:
                self.disallow_all = True  # unreachable (§2.3.1.4)
            self.error = err
            return
        except (OSError, ValueError) as err:
            # URLError, timeouts, TLS failures, a body cut short: unreachable.
            self.disallow_all = True
            self.error = err
            return
        if len(raw) > MAX_ROBOTS_TXT_BYTES:
            raw = raw[:MAX_ROBOTS_TXT_BYTES]
            cut = max(raw.rfind(b"\n"), raw.rfind(b"\r"))
            raw = raw[: cut + 1] if cut >= 0 else b""  # drop the partial last line
        self.parse(raw.decode("utf-8", "surrogateescape"))

    def parse(self, lines: str | Iterable[str]) -> None:
        """Parse robots.txt lines (or the whole text), replacing earlier rules."""
        self._robots = parse(lines)
        self._matchers = {}
        self.modified()

    def _matcher(self, useragent: str) -> Matcher:
        token = product_token(useragent)
        matcher = self._matchers.get(token)
        if matcher is None:
            groups = self._robots.groups_for(token)
            matcher = Matcher([rule for g in groups for rule in g.rules])
            if len(self._matchers) < 1024:  # distinct crawlers asked about: bounded cache
                self._matchers[token] = matcher
        return matcher

    def can_fetch(self, useragent: str, url: str) -> bool:
        """May the crawler ``useragent`` fetch ``url`` (an absolute URL or a path)?"""
        if self.disallow_all:
            return False
        if self.allow_all:
            return True
        if not self.last_checked:
            return False  # nothing read yet
        return self._matcher(useragent).allowed_normalised(normalise_path(path_of(url)))

    def crawl_delay(self, useragent: str) -> float | int | None:
        """The ``Crawl-delay`` of the crawler's group, or None."""
        if not self.mtime():
            return None
        return self._robots.crawl_delay(useragent)

    def request_rate(self, useragent: str) -> RequestRate | None:
        """The ``Request-rate`` of the crawler's group as a :class:`RequestRate`, or None."""
        if not self.mtime():
            return None
        return self._robots.request_rate(useragent)

    def site_maps(self) -> list[str] | None:
        """The ``Sitemap`` URLs, or None if the file names none."""
        return list(self._robots.sitemaps) or None

    # -- compatibility views ---------------------------------------------------------
    @property
    def sitemaps(self) -> list[str]:
        return self._robots.sitemaps

    @property
    def entries(self) -> list[Entry]:
        """The groups that do not name ``*``, in file order."""
        return [Entry(g) for g in self._robots.groups if not g.is_default and _shown(g)]

    @property
    def default_entry(self) -> Entry | None:
        """The first ``*`` group (urllib's notion; RFC 9309 merges all of them)."""
        for g in self._robots.groups:
            if g.is_default:
                return Entry(g)
        return None

    def __str__(self) -> str:
        shown = [g for g in self._robots.groups if _shown(g)]
        ordered = [g for g in shown if not g.is_default] + [g for g in shown if g.is_default]
        return "\n\n".join(str(Entry(g)) for g in ordered)


def _shown(group: Group) -> bool:
    # urllib.robotparser keeps a group only once it has a record besides user-agent.
    return bool(group.rules or group.crawl_delay is not None or group.request_rate is not None)

