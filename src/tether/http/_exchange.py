"""One call of the requests API as an exchange generator, shared by both colours.

Theory of operation
-------------------
:func:`send_exchange` is ``Session.send`` written once: send the prepared request
(through its auth flow, see :func:`send_one`), run the response hooks, store cookies,
follow redirects (:mod:`tether.http._redirects`), and read the body into memory unless
``stream=True``. It yields the ops of :mod:`tether.http._ops`; ``Session`` runs it with
:func:`tether._drive.run_sync`, ``AsyncSession`` with :func:`tether._drive.run_async`,
passing itself as the "transport" so that the mounted adapters are used.

Auth flows: an auth object with an ``auth_flow(request)`` generator (tether's
:class:`~tether.auth.HTTPDigestAuth`) gets each response and may answer with a new
request (a challenge answered); the intermediate responses are drained and become the
final response's ``history``, as requests' digest hook does.

A total deadline (``TimeoutConfig.total``) is created once per call by the session and
passed to every send, so redirects and auth round trips share it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tether._drive import Exchange
from tether.cookies import extract_cookies_to_jar
from tether.hooks import dispatch_hook
from tether.http._content import BombGuard
from tether.http._ops import Drain, ReadBody, send_request
from tether.http._redirects import collect, redirect_steps
from tether.net._timeouts import Deadline, TimeoutConfig

__all__ = ["CallContext", "send_exchange", "send_one"]


class CallContext(NamedTuple):
    """What stays the same for every request of one call (a tuple: one is made per
    call)."""

    deadline: Deadline | None
    default_timeout: TimeoutConfig
    bomb_guard: BombGuard


def _adapter_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if k != "allow_redirects"}


def send_one(session: Any, request: Any, kwargs: dict[str, Any],
             ctx: CallContext) -> Exchange[Any]:
    """Send ``request`` through its auth flow and response hooks; no redirects."""
    send_kwargs = _adapter_kwargs(kwargs) if "allow_redirects" in kwargs else kwargs
    owner = getattr(request, "_auth_flow_owner", None)
    if owner is None:
        response = yield from send_request(session, request, send_kwargs, ctx.deadline,
                                           ctx.default_timeout)
        response._bomb_guard = ctx.bomb_guard
    else:
        flow = owner.auth_flow(request)
        current = next(flow)
        answered: list[Any] = []
        while True:
            response = yield from send_request(session, current, send_kwargs, ctx.deadline,
                                               ctx.default_timeout)
            response._bomb_guard = ctx.bomb_guard
            try:
                following = flow.send(response)
            except StopIteration:
                break
            yield Drain(response)
            answered.append(response)
            current = following
        if answered:
            response.history = [*answered, *response.history]
    hooks = request.hooks
    if not (hooks and hooks.get("response")):
        return response  # no response hook: nothing to dispatch
    return dispatch_hook("response", hooks, response, **send_kwargs)


def send_exchange(session: Any, request: Any, kwargs: dict[str, Any],
                  ctx: CallContext) -> Exchange[Any]:
    """``Session.send``: see the module docstring."""
    allow_redirects = kwargs.pop("allow_redirects", True)
    stream = kwargs.get("stream")

    def one(s: Any, req: Any, kw: dict[str, Any]) -> Exchange[Any]:
        return send_one(s, req, kw, ctx)

    response = yield from send_one(session, request, kwargs, ctx)
    for earlier in response.history:
        extract_cookies_to_jar(session.cookies, earlier.request, earlier.raw)
    extract_cookies_to_jar(session.cookies, request, response.raw)
    if allow_redirects:
        if session.get_redirect_target(response):  # else redirect_steps does nothing
            following = yield from collect(
                redirect_steps(session, response, request, kwargs, send_one=one))
            if following:
                chain = [response, *following]
                response = chain.pop()
                response.history = chain
    elif response.is_redirect:
        nexts = yield from collect(
            redirect_steps(session, response, request, kwargs, yield_requests=True,
                           send_one=one))
        response._next = nexts[0] if nexts else None
    if not stream and not _settled(response):
        yield ReadBody(response)
    return response


def _settled(response: Any) -> bool:
    """The body taken at once if it came with the head (no I/O, so no op to yield)."""
    settle = getattr(response, "_settle_in_memory", None)
    return settle is not None and bool(settle())
