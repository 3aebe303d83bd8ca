"""URL preparation exactly as requests does it (issue 12).

requests hands a URL to urllib3's ``parse_url`` (RFC 3986 split, lower-cased scheme and
host, IDNA for non-ASCII labels, dot segments removed, invalid characters
percent-encoded) and then re-quotes the result with :func:`requote_uri`. Programs
compare ``PreparedRequest.url`` strings, sign them (OAuth, AWS), and cache on them, so
tether reproduces that string byte for byte, including its quirks (``%7E`` becomes
``~``; a port of 0 is dropped; URLs whose scheme does not start with ``http`` pass
through untouched). The WHATWG :class:`tether.url.URL` type serves redirects, not this.

Errors are requests' (:class:`~tether.exceptions.InvalidURL`,
:class:`~tether.exceptions.MissingSchema`) with urllib3's message texts
("Failed to parse: ...").
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import quote, urlunparse

import idna

from tether.exceptions import InvalidURL

__all__ = [
    "LocationParseError",
    "ParsedURL",
    "parse_url",
    "requote_uri",
    "unquote_unreserved",
]

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_USERINFO_OK = _UNRESERVED | _SUB_DELIMS | {":"}
_PATH_OK = _USERINFO_OK | {"@", "/"}
_QUERY_OK = _PATH_OK | {"?"}

# RFC 3986 appendix B, with the authority stopping at a backslash as urllib3's does.
_SPLIT = re.compile(
    r"^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?://([^\\/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$",
    re.DOTALL,
)
_HAS_SCHEME_OR_SLASH = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+-]*:|/)")
_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_REG_NAME = re.compile(r"(?:[^\[\]%:/?#]|%[0-9A-Fa-f]{2})*", re.DOTALL)
_IPV4_DOTTED = re.compile(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}")
_IPV4_LOOSE = re.compile(r"^(?:0[xX][0-9a-fA-F]+|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]+|[0-9]+)){0,3}$")
_PORT = re.compile(r"0*?(|0|[1-9][0-9]{0,4})")
_ZONE = re.compile(r"(?:%25|%)(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+")
_NORMALISED_SCHEMES = ("http", "https", None)


class LocationParseError(InvalidURL):
    """urllib3's parse failure; the message is ``Failed to parse: <what>``."""

    def __init__(self, location: str) -> None:
        self.location = location
        super().__init__(f"Failed to parse: {location}")


class ParsedURL(NamedTuple):
    scheme: str | None
    auth: str | None
    host: str | None
    port: int | None
    path: str | None
    query: str | None
    fragment: str | None


def _upper_pct(text: str) -> tuple[str, int]:
    return _PCT.subn(lambda m: m.group(0).upper(), text)


def _quote_invalid(component: str | None, allowed: frozenset[str]) -> str | None:
    """Percent-encode what is not allowed, leaving existing ``%XX`` escapes alone
    (when every ``%`` in the component starts one)."""
    if component is None:
        return None
    if "%" not in component and component.isascii() and all(c in allowed for c in component):
        return component
    component, escapes = _upper_pct(component)
    raw = component.encode("utf-8", "surrogatepass")
    keep_percent = escapes == raw.count(b"%")
    out = bytearray()
    for byte in raw:
        if (keep_percent and byte == 0x25) or (byte < 128 and chr(byte) in allowed):
            out.append(byte)
        else:
            out += b"%%%02X" % byte
    return out.decode()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, in urllib3's formulation."""
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == ".":
            continue
        if segment == "..":
            if kept:
                kept.pop()
            continue
        kept.append(segment)
    if path.startswith("/") and (not kept or kept[0]):
        kept.insert(0, "")
    if path.endswith(("/.", "/..")):
        kept.append("")
    return "/".join(kept)


def _is_ipv6_literal(text: str) -> bool:
    """``[address]`` or ``[address%25zone]`` with an RFC 4291 address."""
    if not (text.startswith("[") and text.endswith("]")):
        return False
    inner = text[1:-1]
    zone_at = inner.find("%")
    address = inner if zone_at < 0 else inner[:zone_at]
    if zone_at >= 0 and not _ZONE.fullmatch(inner[zone_at:]):
        return False
    if not re.fullmatch(r"[0-9A-Fa-f:.]+", address):
        return False
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return False
    return True


def _split_host_port(host_port: str) -> tuple[str, str | None] | None:
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0 or not _is_ipv6_literal(host_port[: close + 1]):
            return None
        host, rest = host_port[: close + 1], host_port[close + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            return None
        port_text = rest[1:]
    else:
        host, colon, port_text = host_port.partition(":")
        if not (_REG_NAME.fullmatch(host) or _IPV4_DOTTED.fullmatch(host)):
            return None
        if not colon:
            return host, None
    match = _PORT.fullmatch(port_text)
    if match is None:
        return None
    return host, (match.group(1) or None)


def _decode_host_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(0)[1:], 16))
    if char < "\x20" or char == "\x7f":
        raise LocationParseError(
            f"Host {match.string!r} contains invalid percent-encoded control character "
            f"{match.group(0)!r}"
        )
    return char if char in _UNRESERVED else match.group(0).upper()


def _idna_label(label: str) -> str:
    if label.isascii():
        return _upper_pct(label.lower())[0]
    try:
        return idna.encode(label.lower(), strict=True, std3_rules=True).decode("ascii")
    except idna.IDNAError:
        raise LocationParseError(f"Name '{label}' is not a valid IDNA label") from None


def _normalise_host(host: str | None, scheme: str | None) -> str | None:
    if not host:
        return host
    bad = _CONTROL.search(host)
    if bad:
        raise LocationParseError(f"Host {host!r} contains invalid character {bad.group()!r}")
    if scheme not in _NORMALISED_SCHEMES:
        return host
    if host.startswith("["):
        zone_at = host.find("%")
        if zone_at < 0:
            return host.lower()
        zone = host[zone_at:-1]
        zone = zone[3:] if zone.startswith("%25") and zone != "%25" else zone[1:]
        zone = _PCT.sub(lambda m: (_decode_host_escape(m), m.group(0).upper())[1], zone)
        zone = _quote_invalid(zone, _UNRESERVED) or ""
        return f"{host[:zone_at].lower()}%{zone}]"
    if _IPV4_LOOSE.match(host):
        return host
    if "%" in host:
        host = _PCT.sub(_decode_host_escape, host)
    return ".".join(_idna_label(label) for label in host.split("."))


def parse_url(url: str) -> ParsedURL:
    """Split and normalise ``url`` as urllib3's ``parse_url`` does.

    Raises :class:`LocationParseError` (an :class:`~tether.exceptions.InvalidURL`).
    """
    if not url:
        return ParsedURL(None, None, None, None, None, None, None)
    if not _HAS_SCHEME_OR_SLASH.search(url):
        url = "//" + url
    match = _SPLIT.match(url)
    assert match is not None  # every string matches: all groups are optional
    scheme, authority, path, query, fragment = match.groups()
    normalise = scheme is None or scheme.lower() in _NORMALISED_SCHEMES
    if scheme:
        scheme = scheme.lower()
    auth: str | None = None
    host: str | None = None
    port: int | None = None
    if authority:
        userinfo, _, host_port = authority.rpartition("@")
        split = _split_host_port(host_port)
        if split is None:
            bad = _CONTROL.search(host_port)
            if bad:
                raise LocationParseError(
                    f"Host {host_port!r} contains invalid character {bad.group()!r}"
                )
            raise LocationParseError(f"{host_port!r} is not a valid host or port")
        host, port_text = split
        auth = userinfo or None
        if auth and normalise:
            auth = _quote_invalid(auth, _USERINFO_OK)
        if port_text is not None:
            port = int(port_text)
            if port > 65535:
                raise LocationParseError(url)
    host = _normalise_host(host, scheme)
    if normalise and path:
        path = _quote_invalid(_remove_dot_segments(path), _PATH_OK)
    if normalise and query:
        query = _quote_invalid(query, _QUERY_OK)
    if normalise and fragment:
        fragment = _quote_invalid(fragment, _QUERY_OK)
    if not path:
        path = "" if (query is not None or fragment is not None) else None
    return ParsedURL(scheme, auth, host, port, path, query, fragment)


def unquote_unreserved(uri: str) -> str:
    """Decode ``%XX`` escapes of unreserved characters; keep every other escape.

    Raises :class:`~tether.exceptions.InvalidURL` for ``%`` followed by two
    alphanumerics that are not hex digits.
    """
    parts = uri.split("%")
    for i in range(1, len(parts)):
        pair = parts[i][:2]
        if len(pair) == 2 and pair.isalnum():
            try:
                char = chr(int(pair, 16))
            except ValueError:
                raise InvalidURL(f"Invalid percent-escape sequence: '{pair}'") from None
            if char in _UNRESERVED:
                parts[i] = char + parts[i][2:]
            else:
                parts[i] = "%" + parts[i]
        else:
            parts[i] = "%" + parts[i]
    return "".join(parts)


def requote_uri(uri: str) -> str:
    """Quote what must be quoted in ``uri`` without double-quoting existing escapes."""
    try:
        return quote(unquote_unreserved(uri), safe="!#$%&'()*+,/:;=?@[]~")
    except InvalidURL:
        # Not valid escapes: the '%' themselves must be quoted.
        return quote(uri, safe="!#$&'()*+,/:;=?@[]~")


def join_prepared(parsed: ParsedURL, netloc: str, path: str, query: str | None) -> str:
    """Reassemble with :func:`urllib.parse.urlunparse` (its rules for empty parts)."""
    return urlunparse([parsed.scheme or "", netloc, path, "", query or "", parsed.fragment or ""])
