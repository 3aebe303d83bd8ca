"""``Request``: one URL to open, with its data and headers (urllib.request's class)."""

from __future__ import annotations

import re
from typing import Any

from tether.url import _splithost, _splittag, _splittype, unquote, unwrap, urlparse

__all__ = ["Request", "request_host"]

_PORT_AT_END = re.compile(r":\d+$", re.ASCII)


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
        self.origin_req_host = request_host(self) if origin_req_host is None \
            else origin_req_host
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
        url = unwrap(url)
        self._full_url, self.fragment = _splittag(url)
        self._parse()

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
