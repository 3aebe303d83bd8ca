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

# The outermost ``open()`` running in this context, as a 1-tuple of its deadline (None
# outside any call): redirects and auth retries re-enter ``open()`` and must share it
# (issue 11: ``total`` bounds the call). One variable, so a call sets and resets once.
_CALL: contextvars.ContextVar[tuple[Deadline | None] | None] = contextvars.ContextVar(
    "tether_opener_call", default=None)


def current_deadline() -> Deadline | None:
    """The total deadline of the ``open()`` call in progress, if it has one."""
    call = _CALL.get()
    return None if call is None else call[0]


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
        # protocol -> its chains as found in the tables above (the lists themselves, so
        # in-place edits show); emptied by add_handler, which may add new chains.
        self._plans: dict[str, _Plan] = {}

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
        self._plans.clear()

    def _plan(self, protocol: str) -> _Plan:
        plan = self._plans.get(protocol)
        if plan is None:
            plan = _Plan(protocol, self)
            if len(self._plans) >= 64:  # protocols come from URLs: stay bounded
                self._plans.clear()
            self._plans[protocol] = plan
        return plan

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
        if _CALL.get() is not None:
            return self._open_request(req, data)
        token = _CALL.set(
            (timeout.deadline() if isinstance(timeout, TimeoutConfig) else None,))
        try:
            return self._open_request(req, data)
        finally:
            _CALL.reset(token)

    def _open_request(self, req: Any, data: Any) -> Any:
        protocol = req.type
        plan = self._plans.get(protocol) or self._plan(protocol)

        meth_name = plan.request_name
        for processor in plan.request:
            req = getattr(processor, meth_name)(req)

        sys.audit("urllib.Request", req.full_url, req.data, req.headers, req.get_method())
        response = self._open(req, data)

        meth_name = plan.response_name
        for processor in plan.response:
            response = getattr(processor, meth_name)(req, response)
        return response

    def _open(self, req: Any, data: Any = None) -> Any:
        if type(self)._call_chain is not OpenerDirector._call_chain:
            return self._open_through_call_chain(req)
        # _call_chain inlined over the cached chains (the same lookups, in the same order):
        # the first non-None answer ends a chain; only a true one ends the search.
        protocol = req.type
        plan = self._plans.get(protocol) or self._plan(protocol)
        for handler in plan.default:
            result = handler.default_open(req)
            if result is not None:
                if result:
                    return result
                break
        meth_name = plan.open_name
        for handler in plan.open:
            result = getattr(handler, meth_name)(req)
            if result is not None:
                if result:
                    return result
                break
        for handler in plan.unknown:
            result = handler.unknown_open(req)
            if result is not None:
                return result
        return None

    def _open_through_call_chain(self, req: Any) -> Any:
        """``_open`` for a subclass that overrides ``_call_chain``."""
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


class _Plan:
    """One protocol's handler chains and method names, looked up once per protocol."""

    __slots__ = ("default", "open", "open_name", "request", "request_name", "response",
                 "response_name", "unknown")

    def __init__(self, protocol: str, director: OpenerDirector) -> None:
        empty: list[Any] = []
        self.request_name = protocol + "_request"
        self.response_name = protocol + "_response"
        self.open_name = protocol + "_open"
        self.request = director.process_request.get(protocol, empty)
        self.response = director.process_response.get(protocol, empty)
        self.default = director.handle_open.get("default", empty)
        self.open = director.handle_open.get(protocol, empty)
        self.unknown = director.handle_open.get("unknown", empty)


class HTTPDefaultErrorHandler(BaseHandler):
    """Turns any error status no other handler took into :class:`HTTPError`."""

    def http_error_default(self, req: Any, fp: Any, code: int, msg: str, hdrs: Any) -> Any:
        raise HTTPError(req.full_url, code, msg, hdrs, fp)


class HTTPErrorProcessor(BaseHandler):
    """Sends every non-2xx response to the error handlers."""

    handler_order = 1000  # after every other processor

    def http_response(self, request: Any, response: Any) -> Any:
        code = response.code
        if not (200 <= code < 300):
            response = self.parent.error("http", request, response, code, response.msg,
                                         response.info())
        return response

    https_response = http_response
