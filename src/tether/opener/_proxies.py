"""Proxies from the environment and :class:`ProxyHandler` (urllib's rules).

``getproxies()`` reads ``<scheme>_proxy`` variables (lower case wins over upper case;
``HTTP_PROXY`` is ignored under CGI, where it could be set by a request header);
``proxy_bypass(host)`` applies ``no_proxy``. Besides urllib's ``http``/``https``
proxies, tether's transport speaks SOCKS: a ``socks5://``, ``socks5h://``, ``socks4://``
or ``socks4a://`` proxy URL tunnels the request through it.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any

from tether.http import Proxy
from tether.opener._director import BaseHandler
from tether.url import _splitpasswd, _splitport, _splittype, _splituser, unquote

__all__ = [
    "ProxyHandler",
    "getproxies",
    "getproxies_environment",
    "parse_proxy",
    "proxy_bypass",
    "proxy_bypass_environment",
]

_SOCKS = ("socks4", "socks4a", "socks5", "socks5h")


def getproxies_environment() -> dict[str, str]:
    """``{scheme: proxy URL}`` from ``*_proxy`` environment variables."""
    proxies: dict[str, str] = {}
    for name, value in os.environ.items():
        lowered = name.lower()
        if value and lowered.endswith("_proxy"):
            proxies[lowered[:-6]] = value
    # Under CGI, HTTP_PROXY may come from the client's "Proxy:" header (httpoxy).
    if "REQUEST_METHOD" in os.environ:
        proxies.pop("http", None)
    for name, value in os.environ.items():
        if name.endswith("_proxy"):  # lower-case names take precedence
            key = name.lower()[:-6]
            if value:
                proxies[key] = value
            else:
                proxies.pop(key, None)
    return proxies


def proxy_bypass_environment(host: str, proxies: Mapping[str, str] | None = None) -> bool:
    """True if ``no_proxy`` says ``host`` (``name[:port]``) is reached directly."""
    if proxies is None:
        proxies = getproxies_environment()
    no_proxy = proxies.get("no")
    if no_proxy is None:
        return False
    if no_proxy == "*":
        return True
    host = host.lower()
    hostonly, _port = _splitport(host)
    for name in no_proxy.split(","):
        name = name.strip().lstrip(".").lower()
        if not name:
            continue
        if hostonly == name or host == name:
            return True
        suffix = "." + name
        if hostonly.endswith(suffix) or host.endswith(suffix):
            return True
    return False


getproxies = getproxies_environment


def proxy_bypass(host: str) -> bool:
    """True if requests to ``host`` should not use a proxy (``no_proxy``)."""
    return proxy_bypass_environment(host)


def parse_proxy(proxy: str) -> tuple[str | None, str | None, str | None, str]:
    """``(scheme, user, password, hostport)`` of a proxy setting (a URL or
    ``[user:password@]host[:port]``); whatever follows the authority is ignored."""
    scheme, rest = _splittype(proxy)
    if not rest.startswith("/"):
        scheme, authority = None, proxy
    else:
        if not rest.startswith("//"):
            raise ValueError(f"proxy URL with no authority: {proxy!r}")
        # RFC 3986 §3.2: the authority ends at the first "/" after the userinfo.
        at = rest.find("@")
        end = rest.find("/", at) if at != -1 else rest.find("/", 2)
        authority = rest[2:end] if end != -1 else rest[2:]
    userinfo, hostport = _splituser(authority)
    user: str | None = None
    password: str | None = None
    if userinfo is not None:
        user, password = _splitpasswd(userinfo)
    return scheme, user, password, hostport


class ProxyHandler(BaseHandler):
    """Sends requests through the proxies of ``proxies`` (``{scheme: proxy URL}``,
    default :func:`getproxies`)."""

    handler_order = 100  # before every opening handler

    def __init__(self, proxies: Mapping[str, str] | None = None) -> None:
        if proxies is None:
            proxies = getproxies()
        if not hasattr(proxies, "keys"):
            raise TypeError("proxies must be a mapping")
        self.proxies = proxies
        for scheme, url in proxies.items():
            scheme = scheme.lower()
            setattr(self, f"{scheme}_open",
                    lambda r, proxy=url, type=scheme, meth=self.proxy_open:
                    meth(r, proxy, type))

    def proxy_open(self, req: Any, proxy: str, type: str) -> Any:
        orig_type = req.type
        proxy_type, user, password, hostport = parse_proxy(proxy)
        if proxy_type is None:
            proxy_type = orig_type
        if req.host and proxy_bypass(req.host):
            return None
        if proxy_type.lower() in _SOCKS:
            host, port = _splitport(unquote(hostport))
            req._tether_proxy = Proxy(
                proxy_type.lower(), host.strip("[]"), int(port) if port else 1080,
                username=unquote(user) if user else None,
                password=unquote(password) if password else None)
            return None  # the http/https handler sends it through the tunnel
        if user and password:
            credentials = f"{unquote(user)}:{unquote(password)}".encode()
            req.add_header("Proxy-authorization",
                           "Basic " + base64.b64encode(credentials).decode("ascii"))
        hostport = unquote(hostport)
        req._tether_proxy_scheme = proxy_type.lower()
        req.set_proxy(hostport, proxy_type)
        if orig_type == proxy_type or orig_type == "https":
            return None  # let the other handlers open it
        # The proxy speaks another protocol than the URL: open it as that protocol.
        return self.parent.open(req, timeout=req.timeout)
