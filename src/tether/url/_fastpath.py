"""Regex fast paths for the URL type, each equal to what the WHATWG state machine gives.

Theory of operation. ``FAST_RE`` recognises the common shape of a special URL,
``scheme://[userinfo@]host[:port][/path][?query][#fragment]`` with a lowercase-able
special scheme, at most one ``@`` and no ``%`` or forbidden code point in the host.
:func:`fast_fields` turns a match into the URL's fields:

- one search over everything after the authority decides whether path, query and
  fragment are canonical already (nothing to percent-encode, no backslash, no dot
  segment); only if not is each one looked at and encoded with its percent-encode set;
- ASCII hosts are only lowercased (the standard's own shortcut); canonical dotted
  decimal IPv4 is kept as is; hosts with ``xn--`` labels, other numeric forms,
  IPv6 and non-ASCII hosts go to :func:`._host.parse_host`.

:func:`resolve_special` resolves a path, query or fragment reference against a special,
hierarchical base the same way: concatenation and then the path state's rules, with no
intermediate URL. :func:`relative_fields` parses a relative reference (no base).
Anything else goes to the state machine in :mod:`._whatwg`; tests/url compares the
two on random input.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ._errors import InvalidPort
from ._host import _DOTTED_DECIMAL_RE, _ENDS_IN_NUMBER_RE, parse_host
from ._whatwg import DEFAULT_PORTS

__all__ = [
    "C0_CONTROL_OR_SPACE",
    "FAST_RE",
    "FAST_SCHEMES",
    "SCHEME_PREFIX_RE",
    "fast_fields",
    "relative_fields",
    "remove_dot_segments",
    "resolve_special",
]

C0_CONTROL_OR_SPACE: Final = "".join(map(chr, range(0x21)))
# The common shape, lowercase-able special scheme; no tab/CR/LF, no "%" or forbidden
# code point in the host, a single "@". Anything else takes the state machine. Each
# part's class excludes the character that ends it, so the quantifiers are possessive
# (no backtracking, same matches).
FAST_RE: Final = re.compile(
    r"((?i:https?|wss?|ftp))://"  # scheme
    r"(?:([^@/\\?#\t\n\r]*+)@)?"  # userinfo
    r"([^\x00-\x20#%/:<>?@\[\\\]^|\x7f]++|\[[0-9A-Fa-f:.]*+\])"  # host
    r"(?::([0-9]*+))?"  # port
    r"([/\\][^?#\t\n\r]*+)?"  # path
    r"(?:\?([^#\t\n\r]*+))?"  # query
    r"(?:#([^\t\n\r]*+))?",  # fragment
    re.S,
)
FAST_SCHEMES: Final = frozenset({"http", "https", "ws", "wss", "ftp"})
SCHEME_PREFIX_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_DOT_SEGMENT_RE: Final = re.compile(r"[/\\](?:\.|%2[eE]){1,2}(?=[/\\]|\Z)")
_NEEDS_ENCODING = "\x00-\x20\x7f-\U0010ffff"
# After the authority: any code point that one of the path, special-query or fragment
# sets encodes, and the backslash ("?" and "#" cannot be inside those parts, "'" only
# matters in the query: a false alarm only costs the per-part checks).
_TAIL_ODD_RE: Final = re.compile(f"[{_NEEDS_ENCODING}\"'<>\\\\^`{{}}]")
_PATH_ENC_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"#<>?^`{{}}]')
_SPECIAL_QUERY_ENC_RE: Final = re.compile(f"[{_NEEDS_ENCODING}\"#<>']")
_FRAGMENT_ENC_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"<>`]')
_USERINFO_ENC_RE: Final = re.compile(f'[{_NEEDS_ENCODING}"#<>?^`{{}}/:;=@\\[\\\\\\]|]')
_MAYBE_NUMBER_END: Final = frozenset("0123456789abcdefx.")
_SURROGATE_RE: Final = re.compile("[\ud800-\udfff]")


def _table(encode: str) -> list[str]:
    return [f"%{b:02X}" if b < 0x21 or b > 0x7E or chr(b) in encode else chr(b) for b in range(256)]


_PATH_TABLE: Final = _table('"#<>?^`{}')
_SPECIAL_QUERY_TABLE: Final = _table("\"#<>'")
_FRAGMENT_TABLE: Final = _table('"<>`')
_USERINFO_TABLE: Final = _table('"#<>?^`{}/:;=@[\\]|')


def _encode(text: str, table: list[str]) -> str:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates become U+FFFD, as USVString does
        data = _SURROGATE_RE.sub("\ufffd", text).encode("utf-8")
    return data.decode("latin-1").translate(table)


def fast_host(host: str) -> str:
    """The serialised host for a ``FAST_RE`` host group (special scheme)."""
    if host.isascii() and host[0] != "[":
        lowered = host.lower()
        if "xn--" in lowered or (
            lowered[-1] in _MAYBE_NUMBER_END
            and _DOTTED_DECIMAL_RE.fullmatch(lowered) is None  # canonical IPv4 stays
            and _ENDS_IN_NUMBER_RE.search(lowered)
        ):
            return parse_host(lowered, True)
        return lowered
    return parse_host(host, True)


def _special_path(path: str) -> str:
    """A special URL's path (starting with ``/`` or ``\\``) as the path state leaves it."""
    if "\\" in path:
        path = path.replace("\\", "/")
    if ("/." in path or "/%" in path) and _DOT_SEGMENT_RE.search(path):
        path = remove_dot_segments(path)
    if _PATH_ENC_RE.search(path):
        path = _encode(path, _PATH_TABLE)
    return path


def _special_query(query: str) -> str:
    return _encode(query, _SPECIAL_QUERY_TABLE) if _SPECIAL_QUERY_ENC_RE.search(query) else query


def _fragment(fragment: str) -> str:
    return _encode(fragment, _FRAGMENT_TABLE) if _FRAGMENT_ENC_RE.search(fragment) else fragment


def fast_fields(match: re.Match[str]) -> tuple[Any, ...]:
    """The URL's fields from a ``FAST_RE`` match, then its href when that is the input
    text unchanged (else None)."""
    scheme, userinfo, host, port, path, query, fragment = match.groups()
    same = True
    if not scheme.islower():
        scheme = scheme.lower()
        same = False
    username = password = ""
    if userinfo is not None:
        username, _, password = userinfo.partition(":")
        if _USERINFO_ENC_RE.search(username):
            username = _encode(username, _USERINFO_TABLE)
        if password and _USERINFO_ENC_RE.search(password):
            password = _encode(password, _USERINFO_TABLE)
        if not (username or password) or (
            username + (":" + password if password else "") != userinfo
        ):
            same = False
    lowered = fast_host(host)
    if lowered != host:
        host = lowered
        same = False
    port_number: int | None = None
    if port is not None:
        if port:
            if len(port) > 5 and len(port.lstrip("0")) > 5:
                raise InvalidPort(f"port {port} out of range 0-65535")
            port_number = int(port)
            if port_number > 65535:
                raise InvalidPort(f"port {port} out of range 0-65535")
            if port_number == DEFAULT_PORTS[scheme]:
                port_number = None
                same = False
            elif port[0] == "0":
                same = False
        else:
            same = False
        tail = match.string[match.end(4) :]
    else:
        tail = match.string[match.end(3) :]
    if tail and (_TAIL_ODD_RE.search(tail) or "/." in tail or "/%" in tail):
        if path is not None:
            path, old = _special_path(path), path
            same = same and path == old
        if query:
            query, old = _special_query(query), query
            same = same and query == old
        if fragment:
            fragment, old = _fragment(fragment), fragment
            same = same and fragment == old
    if path is None:
        path = "/"
        same = False
    href = match.string if same else None
    return scheme, username, password, host, port_number, path, False, query, fragment, href


def resolve_special(base_path: str, base_query: str | None, ref: str) -> tuple[Any, ...]:
    """Path, query and fragment of ``ref`` resolved against a special, hierarchical base.

    ``ref`` has no scheme, does not start with two slashes, is not empty and has no
    tab, CR, LF or surrounding C0 control or space (the caller checks).
    """
    first = ref[0]
    if first == "#":
        return base_path, base_query, _fragment(ref[1:])
    rest, hashmark, fragment_text = ref.partition("#")
    fragment = _fragment(fragment_text) if hashmark else None
    if first == "?":
        return base_path, _special_query(rest[1:]), fragment
    path, question, query_text = rest.partition("?")
    query = _special_query(query_text) if question else None
    if first != "/" and first != "\\":
        path = base_path[: base_path.rfind("/") + 1] + path
    return _special_path(path), query, fragment


_SINGLE_DOTS: Final = frozenset({".", "%2e"})
_DOUBLE_DOTS: Final = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})


def remove_dot_segments(path: str) -> str:
    """The path state's segment rules for a special, non-file URL path starting with "/"."""
    segments = path[1:].split("/")
    last = len(segments) - 1
    out: list[str] = []
    for i, segment in enumerate(segments):
        lowered = segment.lower() if "%" in segment else segment
        if lowered in _DOUBLE_DOTS:
            if out:
                out.pop()
            if i == last:
                out.append("")
        elif lowered in _SINGLE_DOTS:
            if i == last:
                out.append("")
        else:
            out.append(segment)
    return "".join(["/" + s for s in out])


_REF_RE: Final = re.compile(r"(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


def relative_fields(text: str) -> tuple[Any, ...]:
    """A relative reference (RFC 3986 section 4.2), percent-encoded like a non-special URL."""
    match = _REF_RE.fullmatch(text)
    assert match is not None
    authority, path, query, fragment = match.groups()
    username = password = ""
    host = None
    port = None
    if authority is not None:
        userinfo, at, hostport = authority.rpartition("@")
        if at:
            username, _, password = userinfo.partition(":")
            username = _encode(username, _USERINFO_TABLE)
            password = _encode(password, _USERINFO_TABLE)
        hostpart, colon, port_text = hostport.rpartition(":")
        if not colon or "]" in port_text:
            hostpart, port_text = hostport, ""
        if port_text:
            if not port_text.isdigit() or not port_text.isascii() or len(port_text) > 5:
                raise InvalidPort(f"invalid port {port_text!r} in {text[:80]!r}")
            port = int(port_text)
            if port > 65535:
                raise InvalidPort(f"port {port_text} out of range 0-65535")
        host = parse_host(hostpart, False)
    path = _encode(path, _PATH_TABLE) if _PATH_ENC_RE.search(path) else path
    if query is not None and _SPECIAL_QUERY_ENC_RE.search(query):
        query = _encode(query, _SPECIAL_QUERY_TABLE)
    if fragment is not None and _FRAGMENT_ENC_RE.search(fragment):
        fragment = _encode(fragment, _FRAGMENT_TABLE)
    return "", username, password, host, port, path, True, query, fragment, None
