"""The WHATWG URL Standard's basic URL parser, as its state machine, and the serialiser.

Theory of operation. ``parse(text, base)`` runs the standard's states one code point at
a time (no state override: tether has no setters, ``URL.copy_with`` re-parses). It is
the reference: :mod:`tether.url._url` tries a fast, regex-driven parser first for the
common shapes and falls back here for everything else; the tests check both agree.

Failures raise :class:`InvalidURL` (or :class:`InvalidHost`/:class:`InvalidPort`) naming
the part that is wrong. Validation errors that the standard does not treat as failures
are, as in browsers, ignored.
"""

from __future__ import annotations

from typing import Final

from ._errors import InvalidHost, InvalidPort, InvalidURL
from ._host import parse_host

__all__ = [
    "DEFAULT_PORTS",
    "SPECIAL_SCHEMES",
    "Record",
    "parse",
    "serialize",
]

#: The special schemes and their default ports (``file`` has none).
DEFAULT_PORTS: Final[dict[str, int | None]] = {
    "ftp": 21,
    "file": None,
    "http": 80,
    "https": 443,
    "ws": 80,
    "wss": 443,
}
SPECIAL_SCHEMES: Final = frozenset(DEFAULT_PORTS)

_C0_CONTROL_OR_SPACE: Final = "".join(map(chr, range(0x21)))
_ALPHA: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SCHEME_CHARS: Final = _ALPHA | frozenset("0123456789+-.")
_DIGITS: Final = frozenset("0123456789")

# Percent-encode sets (ASCII members; C0 controls and everything above ~ are in all).
FRAGMENT_SET: Final = frozenset(' "<>`')
QUERY_SET: Final = frozenset(' "#<>')
SPECIAL_QUERY_SET: Final = QUERY_SET | {"'"}
PATH_SET: Final = QUERY_SET | frozenset("?^`{}")
USERINFO_SET: Final = PATH_SET | frozenset("/:;=@[\\]|")
C0_SET: Final[frozenset[str]] = frozenset()


def encode_char(c: str, encode_set: frozenset[str]) -> str:
    """UTF-8 percent-encode ``c`` if it is in the set (C0 controls and non-ASCII always)."""
    if " " <= c <= "~" and c not in encode_set:
        return c
    if "\ud800" <= c <= "\udfff":
        c = "\ufffd"  # a lone surrogate is not a scalar value: U+FFFD, as USVString
    return "".join(f"%{b:02X}" for b in c.encode("utf-8"))


def encode_string(text: str, encode_set: frozenset[str]) -> str:
    return "".join([encode_char(c, encode_set) for c in text])


class Record:
    """A URL record: the standard's fields, ``path`` a list or (opaque) a string."""

    __slots__ = ("fragment", "host", "password", "path", "port", "query", "scheme", "username")

    def __init__(self) -> None:
        self.scheme = ""
        self.username = ""
        self.password = ""
        self.host: str | None = None
        self.port: int | None = None
        self.path: list[str] | str = []
        self.query: str | None = None
        self.fragment: str | None = None

    def copy(self) -> Record:
        other = Record()
        other.scheme = self.scheme
        other.username = self.username
        other.password = self.password
        other.host = self.host
        other.port = self.port
        other.path = self.path if isinstance(self.path, str) else list(self.path)
        other.query = self.query
        other.fragment = self.fragment
        return other


def _is_drive(text: str) -> bool:
    return len(text) == 2 and text[0] in _ALPHA and text[1] in ":|"


def _is_normalized_drive(text: str) -> bool:
    return len(text) == 2 and text[0] in _ALPHA and text[1] == ":"


def _starts_with_drive(text: str, pointer: int) -> bool:
    rest = text[pointer : pointer + 3]
    return len(rest) >= 2 and _is_drive(rest[:2]) and (len(rest) == 2 or rest[2] in "/\\?#")


def _shorten(url: Record) -> None:
    path = url.path
    assert isinstance(path, list)
    if url.scheme == "file" and len(path) == 1 and _is_normalized_drive(path[0]):
        return
    if path:
        path.pop()


_SINGLE_DOTS: Final = frozenset({".", "%2e"})
_DOUBLE_DOTS: Final = frozenset({"..", ".%2e", "%2e.", "%2e%2e"})

# States.
(
    SCHEME_START, SCHEME, NO_SCHEME, SPECIAL_RELATIVE_OR_AUTHORITY, PATH_OR_AUTHORITY,
    RELATIVE, RELATIVE_SLASH, SPECIAL_AUTHORITY_SLASHES, SPECIAL_AUTHORITY_IGNORE_SLASHES,
    AUTHORITY, HOST, PORT, FILE, FILE_SLASH, FILE_HOST, PATH_START, PATH, OPAQUE_PATH,
    QUERY, FRAGMENT,
) = range(20)  # fmt: skip


def parse(text: str, base: Record | None = None) -> Record:
    """The basic URL parser (no encoding override, no state override)."""
    text = text.strip(_C0_CONTROL_OR_SPACE)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "").replace("\n", "").replace("\r", "")
    url = Record()
    state = SCHEME_START
    buffer = ""
    at_sign_seen = inside_brackets = password_token_seen = False
    pointer = 0
    n = len(text)
    while True:
        c = text[pointer] if pointer < n else ""  # "" is EOF
        if state == SCHEME_START:
            if c and c in _ALPHA:
                buffer += c.lower()
                state = SCHEME
            else:
                state = NO_SCHEME
                pointer -= 1
        elif state == SCHEME:
            if c and c in _SCHEME_CHARS:
                buffer += c.lower()
            elif c == ":":
                url.scheme = buffer
                buffer = ""
                special = url.scheme in SPECIAL_SCHEMES
                if url.scheme == "file":
                    state = FILE
                elif special and base is not None and base.scheme == url.scheme:
                    state = SPECIAL_RELATIVE_OR_AUTHORITY
                elif special:
                    state = SPECIAL_AUTHORITY_SLASHES
                elif text[pointer + 1 : pointer + 2] == "/":
                    state = PATH_OR_AUTHORITY
                    pointer += 1
                else:
                    url.path = ""
                    state = OPAQUE_PATH
            else:
                buffer = ""
                state = NO_SCHEME
                pointer = -1
        elif state == NO_SCHEME:
            if base is None or (isinstance(base.path, str) and c != "#"):
                raise InvalidURL(f"relative URL without a base: {text[:80]!r}")
            if isinstance(base.path, str) and c == "#":
                url.scheme = base.scheme
                url.path = base.path
                url.query = base.query
                url.fragment = ""
                state = FRAGMENT
            elif base.scheme != "file":
                state = RELATIVE
                pointer -= 1
            else:
                state = FILE
                pointer -= 1
        elif state == SPECIAL_RELATIVE_OR_AUTHORITY:
            if c == "/" and text[pointer + 1 : pointer + 2] == "/":
                state = SPECIAL_AUTHORITY_IGNORE_SLASHES
                pointer += 1
            else:
                state = RELATIVE
                pointer -= 1
        elif state == PATH_OR_AUTHORITY:
            if c == "/":
                state = AUTHORITY
            else:
                state = PATH
                pointer -= 1
        elif state == RELATIVE:
            assert base is not None
            url.scheme = base.scheme
            special = url.scheme in SPECIAL_SCHEMES
            if c == "/" or (special and c == "\\"):
                state = RELATIVE_SLASH
            else:
                url.username, url.password = base.username, base.password
                url.host, url.port = base.host, base.port
                url.path = list(base.path)
                url.query = base.query
                if c == "?":
                    url.query = ""
                    state = QUERY
                elif c == "#":
                    url.fragment = ""
                    state = FRAGMENT
                elif c:
                    url.query = None
                    _shorten(url)
                    state = PATH
                    pointer -= 1
        elif state == RELATIVE_SLASH:
            assert base is not None
            special = url.scheme in SPECIAL_SCHEMES
            if special and c in ("/", "\\"):
                state = SPECIAL_AUTHORITY_IGNORE_SLASHES
            elif c == "/":
                state = AUTHORITY
            else:
                url.username, url.password = base.username, base.password
                url.host, url.port = base.host, base.port
                state = PATH
                pointer -= 1
        elif state == SPECIAL_AUTHORITY_SLASHES:
            if c == "/" and text[pointer + 1 : pointer + 2] == "/":
                state = SPECIAL_AUTHORITY_IGNORE_SLASHES
                pointer += 1
            else:
                state = SPECIAL_AUTHORITY_IGNORE_SLASHES
                pointer -= 1
        elif state == SPECIAL_AUTHORITY_IGNORE_SLASHES:
            if c not in ("/", "\\") or not c:
                state = AUTHORITY
                pointer -= 1
        elif state == AUTHORITY:
            special = url.scheme in SPECIAL_SCHEMES
            if c == "@":
                if at_sign_seen:
                    buffer = "%40" + buffer
                at_sign_seen = True
                for code_point in buffer:
                    if code_point == ":" and not password_token_seen:
                        password_token_seen = True
                        continue
                    encoded = encode_char(code_point, USERINFO_SET)
                    if password_token_seen:
                        url.password += encoded
                    else:
                        url.username += encoded
                buffer = ""
            elif not c or c in "/?#" or (special and c == "\\"):
                if at_sign_seen and buffer == "":
                    raise InvalidHost(f"missing host after credentials in {text[:80]!r}")
                pointer -= len(buffer) + 1
                buffer = ""
                state = HOST
            else:
                buffer += c
        elif state == HOST:
            special = url.scheme in SPECIAL_SCHEMES
            if c == ":" and not inside_brackets:
                if buffer == "":
                    raise InvalidHost(f"missing host before ':' in {text[:80]!r}")
                url.host = parse_host(buffer, special)
                buffer = ""
                state = PORT
            elif not c or c in "/?#" or (special and c == "\\"):
                pointer -= 1
                if special and buffer == "":
                    raise InvalidHost(f"missing host in {text[:80]!r}")
                url.host = parse_host(buffer, special)
                buffer = ""
                state = PATH_START
            else:
                if c == "[":
                    inside_brackets = True
                elif c == "]":
                    inside_brackets = False
                buffer += c
        elif state == PORT:
            special = url.scheme in SPECIAL_SCHEMES
            if c and c in _DIGITS:
                buffer += c
            elif not c or c in "/?#" or (special and c == "\\"):
                if buffer:
                    port = int(buffer) if len(buffer.lstrip("0")) <= 5 else 65536
                    if port > 65535:
                        raise InvalidPort(f"port {buffer} out of range 0-65535")
                    url.port = None if DEFAULT_PORTS.get(url.scheme) == port else port
                    buffer = ""
                state = PATH_START
                pointer -= 1
            else:
                raise InvalidPort(f"invalid port: {c!r} in {text[:80]!r}")
        elif state == FILE:
            url.scheme = "file"
            url.host = ""
            if c in ("/", "\\") and c:
                state = FILE_SLASH
            elif base is not None and base.scheme == "file":
                url.host = base.host
                url.path = list(base.path)
                url.query = base.query
                if c == "?":
                    url.query = ""
                    state = QUERY
                elif c == "#":
                    url.fragment = ""
                    state = FRAGMENT
                elif c:
                    url.query = None
                    if not _starts_with_drive(text, pointer):
                        _shorten(url)
                    else:
                        url.path = []
                    state = PATH
                    pointer -= 1
            else:
                state = PATH
                pointer -= 1
        elif state == FILE_SLASH:
            if c in ("/", "\\") and c:
                state = FILE_HOST
            else:
                if base is not None and base.scheme == "file":
                    url.host = base.host
                    if (
                        not _starts_with_drive(text, pointer)
                        and base.path
                        and _is_normalized_drive(base.path[0])
                    ):
                        assert isinstance(url.path, list)
                        url.path.append(base.path[0])
                state = PATH
                pointer -= 1
        elif state == FILE_HOST:
            if not c or c in "/\\?#":
                pointer -= 1
                if _is_drive(buffer):
                    state = PATH
                elif buffer == "":
                    url.host = ""
                    state = PATH_START
                else:
                    host = parse_host(buffer, True)
                    url.host = "" if host == "localhost" else host
                    buffer = ""
                    state = PATH_START
            else:
                buffer += c
        elif state == PATH_START:
            special = url.scheme in SPECIAL_SCHEMES
            if special:
                state = PATH
                if c not in ("/", "\\") or not c:
                    pointer -= 1
            elif c == "?":
                url.query = ""
                state = QUERY
            elif c == "#":
                url.fragment = ""
                state = FRAGMENT
            elif c:
                state = PATH
                if c != "/":
                    pointer -= 1
        elif state == PATH:
            special = url.scheme in SPECIAL_SCHEMES
            assert isinstance(url.path, list)
            if not c or c == "/" or (special and c == "\\") or c in "?#":
                slash = c == "/" or (special and c == "\\")
                lowered = buffer.lower()
                if lowered in _DOUBLE_DOTS:
                    _shorten(url)
                    if not slash:
                        url.path.append("")
                elif lowered in _SINGLE_DOTS:
                    if not slash:
                        url.path.append("")
                else:
                    if url.scheme == "file" and not url.path and _is_drive(buffer):
                        buffer = buffer[0] + ":"
                    url.path.append(buffer)
                buffer = ""
                if c == "?":
                    url.query = ""
                    state = QUERY
                elif c == "#":
                    url.fragment = ""
                    state = FRAGMENT
            else:
                buffer += encode_char(c, PATH_SET)
        elif state == OPAQUE_PATH:
            assert isinstance(url.path, str)
            if c == "?":
                url.query = ""
                state = QUERY
            elif c == "#":
                url.fragment = ""
                state = FRAGMENT
            elif c == " ":
                nxt = text[pointer + 1 : pointer + 2]
                url.path += "%20" if nxt in ("?", "#") else " "
            elif c:
                url.path += encode_char(c, C0_SET)
        elif state == QUERY:
            if c == "#" or not c:
                query_set = SPECIAL_QUERY_SET if url.scheme in SPECIAL_SCHEMES else QUERY_SET
                assert url.query is not None
                url.query += encode_string(buffer, query_set)
                buffer = ""
                if c == "#":
                    url.fragment = ""
                    state = FRAGMENT
            else:
                buffer += c
        elif state == FRAGMENT and c:
            assert url.fragment is not None
            url.fragment += encode_char(c, FRAGMENT_SET)
        if pointer >= n:
            break
        pointer += 1
    return url


def serialize_path(url: Record) -> str:
    if isinstance(url.path, str):
        return url.path
    return "".join(["/" + segment for segment in url.path])


def serialize(url: Record, exclude_fragment: bool = False) -> str:
    """The URL serialiser (``href``)."""
    out = url.scheme + ":"
    if url.host is not None:
        out += "//"
        if url.username or url.password:
            out += url.username
            if url.password:
                out += ":" + url.password
            out += "@"
        out += url.host
        if url.port is not None:
            out += ":" + str(url.port)
    elif isinstance(url.path, list) and len(url.path) > 1 and url.path[0] == "":
        out += "/."
    out += serialize_path(url)
    if url.query is not None:
        out += "?" + url.query
    if not exclude_fragment and url.fragment is not None:
        out += "#" + url.fragment
    return out
