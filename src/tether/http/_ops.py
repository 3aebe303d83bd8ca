"""The I/O requests that the session's exchange generators yield, in both colours.

The *transport* a driver passes to these ops is the session itself: ``SendRequest``
asks it for the adapter mounted for the URL (``session.get_adapter``), so a session
subclass or a mounted custom adapter is honoured exactly as in requests.
"""

from __future__ import annotations

import dataclasses
import inspect
import time
from datetime import timedelta
from typing import Any, Final

from tether._drive import Exchange, Op
from tether.adapters import DEFAULT_TIMEOUT, NOT_SET, HTTPAdapter
from tether.models import Response
from tether.net._timeouts import Deadline, TimeoutConfig

__all__ = ["REDIRECT_DRAIN_LIMIT", "Drain", "Emit", "ReadBody", "SendRequest", "SessionSend",
           "send_request"]

#: A redirect's body is read (undecoded) up to this size so the connection can be
#: reused; a longer one is not read at all, the connection is closed instead.
REDIRECT_DRAIN_LIMIT: Final = 64 * 1024


def _adapter_kwargs(adapter: Any, kwargs: dict[str, Any], deadline: Deadline | None,
                    default_timeout: TimeoutConfig) -> dict[str, Any]:
    send_kwargs = dict(kwargs)
    if isinstance(adapter, HTTPAdapter):
        send_kwargs["deadline"] = deadline
        send_kwargs["default_timeout"] = default_timeout
    elif send_kwargs.get("timeout") is NOT_SET:
        # A requests-style custom adapter: give it requests' (connect, read) form.
        send_kwargs["timeout"] = (default_timeout.connect, default_timeout.read)
    return send_kwargs


def send_request(session: Any, request: Any, kwargs: dict[str, Any],
                 deadline: Deadline | None, default_timeout: TimeoutConfig) -> Exchange[Any]:
    """Send a prepared request through the adapter mounted for its URL; the Response
    (body unread) gets ``elapsed``.

    The session's own adapter class, with ``send`` not overridden, runs its
    :meth:`~tether.adapters.HTTPAdapter.send_exchange` inline, under the session's
    driver; any other adapter (a subclass overriding ``send``, another colour, a
    requests-style adapter) is called through :class:`SendRequest`.
    """
    adapter = session.get_adapter(url=request.url)
    own = getattr(session, "_adapter_class", None)
    if own is not None and isinstance(adapter, own) and type(adapter).send is own.send:
        start = time.perf_counter()
        response = yield from adapter.send_exchange(
            request, deadline=deadline, default_timeout=default_timeout, **kwargs)
        seconds = time.perf_counter() - start
        # tether's Response keeps seconds until ``elapsed`` is read; whatever else a
        # subclass's build_response returns gets the timedelta requests gives.
        response.elapsed = seconds if type(response) is Response \
            else timedelta(seconds=seconds)
        return response
    return (yield SendRequest(request, kwargs, deadline, default_timeout, adapter))


@dataclasses.dataclass(slots=True)
class SendRequest(Op):
    """Send a prepared request through the mounted adapter (``adapter``, else the one
    mounted for its URL) by calling its ``send``. Result: a Response (body unread), with
    ``elapsed`` set."""

    request: Any
    kwargs: dict[str, Any]
    deadline: Deadline | None = None
    default_timeout: TimeoutConfig = DEFAULT_TIMEOUT
    adapter: Any = None

    def run_sync(self, session: Any) -> Any:
        adapter = self.adapter
        if adapter is None:
            adapter = session.get_adapter(url=self.request.url)
        kwargs = _adapter_kwargs(adapter, self.kwargs, self.deadline, self.default_timeout)
        start = time.perf_counter()
        response = adapter.send(self.request, **kwargs)
        response.elapsed = timedelta(seconds=time.perf_counter() - start)
        return response

    async def run_async(self, session: Any) -> Any:
        adapter = self.adapter
        if adapter is None:
            adapter = session.get_adapter(url=self.request.url)
        kwargs = _adapter_kwargs(adapter, self.kwargs, self.deadline, self.default_timeout)
        start = time.perf_counter()
        response = adapter.send(self.request, **kwargs)
        if inspect.isawaitable(response):
            response = await response
        response.elapsed = timedelta(seconds=time.perf_counter() - start)
        return response


def _replace_raw(response: Any, drained: bytes) -> None:
    raw = response.raw
    if hasattr(raw, "replay"):
        response.raw = raw.replay(drained)


@dataclasses.dataclass(frozen=True, slots=True)
class Drain(Op):
    """Finish with a redirect or challenge response: read what is left of its body
    undecoded (up to :data:`REDIRECT_DRAIN_LIMIT`) and release the connection. The bytes
    stay available, decoded on demand, through ``response.content``."""

    response: Any
    limit: int = REDIRECT_DRAIN_LIMIT

    def run_sync(self, session: Any) -> None:
        response = self.response
        if response._content is not False or response.raw is None:
            response.close()
            return
        drain = getattr(response.raw, "drain_conn", None)
        if drain is None:
            _ = response.content
            response.close()
            return
        data = drain(self.limit)
        response.close()
        _replace_raw(response, data)

    async def run_async(self, session: Any) -> None:
        response = self.response
        if response._content is not False or response.raw is None:
            await response.aclose()
            return
        data = await response.raw.adrain_conn(self.limit)
        await response.aclose()
        _replace_raw(response, data)


@dataclasses.dataclass(frozen=True, slots=True)
class ReadBody(Op):
    """Read the final response's body into memory (``stream=False``)."""

    response: Any

    def run_sync(self, session: Any) -> None:
        _ = self.response.content

    async def run_async(self, session: Any) -> None:
        await self.response.aread()


@dataclasses.dataclass(frozen=True, slots=True)
class SessionSend(Op):
    """``session.send(request, **kwargs)``: how requests' public ``resolve_redirects``
    sends each hop, so a session subclass that overrides ``send`` sees every hop."""

    request: Any
    kwargs: dict[str, Any]

    def run_sync(self, session: Any) -> Any:
        return session.send(self.request, **self.kwargs)

    async def run_async(self, session: Any) -> Any:
        return await session.send(self.request, **self.kwargs)


@dataclasses.dataclass(frozen=True, slots=True)
class Emit(Op):
    """Not I/O: hands ``item`` to whoever iterates the exchange (``resolve_redirects``)."""

    item: Any

    def run_sync(self, session: Any) -> None:
        return None

    async def run_async(self, session: Any) -> None:
        return None
