"""``OpenerDirector`` and ``BaseHandler``: urllib's chain of handlers.

A handler contributes methods named by protocol and role; the director finds them by
name when the handler is added:

- ``<proto>_request(req)`` pre-processes a request (every handler that has one, in
  ``handler_order``), ``<proto>_response(req, resp)`` post-processes the response;
- ``default_open``, ``<proto>_open``, ``unknown_open`` open it: the first non-None
  result wins;
- ``<proto>_error_<code>`` / ``http_error_default`` handle an error status reported
  through :meth:`OpenerDirector.error`.

Handlers are sorted by ``handler_order`` (lower first). This is the behaviour programs
that subclass urllib's handlers rely on, kept method for method.
"""

from __future__ import annotations

import bisect
import contextvars
import socket
import sys
from typing import Any

from tether.net import Deadline, TimeoutConfig
from tether.opener._errors import HTTPError
from tether.opener._request import Request

__all__ = [
    "CLIENT_VERSION",
    "BaseHandler",
    "HTTPDefaultErrorHandler",
    "HTTPErrorProcessor",
    "OpenerDirector",
    "current_deadline",
]

#: The User-Agent urllib sends; servers and tests recognise it, so tether keeps it.
CLIENT_VERSION = f"Python-urllib/{sys.version_info[0]}.{sys.version_info[1]}"

_GLOBAL_DEFAULT_TIMEOUT: Any = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]

# The deadline of the outermost ``open()`` running in this context: redirects and auth
# retries re-enter ``open()`` and must share it (issue 11: ``total`` bounds the call).
_CALL_DEADLINE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "tether_opener_deadline", default=None)
_IN_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("tether_opener_in_call",
                                                               default=False)


def current_deadline() -> Deadline | None:
    """The total deadline of the ``open()`` call in progress, if it has one."""
    return _CALL_DEADLINE.get()


# Methods whose names look like handler methods but are not.
_NOT_HANDLER_METHODS = frozenset({"redirect_request", "do_open", "proxy_open"})


class BaseHandler:
    """Base class of every handler: ``parent`` is the director it was added to."""

    handler_order = 500
    parent: Any

    def add_parent(self, parent: Any) -> None:
        self.parent = parent

    def close(self) -> None:
        """Nothing to release by default (kept for urllib compatibility)."""

    def __lt__(self, other: Any) -> bool:
        if not hasattr(other, "handler_order"):
            # Keep objects without an order after ours (urllib's rule).
            return True
        return bool(self.handler_order < other.handler_order)


class OpenerDirector:
    """Opens URLs by passing them through its handlers."""

    def __init__(self) -> None:
        self.addheaders: list[tuple[str, str]] = [("User-agent", CLIENT_VERSION)]
        self.handlers: list[Any] = []
        self.handle_open: dict[str, list[Any]] = {}
        self.handle_error: dict[Any, Any] = {}
        self.process_response: dict[str, list[Any]] = {}
        self.process_request: dict[str, list[Any]] = {}

    def add_handler(self, handler: Any) -> None:
        """Register every handler method ``handler`` defines (see the module docstring)."""
        if not hasattr(handler, "add_parent"):
            raise TypeError(f"expected BaseHandler instance, got {type(handler)!r}")
        added = False
        for name in dir(handler):
            if name in _NOT_HANDLER_METHODS:
                continue
            underscore = name.find("_")
            protocol, condition = name[:underscore], name[underscore + 1:]
            kind: Any
            if condition.startswith("error"):
                kind = name[underscore + 1 + condition.find("_") + 1:]
                try:
                    kind = int(kind)
                except ValueError:
                    pass
                table = self.handle_error.setdefault(protocol, {})
            elif condition == "open":
                kind, table = protocol, self.handle_open
            elif condition == "response":
                kind, table = protocol, self.process_response
            elif condition == "request":
                kind, table = protocol, self.process_request
            else:
                continue
            registered = table.setdefault(kind, [])
            if registered:
                bisect.insort(registered, handler)
            else:
                registered.append(handler)
            added = True
        if added:
            bisect.insort(self.handlers, handler)
            handler.add_parent(self)

    def close(self) -> None:
        """Kept for urllib compatibility; handlers hold no per-opener resources."""

    def _call_chain(self, chain: dict[Any, list[Any]], kind: Any, meth_name: str,
                    *args: Any) -> Any:
        for handler in chain.get(kind, ()):
            result = getattr(handler, meth_name)(*args)
            if result is not None:
                return result
        return None

    def open(self, fullurl: Any, data: Any = None,
             timeout: Any = _GLOBAL_DEFAULT_TIMEOUT) -> Any:
        """Open ``fullurl`` (a URL string or a :class:`Request`) and return the response.

        ``timeout``: the stdlib's meaning (a number bounds every connect and read; the
        default honours ``socket.setdefaulttimeout()``, else tether's finite defaults)
        or a :class:`~tether.net.TimeoutConfig`, whose ``total`` bounds the whole call
        including redirects, auth retries and reading the body.
        """
        if isinstance(fullurl, str):
            req = Request(fullurl, data)
        else:
            req = fullurl
            if data is not None:
                req.data = data
        req.timeout = timeout
        if _IN_CALL.get():
            return self._open_request(req, data)
        deadline = timeout.deadline() if isinstance(timeout, TimeoutConfig) else None
        tokens = (_IN_CALL.set(True), _CALL_DEADLINE.set(deadline))
        try:
            return self._open_request(req, data)
        finally:
            _CALL_DEADLINE.reset(tokens[1])
            _IN_CALL.reset(tokens[0])

    def _open_request(self, req: Any, data: Any) -> Any:
        protocol = req.type

        meth_name = protocol + "_request"
        for processor in self.process_request.get(protocol, ()):
            req = getattr(processor, meth_name)(req)

        sys.audit("urllib.Request", req.full_url, req.data, req.headers, req.get_method())
        response = self._open(req, data)

        meth_name = protocol + "_response"
        for processor in self.process_response.get(protocol, ()):
            response = getattr(processor, meth_name)(req, response)
        return response

    def _open(self, req: Any, data: Any = None) -> Any:
        result = self._call_chain(self.handle_open, "default", "default_open", req)
        if result:
            return result
        protocol = req.type
        result = self._call_chain(self.handle_open, protocol, protocol + "_open", req)
        if result:
            return result
        return self._call_chain(self.handle_open, "unknown", "unknown_open", req)

    def error(self, proto: str, *args: Any) -> Any:
        """Report an error status to the handlers: ``error('http', req, fp, code, msg,
        hdrs)`` calls ``http_error_<code>`` then ``http_error_default``."""
        if proto in ("http", "https"):
            chain = self.handle_error.get("http", {})
            code = args[2]
            result = self._call_chain(chain, code, f"http_error_{code}", *args)
            if result:
                return result
            return self._call_chain(chain, "default", "http_error_default", *args)
        result = self._call_chain(self.handle_error, proto, proto + "_error", *args)
        return result


class HTTPDefaultErrorHandler(BaseHandler):
    """Turns any error status no other handler took into :class:`HTTPError`."""

    def http_error_default(self, req: Any, fp: Any, code: int, msg: str, hdrs: Any) -> Any:
        raise HTTPError(req.full_url, code, msg, hdrs, fp)


class HTTPErrorProcessor(BaseHandler):
    """Sends every non-2xx response to the error handlers."""

    handler_order = 1000  # after every other processor

    def http_response(self, request: Any, response: Any) -> Any:
        code, msg, hdrs = response.code, response.msg, response.info()
        if not (200 <= code < 300):
            response = self.parent.error("http", request, response, code, msg, hdrs)
        return response

    https_response = http_response
