"""robots.txt parsing and matching (RFC 9309), sans I/O.

Theory of operation
-------------------
:func:`parse` turns the text of a robots.txt file into a :class:`RobotsTxt`: a list of
:class:`Group` values (user-agent product tokens, allow/disallow rules, and the
non-standard ``crawl-delay`` and ``request-rate`` records) plus the ``sitemap`` URLs. It
never raises on odd input (RFC 9309 §2.3.1.5: use every parseable line): lines may end
in LF, CRLF or a lone CR, a UTF-8 BOM is skipped, a line without a colon is read as
``key value`` when the key is known, unknown records are ignored, and lines of any
length are accepted. The *amount* of text parsed is bounded by the caller
(:data:`MAX_ROBOTS_TXT_BYTES`, the RFC's 500 KiB minimum, §2.5).

:meth:`RobotsTxt.matcher` selects the rules for a crawler (§2.2.1): the crawler's
product token (the part of its user-agent string before the first ``/`` or white
space) is compared case-insensitively with each group's user-agent values; every
matching group is merged into one, and the ``*`` groups (also merged) apply only when
no group names the crawler. The resulting :class:`Matcher` decides a path (§2.2.2):
the rule whose pattern has the most octets wins, ``allow`` wins a tie, no matching
rule means allowed, and ``/robots.txt`` is always allowed. ``*`` matches any run of
characters and a final ``$`` anchors the end (§2.2.3).

Both sides are normalised before comparison (§2.2.2): percent-escapes of unreserved
characters are decoded (``%7E`` is ``~``), other escapes keep their encoding with
upper-case hex (``%2f`` is ``%2F`` and never ``/``), characters outside ASCII are
percent-encoded as UTF-8, and ASCII characters that may not appear in a URI (space,
``"<>\\^`{|}``, controls) are percent-encoded. In a URI, a literal ``*`` or ``$`` is
compared as ``%2A``/``%24``, so only the rules' own ``*`` and ``$`` are special.

Speed: a :class:`Matcher` keeps rules without wildcards in dictionaries keyed by
pattern (one per pattern length, longest first), so a decision costs a few slices and
hash look-ups, whatever the number of rules; rules with ``*`` are tried longest first
and only while they could still beat the best literal match.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Final, NamedTuple

__all__ = [
    "MAX_ROBOTS_TXT_BYTES",
    "MAX_ROBOTS_TXT_REDIRECTS",
    "Group",
    "Matcher",
    "RequestRate",
    "RobotsTxt",
    "Rule",
    "normalise_path",
    "normalise_pattern",
    "parse",
    "path_of",
    "product_token",
]

#: How much of a robots.txt file is parsed; the rest is ignored. RFC 9309 §2.5: "The
#: parsing limit MUST be at least 500 kibibytes"; Google parses exactly that much.
MAX_ROBOTS_TXT_BYTES: Final = 500 * 1024
#: Redirects followed when fetching robots.txt. RFC 9309 §2.3.1.2: "crawlers SHOULD
#: follow at least five consecutive redirects"; more may be treated as unavailable.
MAX_ROBOTS_TXT_REDIRECTS: Final = 5


class RequestRate(NamedTuple):
    """``Request-rate: n/s``: at most ``requests`` requests per ``seconds`` seconds."""

    requests: int
    seconds: int


@dataclasses.dataclass(frozen=True, slots=True)
class Rule:
    """One ``allow``/``disallow`` line: ``raw`` as written, ``pattern`` normalised."""

    allow: bool
    raw: str
    pattern: str


@dataclasses.dataclass(slots=True)
class Group:
    """User-agent lines followed by their records (RFC 9309 §2.1).

    ``agents`` are the values as written; ``tokens`` the lower-cased product tokens
    they name (``"*"`` for the wildcard group).
    """

    agents: list[str] = dataclasses.field(default_factory=list)
    tokens: list[str] = dataclasses.field(default_factory=list)
    rules: list[Rule] = dataclasses.field(default_factory=list)
    crawl_delay: float | int | None = None
    request_rate: RequestRate | None = None

    @property
    def is_default(self) -> bool:
        return "*" in self.tokens


# -- normalisation (RFC 9309 §2.2.2, RFC 3986 §2) ------------------------------------

_UNRESERVED: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
)
# Anything outside unreserved + reserved (minus the characters handled specially: "%"
# escapes, "*" and "$" wildcards) needs work; everything else is kept as it is.
_NEEDS_WORK: Final = re.compile(r"[^A-Za-z0-9\-._~!&'()+,;=:@/?\[\]]")
_TOKEN: Final = re.compile(r"%[0-9A-Fa-f]{2}|[^A-Za-z0-9\-._~!&'()+,;=:@/?\[\]]")


def _encode_char(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogateescape"))


def _fix_url_token(m: re.Match[str]) -> str:
    tok = m.group()
    if len(tok) == 3 and tok[0] == "%":
        ch = chr(int(tok[1:], 16))
        return ch if ch in _UNRESERVED else tok.upper()
    return _encode_char(tok)  # "*" -> %2A, "$" -> %24, "%" -> %25, " " -> %20...


def _fix_pattern_token(m: re.Match[str]) -> str:
    tok = m.group()
    if tok == "*":
        return tok
    return _fix_url_token(m)


def normalise_path(path: str) -> str:
    """A URI path (with query) in the form rules are compared with (§2.2.2)."""
    if _NEEDS_WORK.search(path) is None:
        return path
    return _TOKEN.sub(_fix_url_token, path)


def normalise_pattern(pattern: str) -> str:
    """A rule's path pattern normalised like URIs, keeping ``*`` and a final ``$``."""
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    if _NEEDS_WORK.search(pattern) is not None:
        pattern = _TOKEN.sub(_fix_pattern_token, pattern)  # a "$" inside becomes %24
    # Runs of "*" mean the same as one; collapsing keeps matching linear.
    if "**" in pattern:
        pattern = re.sub(r"\*{2,}", "*", pattern)
    return pattern + "$" if anchored else pattern


_SCHEME_AUTHORITY: Final = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^/?#]*|[A-Za-z][A-Za-z0-9+.\-]*:")


def path_of(url: str) -> str:
    """The path and query of ``url`` (an absolute URL or a path), never empty."""
    hash_at = url.find("#")
    if hash_at >= 0:
        url = url[:hash_at]
    if url.startswith("/") and not url.startswith("//"):
        return url
    m = _SCHEME_AUTHORITY.match(url)
    rest = url[m.end():] if m else url
    if not rest.startswith("/"):
        rest = "/" + rest
    return rest


_PRODUCT_END: Final = re.compile(r"[/\s]")


def product_token(useragent: str) -> str:
    """The crawler's product token: its user-agent string up to ``/`` or white space,
    lower-cased (§2.2.1 matching is case-insensitive)."""
    useragent = useragent.strip()
    m = _PRODUCT_END.search(useragent)
    if m is not None:
        useragent = useragent[: m.start()]
    return useragent.lower()


_FILE_TOKEN: Final = re.compile(r"[A-Za-z_\-]*")


def _file_token(value: str) -> str:
    """The product token a ``user-agent`` line names: ``*`` or its leading identifier
    characters (``Googlebot/2.1`` names ``googlebot``)."""
    if value.startswith("*"):
        return "*"
    m = _FILE_TOKEN.match(value)
    return m.group().lower() if m else ""


# -- parsing --------------------------------------------------------------------------

_USER_AGENT_KEYS: Final = frozenset({"user-agent", "useragent", "user agent", "user_agent"})
# RFC 9309 §2.2.4 lets crawlers accept common misspellings; these are the ones Google's
# parser accepts.
_DISALLOW_KEYS: Final = frozenset(
    {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"}
)
_ALLOW_KEYS: Final = frozenset({"allow"})
_SITEMAP_KEYS: Final = frozenset({"sitemap", "site-map"})
_CRAWL_DELAY_KEYS: Final = frozenset({"crawl-delay", "crawldelay", "crawl delay"})
_REQUEST_RATE_KEYS: Final = frozenset({"request-rate", "requestrate", "request rate"})
_KNOWN_KEYS: Final = (_USER_AGENT_KEYS | _DISALLOW_KEYS | _ALLOW_KEYS | _SITEMAP_KEYS
                      | _CRAWL_DELAY_KEYS | _REQUEST_RATE_KEYS)
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")


def _split_line(line: str) -> tuple[str, str] | None:
    """``(key, value)`` of one line without its comment, or None if it says nothing."""
    hash_at = line.find("#")
    if hash_at >= 0:
        line = line[:hash_at]
    line = line.strip()
    if not line:
        return None
    colon = line.find(":")
    if colon >= 0:
        key, value = line[:colon], line[colon + 1:]
        key = " ".join(key.split()).lower()
        return key, value.strip()
    # No colon: "Disallow /x" is still understood when the key is a known one.
    parts = line.split(None, 1)
    key = parts[0].lower()
    if key in _KNOWN_KEYS and len(parts) == 2:
        return key, parts[1].strip()
    return None


def _iter_lines(lines: str | Iterable[str]) -> Iterable[str]:
    if isinstance(lines, str):
        lines = (lines,)
    first = True
    for chunk in lines:
        if first:
            chunk = chunk.lstrip("\ufeff")
            first = False
        if "\r" in chunk or "\n" in chunk:
            yield from _LINE_BREAK.split(chunk)
        else:
            yield chunk


def _parse_delay(value: str) -> float | int | None:
    if not _NUMBER.fullmatch(value):
        return None
    return float(value) if "." in value else int(value)


def _parse_rate(value: str) -> RequestRate | None:
    requests, slash, seconds = value.partition("/")
    requests, seconds = requests.strip(), seconds.strip()
    if slash and requests.isdigit() and seconds.isdigit():
        return RequestRate(int(requests), int(seconds))
    return None


@dataclasses.dataclass(slots=True)
class RobotsTxt:
    """A parsed robots.txt file."""

    groups: list[Group] = dataclasses.field(default_factory=list)
    sitemaps: list[str] = dataclasses.field(default_factory=list)

    def groups_for(self, token: str) -> list[Group]:
        """The groups that apply to a product token (§2.2.1): every group naming it,
        else every ``*`` group, else none."""
        token = token.lower()
        named = [g for g in self.groups if token in g.tokens]
        if named or token == "*":
            return named
        return [g for g in self.groups if g.is_default]

    def matcher(self, useragent: str) -> Matcher:
        """The merged rules for a crawler identified by ``useragent``."""
        groups = self.groups_for(product_token(useragent))
        return Matcher([rule for g in groups for rule in g.rules])

    def crawl_delay(self, useragent: str) -> float | int | None:
        for g in self.groups_for(product_token(useragent)):
            if g.crawl_delay is not None:
                return g.crawl_delay
        return None

    def request_rate(self, useragent: str) -> RequestRate | None:
        for g in self.groups_for(product_token(useragent)):
            if g.request_rate is not None:
                return g.request_rate
        return None


def parse(lines: str | Iterable[str]) -> RobotsTxt:
    """Parse robots.txt text (a string, or lines with or without their line ends)."""
    result = RobotsTxt()
    group: Group | None = None
    in_rules = False  # a record other than user-agent was seen in the current group
    for line in _iter_lines(lines):
        kv = _split_line(line)
        if kv is None:
            continue  # blank lines and comments never end a group (§2.1)
        key, value = kv
        if key in _USER_AGENT_KEYS:
            if group is None or in_rules:
                group = Group()
                result.groups.append(group)
                in_rules = False
            group.agents.append(value)
            group.tokens.append(_file_token(value))
        elif key in _SITEMAP_KEYS:
            if value:
                result.sitemaps.append(value)  # not part of any group (§2.2.4)
        elif group is None:
            continue  # rules before the first user-agent line are ignored (§2.2.2)
        elif key in _ALLOW_KEYS or key in _DISALLOW_KEYS:
            in_rules = True
            # An empty pattern matches nothing; it is kept for display only.
            group.rules.append(Rule(key in _ALLOW_KEYS, value, normalise_pattern(value)))
        elif key in _CRAWL_DELAY_KEYS:
            in_rules = True
            if group.crawl_delay is None:
                group.crawl_delay = _parse_delay(value)
        elif key in _REQUEST_RATE_KEYS:
            in_rules = True
            if group.request_rate is None:
                group.request_rate = _parse_rate(value)
    return result


# -- matching -------------------------------------------------------------------------


def _glob(path: str, segments: list[str], anchored: bool) -> bool:
    """Does ``path`` start with the pattern whose ``*``-separated parts are
    ``segments`` (the whole path if ``anchored``)? Leftmost matching of each part is
    enough for ``*``-only patterns, so this is linear in practice (``str.find``)."""
    if not path.startswith(segments[0]):
        return False
    pos = len(segments[0])
    last = len(segments) - 1
    for i in range(1, last + 1):
        seg = segments[i]
        if i == last and anchored:
            return len(path) - len(seg) >= pos and path.endswith(seg)
        found = path.find(seg, pos)
        if found < 0:
            return False
        pos = found + len(seg)
    return not anchored or pos == len(path)


class Matcher:
    """The merged rules of the groups that apply to one crawler (§2.2.2)."""

    __slots__ = ("_buckets", "_exact", "_wild", "rules")

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        exact: dict[str, bool] = {}
        by_length: dict[int, dict[str, bool]] = {}
        wild: list[tuple[int, bool, list[str], bool]] = []
        for rule in self.rules:
            pattern = rule.pattern
            if not pattern:
                continue
            if "*" in pattern:
                anchored = pattern.endswith("$")
                body = pattern[:-1] if anchored else pattern
                wild.append((len(pattern), rule.allow, body.split("*"), anchored))
            elif pattern.endswith("$"):
                key = pattern[:-1]
                exact[key] = exact.get(key, False) or rule.allow  # allow wins ties
            else:
                bucket = by_length.setdefault(len(pattern), {})
                bucket[pattern] = bucket.get(pattern, False) or rule.allow
        self._exact = exact
        self._buckets = sorted(by_length.items(), reverse=True)
        # Longest first; at equal length, allow first.
        wild.sort(key=lambda w: (-w[0], not w[1]))
        self._wild = wild

    def allowed_normalised(self, path: str) -> bool:
        """Decide an already normalised path (see :func:`normalise_path`)."""
        if path == "/robots.txt":
            return True  # §2.2.2: implicitly allowed
        best_len = -1
        best_allow = True
        if self._exact:
            found = self._exact.get(path)
            if found is not None:
                best_len, best_allow = len(path) + 1, found
        n = len(path)
        for length, bucket in self._buckets:
            if length <= best_len:
                break
            if length > n:
                continue
            found = bucket.get(path[:length])
            if found is not None:
                best_len, best_allow = length, found
                break
        for length, allow, segments, anchored in self._wild:
            if length < best_len or (length == best_len and (best_allow or not allow)):
                break
            if _glob(path, segments, anchored):
                best_len, best_allow = length, allow
                break
        return best_allow

    def allowed(self, url: str) -> bool:
        """Decide a URL or path: True if the rules let the crawler fetch it."""
        return self.allowed_normalised(normalise_path(path_of(url)))
