"""urlsplit, urlparse, their inverses, urljoin and urldefrag, with urllib.parse's results.

Theory of operation: ``urlsplit`` is one anchored regular expression (RFC 3986
appendix B, with urllib.parse's scheme rule: an ASCII letter, then letters, digits,
``+ - .``) run on the text after urllib.parse's clean-up (leading C0 controls and
spaces stripped, tab/CR/LF removed). The regex does in C what urllib.parse does in a
Python loop; the components are the same strings. The result tuples (:mod:`._results`)
are built with ``tuple.__new__`` directly, skipping the namedtuple's Python-level
constructor.

Checks made on every netloc (see the package docstring for the list and the reasons):
brackets only around an IPv6 address or IPvFuture at the start of the host, zone IDs of
RFC 6874 characters only, no NFKC tricks, and ``MAX_URL_LENGTH``.

``bytes`` input is decoded as ASCII, split as ``str`` and encoded back, as urllib.parse
does; ``None`` and other falsy values behave as they do there.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, Final

from ._errors import InvalidHost, MixedTypesError, UnsafeURL, URLTooLong
from ._results import (
    DefragResult,
    ParseResult,
    SplitResult,
    _coerce_args,
    _noop,
)

__all__ = [
    "MAX_URL_LENGTH",
    "non_hierarchical",
    "scheme_chars",
    "urldefrag",
    "urljoin",
    "urlparse",
    "urlsplit",
    "urlunparse",
    "urlunsplit",
    "uses_fragment",
    "uses_netloc",
    "uses_params",
    "uses_query",
    "uses_relative",
]

#: Longest URL (in characters, after nothing is stripped) that tether parses: 64 KiB.
#: Browsers and servers refuse far shorter ones (nginx: 8 KiB request lines by default,
#: httpx: 65536); a longer "URL" is an attack on the parser or a bug, so it raises
#: :class:`URLTooLong` instead of being split. Applies to ``urlsplit``/``urlparse``/
#: ``urljoin``/``urldefrag`` and :class:`URL`, not to ``quote``/``unquote``.
MAX_URL_LENGTH: Final = 65536

# The scheme classification lists, as urllib.parse has them (public, mutable lists:
# programs append their own schemes to them).
uses_relative = ['', 'ftp', 'http', 'gopher', 'nntp', 'imap',
                 'wais', 'file', 'https', 'shttp', 'mms',
                 'prospero', 'rtsp', 'rtsps', 'rtspu', 'sftp',
                 'svn', 'svn+ssh', 'ws', 'wss']  # fmt: skip

uses_netloc = ['', 'ftp', 'http', 'gopher', 'nntp', 'telnet',
               'imap', 'wais', 'file', 'mms', 'https', 'shttp',
               'snews', 'prospero', 'rtsp', 'rtsps', 'rtspu', 'rsync',
               'svn', 'svn+ssh', 'sftp', 'nfs', 'git', 'git+ssh',
               'ws', 'wss']  # fmt: skip

uses_params = ['', 'ftp', 'hdl', 'prospero', 'http', 'imap',
               'https', 'shttp', 'rtsp', 'rtsps', 'rtspu', 'sip',
               'sips', 'mms', 'sftp', 'tel']  # fmt: skip

non_hierarchical = ['gopher', 'hdl', 'mailto', 'news',
                    'telnet', 'wais', 'imap', 'snews', 'sip', 'sips']  # fmt: skip

uses_query = ['', 'http', 'wais', 'imap', 'https', 'shttp', 'mms',
              'gopher', 'rtsp', 'rtsps', 'rtspu', 'sip', 'sips']  # fmt: skip

uses_fragment = ['', 'ftp', 'hdl', 'http', 'gopher', 'news',
                 'nntp', 'wais', 'https', 'shttp', 'snews',
                 'file', 'prospero']  # fmt: skip

scheme_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-."

# WHATWG's "C0 control or space", stripped from the front of a URL.
_WHATWG_C0_CONTROL_OR_SPACE: Final = "".join(map(chr, range(0x21)))
# Removed anywhere in a URL (WHATWG's "ASCII tab or newline").
_UNSAFE_URL_BYTES_TO_REMOVE: Final = ["\t", "\r", "\n"]

_SPLIT_RE: Final = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S
)
_SPLIT_NOFRAG_RE: Final = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?]*)(?:\?(.*))?()", re.S
)
_IPVFUTURE_RE: Final = re.compile(r"[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+")
_ZONE_ID_RE: Final = re.compile(r"(?:[A-Za-z0-9\-._~]|%[0-9A-Fa-f]{2})+")

_tuple_new: Final = tuple.__new__


# --- netloc checks ------------------------------------------------------------------


def _checknetloc(netloc: str) -> None:
    """Refuse a non-ASCII netloc whose NFKC form grows a delimiter (``\\u2100`` -> a/c)."""
    if not netloc or netloc.isascii():
        return
    n = netloc.replace("@", "").replace(":", "").replace("#", "").replace("?", "")
    normalized = unicodedata.normalize("NFKC", n)
    if n == normalized:
        return
    for c in "/?#@:":
        if c in normalized:
            raise UnsafeURL(
                "netloc '" + netloc + "' contains invalid characters under NFKC normalization"
            )


def _check_bracketed_host(hostname: str) -> None:
    """An IPvFuture or IPv6 address (zone ID: RFC 6874 characters), nothing else."""
    if hostname[:1] in ("v", "V"):
        if _IPVFUTURE_RE.fullmatch(hostname) is None:
            raise InvalidHost("IPvFuture address is invalid")
        return
    _, percent, zone = hostname.partition("%")
    if percent and _ZONE_ID_RE.fullmatch(zone) is None:
        raise InvalidHost(
            f"Invalid IPv6 URL: zone ID {zone!r} may hold only unreserved characters "
            "and %-escapes (RFC 6874)"
        )
    try:
        ip = ipaddress.ip_address(hostname)
    except ValueError as exc:
        raise InvalidHost(str(exc)) from None
    if isinstance(ip, ipaddress.IPv4Address):
        raise InvalidHost("An IPv4 address cannot be in brackets")


def _check_brackets(netloc: str) -> None:
    """``[`` ``]`` only as the whole host, around an IPv6 address or IPvFuture."""
    if ("[" in netloc) != ("]" in netloc):
        raise InvalidHost("Invalid IPv6 URL")
    userinfo, _, hostport = netloc.rpartition("@")
    if "[" in userinfo or "]" in userinfo:
        raise InvalidHost("Invalid IPv6 URL: '[' or ']' in the userinfo")
    if hostport[:1] != "[":
        raise InvalidHost("Invalid IPv6 URL: '[' must start the host")
    hostname, _, after = hostport[1:].partition("]")
    if after and after[0] != ":":
        raise InvalidHost("Invalid IPv6 URL: only ':port' may follow ']'")
    if "[" in after or "]" in after or "[" in hostname:
        raise InvalidHost("Invalid IPv6 URL: stray '[' or ']'")
    _check_bracketed_host(hostname)


def _too_long(length: int) -> URLTooLong:
    return URLTooLong(f"URL of {length} characters", "MAX_URL_LENGTH", MAX_URL_LENGTH)


# --- split --------------------------------------------------------------------------


def _split_str(url: str, scheme: str, allow_fragments: object) -> tuple[str, str, str, str, str]:
    """The five components of a str URL (the core of urlsplit/urlparse/urljoin)."""
    if len(url) > MAX_URL_LENGTH:
        raise _too_long(len(url))
    url = url.lstrip(_WHATWG_C0_CONTROL_OR_SPACE)
    if "\t" in url or "\n" in url or "\r" in url:
        url = url.replace("\t", "").replace("\n", "").replace("\r", "")
    match = (_SPLIT_RE if allow_fragments else _SPLIT_NOFRAG_RE).match(url)
    found, netloc, path, query, fragment = match.groups("")  # type: ignore[union-attr]
    if found:
        scheme = found.lower()
    elif scheme:
        scheme = scheme.strip(_WHATWG_C0_CONTROL_OR_SPACE)
        scheme = scheme.replace("\t", "").replace("\n", "").replace("\r", "")
    if netloc:
        if "[" in netloc or "]" in netloc:
            _check_brackets(netloc)
        if not netloc.isascii():
            _checknetloc(netloc)
    return scheme, netloc, path, query, fragment


def urlsplit(url: Any, scheme: Any = "", allow_fragments: bool = True) -> Any:
    """Parse a URL into 5 components: ``<scheme>://<netloc>/<path>?<query>#<fragment>``.

    Same result as :func:`urllib.parse.urlsplit` (a :class:`SplitResult`, or
    :class:`SplitResultBytes` for bytes input); % escapes are not expanded. Raises a
    ``ValueError`` that is also a :class:`~tether.errors.TetherError` for brackets out
    of place, NFKC tricks in the netloc and URLs longer than :data:`MAX_URL_LENGTH`.
    """
    if url.__class__ is str and scheme.__class__ is str:
        # The hot path, written out (no call to _split_str) because it is measured.
        if len(url) > MAX_URL_LENGTH:
            raise _too_long(len(url))
        url = url.lstrip(_WHATWG_C0_CONTROL_OR_SPACE)
        if "\t" in url or "\n" in url or "\r" in url:
            url = url.replace("\t", "").replace("\n", "").replace("\r", "")
        found, netloc, path, query, fragment = (
            (_SPLIT_RE if allow_fragments else _SPLIT_NOFRAG_RE).match(url).groups("")  # type: ignore[union-attr]
        )
        if found:
            scheme = found.lower()
        elif scheme:
            scheme = scheme.strip(_WHATWG_C0_CONTROL_OR_SPACE)
            scheme = scheme.replace("\t", "").replace("\n", "").replace("\r", "")
        if netloc:
            if "[" in netloc or "]" in netloc:
                _check_brackets(netloc)
            if not netloc.isascii():
                _checknetloc(netloc)
        return _tuple_new(SplitResult, (scheme, netloc, path, query, fragment))
    url, scheme, coerce = _coerce_args(url, scheme)
    return coerce(_tuple_new(SplitResult, _split_str(url, scheme, allow_fragments)))


def _splitparams(url: str) -> tuple[str, str]:
    if "/" in url:
        i = url.find(";", url.rfind("/"))
        if i < 0:
            return url, ""
    else:
        i = url.find(";")
    return url[:i], url[i + 1 :]


def urlparse(url: Any, scheme: Any = "", allow_fragments: bool = True) -> Any:
    """Parse a URL into 6 components: ``<scheme>://<netloc>/<path>;<params>?<query>#<fragment>``.

    Same result as :func:`urllib.parse.urlparse` (a :class:`ParseResult` or
    :class:`ParseResultBytes`); raises as :func:`urlsplit` does.
    """
    if url.__class__ is str and scheme.__class__ is str:
        coerce = _noop
    else:
        url, scheme, coerce = _coerce_args(url, scheme)
    scheme, netloc, path, query, fragment = _split_str(url, scheme, allow_fragments)
    if ";" in path and scheme in uses_params:
        path, params = _splitparams(path)
    else:
        params = ""
    return coerce(_tuple_new(ParseResult, (scheme, netloc, path, params, query, fragment)))


def _unsplit(scheme: Any, netloc: Any, url: Any, query: Any, fragment: Any) -> Any:
    # CPython 3.12.4+/3.13 rules: a path that starts with "//" keeps an empty authority
    # in front of it, so urlunsplit(urlsplit(x)) never turns a path into a host.
    if netloc:
        if url and url[:1] != "/":
            url = "/" + url
        url = "//" + netloc + url
    elif url[:2] == "//" or (scheme and scheme in uses_netloc and (not url or url[:1] == "/")):
        url = "//" + url
    if scheme:
        url = scheme + ":" + url
    if query:
        url = url + "?" + query
    if fragment:
        url = url + "#" + fragment
    return url


def urlunsplit(components: Iterable[Any]) -> Any:
    """Combine the five components of :func:`urlsplit` into a URL.

    Follows CPython 3.13: a path starting with ``//`` under an empty netloc keeps
    ``//`` before it, so the path can never become the host when re-parsed.
    """
    try:
        scheme, netloc, url, query, fragment = components
    except ValueError:
        scheme, netloc, url, query, fragment, coerce = _coerce_args(*components)
    else:
        if scheme.__class__ is str and url.__class__ is str:
            if (
                (netloc and netloc.__class__ is not str)
                or (query and query.__class__ is not str)
                or (fragment and fragment.__class__ is not str)
            ):
                raise MixedTypesError("Cannot mix str and non-str arguments")
            return _unsplit(scheme, netloc, url, query, fragment)
        scheme, netloc, url, query, fragment, coerce = _coerce_args(
            scheme, netloc, url, query, fragment
        )
    return coerce(_unsplit(scheme, netloc, url, query, fragment))


def urlunparse(components: Iterable[Any]) -> Any:
    """Combine the six components of :func:`urlparse` into a URL."""
    scheme, netloc, url, params, query, fragment, coerce = _coerce_args(*components)
    if params:
        url = f"{url};{params}"
    return coerce(_unsplit(scheme, netloc, url, query, fragment))


def urljoin(base: Any, url: Any, allow_fragments: bool = True) -> Any:
    """Join a base URL and a possibly relative URL, as :func:`urllib.parse.urljoin`."""
    if not base:
        return url
    if not url:
        return base
    if base.__class__ is str and url.__class__ is str:
        coerce = _noop
    else:
        base, url, coerce = _coerce_args(base, url)
    bscheme, bnetloc, bpath, bquery, _ = _split_str(base, "", allow_fragments)
    if ";" in bpath and bscheme in uses_params:
        bpath, bparams = _splitparams(bpath)
    else:
        bparams = ""
    scheme, netloc, path, query, fragment = _split_str(url, bscheme, allow_fragments)
    if ";" in path and scheme in uses_params:
        path, params = _splitparams(path)
    else:
        params = ""

    if scheme != bscheme or scheme not in uses_relative:
        return coerce(url)
    if scheme in uses_netloc:
        if netloc:
            if params:
                path = f"{path};{params}"
            return coerce(_unsplit(scheme, netloc, path, query, fragment))
        netloc = bnetloc

    if not path and not params:
        path = bpath
        params = bparams
        if not query:
            query = bquery
        if params:
            path = f"{path};{params}"
        return coerce(_unsplit(scheme, netloc, path, query, fragment))

    base_parts = bpath.split("/")
    if base_parts[-1] != "":
        # The last item is not a directory: it takes no part in the resolution.
        del base_parts[-1]

    if path[:1] == "/":
        segments = path.split("/")
    else:
        segments = base_parts + path.split("/")
        # Drop empty inner segments, which would make redundant slashes.
        segments[1:-1] = filter(None, segments[1:-1])

    resolved: list[str] = []
    for seg in segments:
        if seg == "..":
            if resolved:
                resolved.pop()
        elif seg != ".":
            resolved.append(seg)
    if segments[-1] in (".", ".."):
        # A trailing relative directory keeps its slash.
        resolved.append("")

    path = "/".join(resolved) or "/"
    if params:
        path = f"{path};{params}"
    return coerce(_unsplit(scheme, netloc, path, query, fragment))


def urldefrag(url: Any) -> Any:
    """Remove the fragment: ``(url without fragment, fragment)`` as a :class:`DefragResult`."""
    if url.__class__ is str:
        coerce: Callable[[Any], Any] = _noop
    else:
        url, coerce = _coerce_args(url)
    if "#" in url:
        scheme, netloc, path, query, frag = _split_str(url, "", True)
        if ";" in path and scheme in uses_params:
            path, params = _splitparams(path)
            if params:
                path = f"{path};{params}"
        defrag = _unsplit(scheme, netloc, path, query, "")
    else:
        if len(url) > MAX_URL_LENGTH:
            raise _too_long(len(url))
        frag = ""
        defrag = url
    return coerce(_tuple_new(DefragResult, (defrag, frag)))
