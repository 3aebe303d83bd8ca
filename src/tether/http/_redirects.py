"""Following redirects, written once for both colours.

Theory of operation
-------------------
:func:`redirect_steps` is an exchange generator: given a response and the request that
produced it, it yields :class:`~tether.http._ops.Drain` for the redirect's body, builds
the next request (pure rules below), yields the sub-exchange that sends it (auth flow,
hooks, cookies) and :class:`~tether.http._ops.Emit`\\ s each new response. The session's
drivers run it blocking or under asyncio; ``Session.resolve_redirects`` iterates it and
turns the ``Emit`` ops into the responses it yields, as requests' generator does.

The rules (RFC 9110 §15.4, and requests' choices where the RFC leaves room):

- 301/302/303/307/308 with a ``Location`` are followed; the ``Location`` (decoded from
  Latin-1 bytes as UTF-8 when possible) is joined to the current URL with the WHATWG
  :class:`tether.url.URL` type (as browsers resolve it) and re-quoted as requests does;
  a fragment of the original URL is kept when the new one has none (§10.2.2).
- 303, and 302 for any method but HEAD, become GET; a 301 turns POST into GET (the
  browsers' behaviour that requests keeps); 307/308 keep method and body. When the
  method changes to GET the body and its ``Content-Length``/``Content-Type``/
  ``Transfer-Encoding`` go.
- To another origin (host, or scheme/port other than the http→https upgrade on default
  ports), ``Authorization`` is dropped (netrc may supply the new host's), the proxy's
  ``Proxy-Authorization`` is recomputed for the new URL, the ``Cookie`` header is
  rebuilt from the jar (cookies are bound to the domain that set them), and cookies
  passed with ``cookies=`` for this one request are not sent there (requests would).
- More than ``max_redirects`` raises :class:`~tether.exceptions.TooManyRedirects`.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any
from urllib.parse import urlparse

from tether._drive import Exchange, Op
from tether.cookies import extract_cookies_to_jar, merge_cookies
from tether.exceptions import InvalidURL, TooManyRedirects
from tether.http._ops import Drain, Emit
from tether.http._urlprep import requote_uri
from tether.status_codes import codes
from tether.url import URL

__all__ = ["collect", "get_redirect_target", "join_location", "rebuild_method",
           "redirect_steps", "should_strip_auth"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def get_redirect_target(resp: Any) -> str | None:
    """The ``Location`` of a redirect response, as text (UTF-8 bytes sent raw are
    decoded, as requests does)."""
    if not resp.is_redirect:
        return None
    location: str = resp.headers["location"]
    try:
        return location.encode("latin1").decode("utf8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return location


def should_strip_auth(old_url: str, new_url: str) -> bool:
    """Whether credentials for ``old_url`` must not go to ``new_url`` (requests' rule:
    another host, or a change of scheme or port other than http→https on default
    ports)."""
    old, new = urlparse(old_url), urlparse(new_url)
    if old.hostname != new.hostname:
        return True
    if (old.scheme == "http" and old.port in (80, None)
            and new.scheme == "https" and new.port in (443, None)):
        return False
    changed_port = old.port != new.port
    changed_scheme = old.scheme != new.scheme
    default = (_DEFAULT_PORTS.get(old.scheme), None)
    if not changed_scheme and old.port in default and new.port in default:
        return False
    return changed_port or changed_scheme


def rebuild_method(prepared: Any, response: Any) -> None:
    """The method for the next request (see the module docstring)."""
    method = prepared.method
    if response.status_code == codes.see_other and method != "HEAD":
        method = "GET"
    if response.status_code == codes.found and method != "HEAD":
        method = "GET"
    if response.status_code == codes.moved and method == "POST":
        method = "GET"
    prepared.method = method


def join_location(base: str | None, location: str,
                  previous_fragment: str) -> tuple[str, str]:
    """The absolute URL a ``Location`` points to, and the fragment to carry on."""
    try:
        joined = URL(base).join(location) if base else URL(location)
    except ValueError as exc:
        raise InvalidURL(f"Invalid redirect location {location!r}: {exc}") from exc
    fragment = joined.fragment or ""
    if not fragment and previous_fragment:
        joined = joined.copy_with(fragment=previous_fragment)
    elif fragment:
        previous_fragment = fragment
    return requote_uri(str(joined)), previous_fragment


def _forget_request_cookies(prepared: Any, session: Any) -> None:
    """Drop cookies that are bound to no domain and are not the session's: they came
    with ``cookies=`` for the original request and stay with its origin."""
    jar = prepared._cookies
    if jar is None:
        return
    session_unbound = {(c.path, c.name) for c in session.cookies if not c.domain}
    for cookie in list(jar):
        if not cookie.domain and (cookie.path, cookie.name) not in session_unbound:
            jar.clear(cookie.domain, cookie.path, cookie.name)


def next_request(session: Any, resp: Any, req: Any, location: str, fragment: str,
                 proxies: Any) -> tuple[Any, Any, str]:
    """The request that follows redirect ``resp`` (pure; no I/O)."""
    prepared = req.copy()
    url, fragment = join_location(resp.url, location, fragment)
    cross_origin = should_strip_auth(resp.request.url if resp.request else req.url, url)
    prepared.url = url
    if cross_origin:
        # A challenge-response auth answers only the origin it was given for.
        prepared.__dict__.pop("_auth_flow_owner", None)
    session.rebuild_method(prepared, resp)
    if resp.status_code not in (codes.temporary_redirect, codes.permanent_redirect):
        for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
            prepared.headers.pop(header, None)
        prepared.body = None
    headers = prepared.headers
    headers.pop("Cookie", None)
    if prepared._cookies is not None:
        extract_cookies_to_jar(prepared._cookies, req, resp.raw)
        if cross_origin:
            _forget_request_cookies(prepared, session)
        merge_cookies(prepared._cookies, session.cookies)
        prepared.prepare_cookies(prepared._cookies)
    proxies = session.rebuild_proxies(prepared, proxies)
    session.rebuild_auth(prepared, resp)
    rewindable = prepared._body_position is not None and (
        "Content-Length" in headers or "Transfer-Encoding" in headers)
    if rewindable:
        from tether.utils import rewind_body

        rewind_body(prepared)
    return prepared, proxies, fragment


def redirect_steps(session: Any, resp: Any, req: Any, kwargs: dict[str, Any],
                   yield_requests: bool = False,
                   send_one: Any = None) -> Exchange[None]:
    """Follow redirects from ``resp`` (see the module docstring). ``send_one(session,
    request, kwargs)`` is the sub-exchange that sends one request."""
    location = session.get_redirect_target(resp)
    if not location:
        return  # the common case: not a redirect
    history: list[Any] = []
    fragment = urlparse(req.url).fragment
    proxies = kwargs.get("proxies")
    while location:
        resp.history = history[:]
        history.append(resp)
        yield Drain(resp)
        if len(resp.history) >= session.max_redirects:
            raise TooManyRedirects(f"Exceeded {session.max_redirects} redirects.",
                                   response=resp)
        prepared, proxies, fragment = next_request(session, resp, req, location, fragment,
                                                   proxies)
        req = prepared
        if yield_requests:
            yield Emit(req)
            return
        hop_kwargs = dict(kwargs, proxies=proxies, allow_redirects=False)
        resp = yield from send_one(session, req, hop_kwargs)
        extract_cookies_to_jar(session.cookies, prepared, resp.raw)
        location = session.get_redirect_target(resp)
        yield Emit(resp)


def collect(exchange: Exchange[Any]) -> Generator[Op, Any, list[Any]]:
    """Run ``exchange`` as a sub-exchange, gathering what it :class:`Emit`\\ s."""
    items: list[Any] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            op = exchange.throw(error) if error is not None else exchange.send(value)
        except StopIteration:
            return items
        value = error = None
        if isinstance(op, Emit):
            items.append(op.item)
            continue
        try:
            value = yield op
        except Exception as exc:
            error = exc
