"""urllib.parse's undocumented and deprecated helpers, kept so old code keeps running.

``splittype()`` & co. warn with the stdlib's own DeprecationWarning texts (programs
filter warnings by message); the underscored versions do not warn. ``unwrap`` and
``clear_cache`` are not deprecated.
"""

from __future__ import annotations

import re
import warnings
from typing import Final

from ._quote import _clear_cache

__all__ = [
    "clear_cache",
    "splitattr",
    "splithost",
    "splitnport",
    "splitpasswd",
    "splitport",
    "splitquery",
    "splittag",
    "splittype",
    "splituser",
    "splitvalue",
    "to_bytes",
    "unwrap",
]

_TYPE_RE: Final = re.compile("([^/:]+):(.*)", re.DOTALL)
_HOST_RE: Final = re.compile("//([^/#?]*)(.*)", re.DOTALL)
_PORT_RE: Final = re.compile("(.*):([0-9]*)", re.DOTALL)


def _deprecated(name: str, instead: str = "urlparse") -> None:
    warnings.warn(
        f"urllib.parse.{name}() is deprecated as of 3.8, use urllib.parse.{instead}() instead",
        DeprecationWarning,
        stacklevel=3,
    )


def clear_cache() -> None:
    """Clear the quoting tables cache (urllib.parse has it; tests call it)."""
    _clear_cache()


def unwrap(url: str) -> str:
    """``'<URL:scheme://host/path>'`` -> ``'scheme://host/path'``; other strings unchanged."""
    url = str(url).strip()
    if url[:1] == "<" and url[-1:] == ">":
        url = url[1:-1].strip()
    if url[:4] == "URL:":
        url = url[4:].strip()
    return url


def to_bytes(url: str) -> str:
    warnings.warn(
        "urllib.parse.to_bytes() is deprecated as of 3.8", DeprecationWarning, stacklevel=2
    )
    return _to_bytes(url)


def _to_bytes(url: str) -> str:
    """Check that a URL is ASCII (the name is historical: it returns str)."""
    if isinstance(url, str):
        try:
            url = url.encode("ASCII").decode()
        except UnicodeError:
            raise UnicodeError("URL " + repr(url) + " contains non-ASCII characters") from None
    return url


def splittype(url: str) -> tuple[str | None, str]:
    _deprecated("splittype")
    return _splittype(url)


def _splittype(url: str) -> tuple[str | None, str]:
    """``'type:opaquestring'`` -> ``('type', 'opaquestring')``."""
    match = _TYPE_RE.match(url)
    if match:
        scheme, data = match.groups()
        return scheme.lower(), data
    return None, url


def splithost(url: str) -> tuple[str | None, str]:
    _deprecated("splithost")
    return _splithost(url)


def _splithost(url: str) -> tuple[str | None, str]:
    """``'//host[:port]/path'`` -> ``('host[:port]', '/path')``."""
    match = _HOST_RE.match(url)
    if match:
        host_port, path = match.groups()
        if path and path[0] != "/":
            path = "/" + path
        return host_port, path
    return None, url


def splituser(host: str) -> tuple[str | None, str]:
    _deprecated("splituser")
    return _splituser(host)


def _splituser(host: str) -> tuple[str | None, str]:
    """``'user[:passwd]@host[:port]'`` -> ``('user[:passwd]', 'host[:port]')``."""
    user, delim, host = host.rpartition("@")
    return (user if delim else None), host


def splitpasswd(user: str) -> tuple[str, str | None]:
    _deprecated("splitpasswd")
    return _splitpasswd(user)


def _splitpasswd(user: str) -> tuple[str, str | None]:
    """``'user:passwd'`` -> ``('user', 'passwd')``."""
    user, delim, passwd = user.partition(":")
    return user, (passwd if delim else None)


def splitport(host: str) -> tuple[str, str | None]:
    _deprecated("splitport")
    return _splitport(host)


def _splitport(host: str) -> tuple[str, str | None]:
    """``'host:port'`` -> ``('host', 'port')``."""
    match = _PORT_RE.fullmatch(host)
    if match:
        host, port = match.groups()
        if port:
            return host, port
    return host, None


def splitnport(host: str, defport: int = -1) -> tuple[str, int | None]:
    _deprecated("splitnport")
    return _splitnport(host, defport)


def _splitnport(host: str, defport: int = -1) -> tuple[str, int | None]:
    """``'host:port'`` -> ``('host', port)``: ``defport`` if no ``:``, None if not a number."""
    host, delim, port = host.rpartition(":")
    if not delim:
        host = port
    elif port:
        if port.isdigit() and port.isascii():
            return host, int(port)
        return host, None
    return host, defport


def splitquery(url: str) -> tuple[str, str | None]:
    _deprecated("splitquery")
    return _splitquery(url)


def _splitquery(url: str) -> tuple[str, str | None]:
    """``'/path?query'`` -> ``('/path', 'query')``."""
    path, delim, query = url.rpartition("?")
    if delim:
        return path, query
    return url, None


def splittag(url: str) -> tuple[str, str | None]:
    _deprecated("splittag")
    return _splittag(url)


def _splittag(url: str) -> tuple[str, str | None]:
    """``'/path#tag'`` -> ``('/path', 'tag')``."""
    path, delim, tag = url.rpartition("#")
    if delim:
        return path, tag
    return url, None


def splitattr(url: str) -> tuple[str, list[str]]:
    _deprecated("splitattr")
    return _splitattr(url)


def _splitattr(url: str) -> tuple[str, list[str]]:
    """``'/path;attr1=value1;attr2=value2'`` -> ``('/path', ['attr1=value1', ...])``."""
    words = url.split(";")
    return words[0], words[1:]


def splitvalue(attr: str) -> tuple[str, str | None]:
    _deprecated("splitvalue", "parse_qsl")
    return _splitvalue(attr)


def _splitvalue(attr: str) -> tuple[str, str | None]:
    """``'attr=value'`` -> ``('attr', 'value')``."""
    attr, delim, value = attr.partition("=")
    return attr, (value if delim else None)
