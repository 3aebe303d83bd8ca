"""The adapter's retry loop (``HTTPAdapter(max_retries=...)``), written once for both colours.

Theory of operation
-------------------
:func:`send_with_retries` is an exchange generator: it runs one *attempt* (a
sub-exchange that sends the request through the transport and returns its
:class:`~tether.http._types.RawResponse`), asks the :class:`~tether.http._retry.Retry`
policy whether the error or the status calls for another one, and if so drains the
retried response (so its connection goes back to the pool), yields a
:class:`~tether._drive.Sleep` for the ``Retry-After``/backoff wait, and tries again.
``HTTPAdapter.send_exchange`` runs it inline, so under whichever driver runs the
adapter: the session's exchange, or ``HTTPAdapter.send`` (:func:`~tether._drive.run_sync`)
and ``AsyncHTTPAdapter.send`` (:func:`~tether._drive.run_async`).

What stops the retries early, leaving the last outcome as the result:

- the request's total deadline (``TimeoutConfig(total=...)``): a wait that would end at
  or past it is not started (no attempt could follow it);
- a body that cannot be sent again. ``bytes`` are resent as they are; a file is seeked
  back to where it was when the request was prepared; a generator or other iterator is
  never resent (a connection failure happens before any of it was read, so that
  retry is still made). No silently empty body is ever sent.

"The last outcome" is the last error (the adapter raises it as requests' class, e.g.
``ConnectionError``), or for a status: :class:`~tether.http._retry.MaxRetryError` (the
adapter's ``RetryError``) when ``raise_on_status`` holds, else the response itself.
An unparsable ``Retry-After`` from the server counts as absent (the backoff applies).
Redirects are not the adapter's business (the session follows them), so a 3xx is
retried only if the caller listed it in ``status_forcelist``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Final

from tether._drive import Exchange, Op, Sleep
from tether.exceptions import InvalidHeader
from tether.http._retry import (
    MaxRetryError,
    ResponseError,
    Retry,
    header_value,
    is_connect_error,
    is_retryable_error,
)
from tether.http._transport import AsyncHTTPTransport, HTTPTransport
from tether.http._transport import send_exchange as transport_exchange
from tether.http._types import RawRequest, RawResponse, RequestBody
from tether.net._timeouts import Deadline

__all__ = ["DRAIN_LIMIT", "Attempt", "CloseRaw", "ReadRaw", "Rewind", "TransportCall",
           "attempt_for", "discard", "rewinder", "send_with_retries"]

#: A retried response's body is read (and thrown away) up to this size so its
#: connection can be reused; past that the connection is closed instead.
DRAIN_LIMIT: Final = 64 * 1024

#: One attempt: a sub-exchange sending the request, returning the response head.
Attempt = Callable[[RawRequest], Exchange[RawResponse]]
#: Returns the body to send again (a file seeked back), or raises ``OSError``.
Rewind = Callable[[], RequestBody]


@dataclasses.dataclass(frozen=True, slots=True)
class TransportCall(Op):
    """``transport.handle_request(request)`` (``handle_async_request`` under asyncio),
    for transports other than tether's own (whose exchange runs inline)."""

    transport: Any
    request: RawRequest

    def run_sync(self, _: object) -> RawResponse:
        return self.transport.handle_request(self.request)  # type: ignore[no-any-return]

    async def run_async(self, _: object) -> RawResponse:
        return await self.transport.handle_async_request(  # type: ignore[no-any-return]
            self.request)


@dataclasses.dataclass(frozen=True, slots=True)
class ReadRaw(Op):
    """Up to ``max_bytes`` of a transport response's body (``b""`` at its end)."""

    raw: RawResponse
    max_bytes: int = 65536

    def run_sync(self, _: object) -> bytes:
        return self.raw.read_some(self.max_bytes)

    async def run_async(self, _: object) -> bytes:
        return await self.raw.aread_some(self.max_bytes)


@dataclasses.dataclass(frozen=True, slots=True)
class CloseRaw(Op):
    """Close a transport response (its connection is reused if the body was read)."""

    raw: RawResponse

    def run_sync(self, _: object) -> None:
        self.raw.close()

    async def run_async(self, _: object) -> None:
        await self.raw.aclose()


def attempt_for(transport: Any) -> Attempt:
    """One attempt through ``transport``: tether's own transports' exchange inline (no
    extra op per request), any other through :class:`TransportCall`."""
    if type(transport) in (HTTPTransport, AsyncHTTPTransport):
        def inline(request: RawRequest) -> Exchange[RawResponse]:
            return transport_exchange(transport._pool, request, transport._limits,
                                      transport._retries)
        return inline

    def call(request: RawRequest) -> Exchange[RawResponse]:
        response: RawResponse = yield TransportCall(transport, request)
        return response

    return call


def rewinder(body: Any, position: Any, wire: RequestBody,
             wire_body: Callable[[Any], RequestBody]) -> Rewind | None:
    """How to get a request body back for another attempt: ``wire`` (what the transport
    sends) again if it is bytes; for a file ``body``, seek back to ``position`` (where
    it was when the request was prepared) and make its ``wire_body`` anew; ``None`` for
    anything else (a generator cannot be replayed)."""
    if wire is None or isinstance(wire, bytes):
        return lambda: wire
    seek = getattr(body, "seek", None)
    if not hasattr(body, "read") or seek is None or type(position) is not int:
        return None

    def rewind() -> RequestBody:
        seek(position)
        return wire_body(body)

    return rewind


def discard(raw: RawResponse, limit: int = DRAIN_LIMIT) -> Exchange[None]:
    """Read and drop what is left of ``raw``'s body (up to ``limit``), then close it."""
    received = 0
    try:
        while received <= limit:
            data = yield ReadRaw(raw)
            if not data:
                break
            received += len(data)
    except Exception:
        pass  # a broken body only means the connection is not reused
    yield CloseRaw(raw)


def _has_room(wait: float, deadline: Deadline | None) -> bool:
    """Can another attempt start after waiting ``wait`` seconds?"""
    return deadline is None or wait < deadline.remaining()


def _again(request: RawRequest, rewind: Rewind | None, body_sent: bool) -> RawRequest | None:
    """The request to send next, or ``None`` when its body cannot be sent again."""
    if not body_sent:
        return request
    if rewind is None:
        return None
    try:
        body = rewind()
    except OSError:
        return None
    return request if body is request.body else dataclasses.replace(request, body=body)


def send_with_retries(attempt: Attempt, request: RawRequest, retry: Retry, *, url: str,
                      pool: Any = None, rewind: Rewind | None = None
                      ) -> Exchange[RawResponse]:
    """Send ``request`` with ``attempt`` until ``retry`` says stop (module docstring).

    ``rewind``: how to get the body back for another attempt (``None``: it cannot be);
    ``url`` and ``pool`` name the request in :class:`MaxRetryError`'s message."""
    method = request.method.decode("ascii")
    deadline = request.deadline
    while True:
        try:
            raw = yield from attempt(request)
        except Exception as error:
            if not is_retryable_error(error):
                raise
            exhausted = False
            try:
                retry = retry.increment(method, url, error=error, _pool=pool)
            except MaxRetryError:
                exhausted = True
            if exhausted:
                raise
            wait = retry.get_backoff_time()
            following = _again(request, rewind, body_sent=not is_connect_error(error))
            if following is None or not _has_room(wait, deadline):
                raise
        else:
            status = raw.status
            has_retry_after = bool(header_value(raw, "Retry-After"))
            if not retry.is_retry(method, status, has_retry_after):
                return raw
            stop: MaxRetryError | None = None
            try:
                retry = retry.increment(method, url, response=raw, _pool=pool)
            except MaxRetryError as exhausted_error:
                stop = exhausted_error
            wait = 0.0
            following = None
            if stop is None:
                try:
                    wait = retry.get_wait_time(raw)
                except InvalidHeader:
                    wait = retry.get_backoff_time()
                following = _again(request, rewind, body_sent=True)
                if following is None or not _has_room(wait, deadline):
                    cause = ResponseError.SPECIFIC_ERROR.format(status_code=status)
                    stop = MaxRetryError(pool, url, ResponseError(cause))
            if stop is not None:
                if not retry.raise_on_status:
                    return raw
                yield from discard(raw)
                raise stop
            yield from discard(raw)
        if wait > 0:
            yield Sleep(wait)
        assert following is not None
        request = following
