"""``urlopen``, ``build_opener`` and ``install_opener``."""

from __future__ import annotations

import socket
import ssl
from typing import Any

from tether.opener._director import HTTPDefaultErrorHandler, HTTPErrorProcessor, OpenerDirector
from tether.opener._handlers_http import HTTPHandler, HTTPRedirectHandler, HTTPSHandler
from tether.opener._handlers_misc import DataHandler, FileHandler, FTPHandler, UnknownHandler
from tether.opener._proxies import ProxyHandler

__all__ = ["build_opener", "get_installed_opener", "install_opener", "urlopen"]

_GLOBAL_DEFAULT_TIMEOUT: Any = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]

_opener: OpenerDirector | None = None

_DEFAULT_HANDLERS: tuple[type, ...] = (
    ProxyHandler, UnknownHandler, HTTPHandler, HTTPDefaultErrorHandler, HTTPRedirectHandler,
    FTPHandler, FileHandler, HTTPErrorProcessor, DataHandler, HTTPSHandler,
)


def build_opener(*handlers: Any) -> OpenerDirector:
    """An :class:`OpenerDirector` with the default handlers plus ``handlers`` (classes
    or instances); a handler that is (an instance of) a subclass of a default handler
    replaces it."""
    opener = OpenerDirector()
    defaults = list(_DEFAULT_HANDLERS)
    replaced = set()
    for default in defaults:
        for given in handlers:
            if isinstance(given, type):
                if issubclass(given, default):
                    replaced.add(default)
            elif isinstance(given, default):
                replaced.add(default)
    for default in defaults:
        if default not in replaced:
            opener.add_handler(default())
    for given in handlers:
        opener.add_handler(given() if isinstance(given, type) else given)
    return opener


def install_opener(opener: OpenerDirector | None) -> None:
    """Make ``opener`` the one :func:`urlopen` uses (None: build the default again)."""
    global _opener
    _opener = opener


def get_installed_opener() -> OpenerDirector | None:
    return _opener


def urlopen(url: Any, data: Any = None, timeout: Any = _GLOBAL_DEFAULT_TIMEOUT, *,
            context: ssl.SSLContext | None = None) -> Any:
    """Open ``url`` (a string or a :class:`Request`) and return the response.

    ``data`` makes it a POST (bytes, a file, an iterable of bytes). ``timeout`` keeps the
    stdlib's meaning (a number of seconds for every connect, read and write; the default
    honours ``socket.setdefaulttimeout()``, else tether's finite defaults apply) or is a
    :class:`~tether.net.TimeoutConfig`, whose ``total`` bounds the whole call. HTTP(S)
    error statuses raise :class:`HTTPError`; other failures :class:`URLError`.
    ``context`` is the ``ssl.SSLContext`` for ``https`` (default: verified, tether's
    trust store).
    """
    global _opener
    if context is not None:
        opener = build_opener(HTTPSHandler(context=context))
    elif _opener is None:
        _opener = opener = build_opener()
    else:
        opener = _opener
    return opener.open(url, data, timeout)
