"""``Request``: one URL to open, with its data and headers (urllib.request's class)."""

from __future__ import annotations

import re
from typing import Any, Final

from tether.url import _splithost, _splittag, _splittype, unquote, unwrap, urlparse

__all__ = ["Request", "request_host"]

_PORT_AT_END = re.compile(r":\d+$", re.ASCII)

#: URLs whose split parts (and request-host) are remembered: ``urlopen`` of the same few
#: URLs again and again is the common case, and splitting costs more than the lookup.
#: Both caches are cleared when full, so they stay small whatever a program opens.
URL_CACHE_SIZE: Final = 256

# url -> (full_url without fragment, fragment, type, selector, host), for ``Request``
# itself (a subclass that overrides ``_parse`` is parsed every time).
_URL_PARTS: dict[str, tuple[Any, ...]] = {}
# url -> its request-host when the URL has one (else the Host header decides).
_URL_HOSTS: dict[str, str] = {}


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    if len(cache) >= URL_CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _plain_parsing(request: Request) -> bool:
    """Does ``request`` derive its URL parts with Request's own code (cacheable)?"""
    cls = type(request)
    return cls is Request or (cls._parse is Request._parse
                              and cls.full_url is Request.full_url)


def request_host(request: Request) -> str:
    """The request-host of ``request`` (RFC 2965): its host, lower-cased, without port."""
    host = urlparse(request.full_url)[1]
    if host == "":
        host = request.get_header("Host", "")
    return _PORT_AT_END.sub("", host, count=1).lower()


class Request:
    """A URL plus what to send: ``data`` (bytes, a file, an iterable of bytes),
    headers and a method. Header names are stored ``Capitalized`` as urllib does.

    ``headers`` are sent on every request, also after a redirect; headers added with
    :meth:`add_unredirected_header` only on this one (auth handlers use them).
    """

    timeout: Any
    _full_url: str

    def __init__(self, url: str, data: Any = None, headers: Any = {},  # noqa: B006
                 origin_req_host: str | None = None, unverifiable: bool = False,
                 method: str | None = None) -> None:
        self.full_url = url
        self.headers: dict[str, Any] = {}
        self.unredirected_hdrs: dict[str, Any] = {}
        self._data: Any = None
        self.data = data
        self._tunnel_host: str | None = None
        for key, value in headers.items():
            self.add_header(key, value)
        if origin_req_host is None:
            plain = type(url) is str and _plain_parsing(self)
            origin_req_host = _URL_HOSTS.get(url) if plain else None
            if origin_req_host is None:
                origin_req_host = request_host(self)
                # Only a host taken from the URL itself, not from a Host header.
                if plain and urlparse(self.full_url)[1]:
                    _remember(_URL_HOSTS, url, origin_req_host)
        self.origin_req_host = origin_req_host
        self.unverifiable = unverifiable
        if method:
            self.method = method

    # -- the URL --------------------------------------------------------------------
    @property
    def full_url(self) -> Any:
        if self.fragment:
            return f"{self._full_url}#{self.fragment}"
        return self._full_url

    @full_url.setter
    def full_url(self, url: str) -> None:
        plain = type(url) is str and _plain_parsing(self)
        if plain:
            parts = _URL_PARTS.get(url)
            if parts is not None:
                (self._full_url, self.fragment, self.type, self.selector,
                 self.host) = parts
                return
        whole = unwrap(url)
        self._full_url, self.fragment = _splittag(whole)
        self._parse()
        if plain:
            _remember(_URL_PARTS, url, (self._full_url, self.fragment, self.type,
                                        self.selector, self.host))

    @full_url.deleter
    def full_url(self) -> None:
        self._full_url = None  # type: ignore[assignment]
        self.fragment = None
        self.selector = ""

    def _parse(self) -> None:
        self.type, rest = _splittype(self._full_url)
        if self.type is None:
            raise ValueError(f"unknown url type: {self.full_url!r}")
        host, self.selector = _splithost(rest)
        self.host = unquote(host) if host else host

    # -- the body -------------------------------------------------------------------
    @property
    def data(self) -> Any:
        return self._data

    @data.setter
    def data(self, data: Any) -> None:
        if data is not self._data:
            self._data = data
            # A Content-length computed for the old data would be wrong now.
            if self.has_header("Content-length"):
                self.remove_header("Content-length")

    @data.deleter
    def data(self) -> None:
        self.data = None

    def get_method(self) -> str:
        """``method`` if set, else POST with data and GET without."""
        default = "POST" if self.data is not None else "GET"
        return getattr(self, "method", default)

    def get_full_url(self) -> Any:
        return self.full_url

    # -- proxies --------------------------------------------------------------------
    def set_proxy(self, host: str, type: str) -> None:
        """Send this request through the proxy ``host`` (``https`` ones are tunnelled)."""
        if self.type == "https" and not self._tunnel_host:
            self._tunnel_host = self.host
        else:
            self.type = type
            self.selector = self.full_url
        self.host = host

    def has_proxy(self) -> bool:
        return bool(self.selector == self.full_url)

    # -- headers --------------------------------------------------------------------
    def add_header(self, key: str, val: Any) -> None:
        self.headers[key.capitalize()] = val

    def add_unredirected_header(self, key: str, val: Any) -> None:
        self.unredirected_hdrs[key.capitalize()] = val

    def has_header(self, header_name: str) -> bool:
        return header_name in self.headers or header_name in self.unredirected_hdrs

    def get_header(self, header_name: str, default: Any = None) -> Any:
        return self.headers.get(header_name,
                                self.unredirected_hdrs.get(header_name, default))

    def remove_header(self, header_name: str) -> None:
        self.headers.pop(header_name, None)
        self.unredirected_hdrs.pop(header_name, None)

    def header_items(self) -> list[tuple[str, Any]]:
        merged = {**self.unredirected_hdrs, **self.headers}
        return list(merged.items())

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} object at {id(self):#x}>"
