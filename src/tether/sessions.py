"""``Session`` (requests' API, blocking) and ``AsyncSession`` (the same, under asyncio).

Both are thin: preparing a request and merging settings is plain code in
:class:`_SessionBase`; the exchange itself (send, auth flow, hooks, cookies, redirects,
reading the body) is :func:`tether.http._exchange.send_exchange`, run by
:func:`~tether._drive.run_sync` in :class:`Session` and by
:func:`~tether._drive.run_async` in :class:`AsyncSession`.

tether additions (keyword-only constructor arguments, also attributes):

- ``timeout``: the :class:`tether.TimeoutConfig` used when a call passes none
  (default :data:`tether.adapters.DEFAULT_TIMEOUT`: 10 s connect, 30 s per read);
- ``max_connections`` / ``max_connections_per_host``: pool bounds of the default
  adapters;
- ``max_decompression_ratio`` / ``decompression_floor``: the in-memory bomb guard
  (``None`` ratio turns it off), see :mod:`tether.http._content`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from http.cookiejar import CookieJar
from typing import Any
from urllib.parse import urlparse

from tether._drive import run_async, run_sync
from tether.adapters import (
    DEFAULT_TIMEOUT,
    NOT_SET,
    AsyncHTTPAdapter,
    HTTPAdapter,
    to_timeout_config,
)
from tether.auth import _basic_auth_str
from tether.cookies import RequestsCookieJar, cookiejar_from_dict, merge_cookies
from tether.exceptions import InvalidSchema
from tether.hooks import default_hooks
from tether.http import _redirects
from tether.http._content import DECOMPRESSION_FLOOR, MAX_DECOMPRESSION_RATIO, BombGuard
from tether.http._environment import (
    ca_bundle_from_env,
    get_auth_from_url,
    get_environ_proxies,
    get_netrc_auth,
    resolve_proxies,
)
from tether.http._exchange import CallContext, send_exchange
from tether.http._headerutil import (
    case_insensitive_from_store,
    case_insensitive_without_none,
    header_pairs,
)
from tether.http._ops import Emit, SessionSend
from tether.models import DEFAULT_REDIRECT_LIMIT, PreparedRequest, Request, Response
from tether.net._timeouts import TimeoutConfig
from tether.structures import CaseInsensitiveDict
from tether.utils import default_headers, to_key_val_list

__all__ = ["AsyncSession", "Session", "SessionRedirectMixin", "merge_hooks", "merge_setting",
           "session"]


#: Prepared requests kept per session for calls with nothing of their own (see
#: ``_SessionBase._prepare_plain``); the set is emptied when it reaches this size.
_PLAIN_REQUESTS_MAX = 64

_SCALARS = frozenset({bool, str, int, float, tuple, type(None)})
_MAPPINGS = frozenset({dict, OrderedDict, CaseInsensitiveDict})


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, answered without the ABC machinery for the types
    settings usually have."""
    kind = type(value)
    if kind in _MAPPINGS:
        return True
    return False if kind in _SCALARS else isinstance(value, Mapping)


def _merge_scalar(request_setting: Any, session_setting: Any) -> Any:
    """:func:`merge_setting` for settings that are rarely mappings (stream, verify, cert)."""
    if request_setting is None:
        return session_setting
    if type(request_setting) in _SCALARS:
        return request_setting
    return merge_setting(request_setting, session_setting)


def merge_setting(request_setting: Any, session_setting: Any,
                  dict_class: Any = OrderedDict) -> Any:
    """A request's setting over the session's; mappings merge, ``None`` values drop keys."""
    if session_setting is None:
        return request_setting
    if request_setting is None:
        return session_setting
    if not (_is_mapping(session_setting) and _is_mapping(request_setting)):
        return request_setting
    if not request_setting:
        # The common call: nothing per request, the session's settings minus None values.
        if dict_class is CaseInsensitiveDict:
            return case_insensitive_without_none(session_setting)
        return dict_class([(k, v) for k, v in header_pairs(session_setting) if v is not None])
    merged = dict_class(to_key_val_list(session_setting))
    merged.update(to_key_val_list(request_setting))
    for key in [k for k, v in merged.items() if v is None]:
        del merged[key]
    return merged


def merge_hooks(request_hooks: Any, session_hooks: Any, dict_class: Any = OrderedDict) -> Any:
    if session_hooks is None or session_hooks.get("response") == []:
        return request_hooks
    if request_hooks is None or request_hooks.get("response") == []:
        return session_hooks
    return merge_setting(request_hooks, session_hooks, dict_class)


class _SessionBase:
    """Settings, preparation and redirect rules shared by both colours."""

    __attrs__ = ["headers", "cookies", "auth", "proxies", "hooks", "params", "verify",
                 "cert", "adapters", "stream", "trust_env", "max_redirects"]

    _adapter_class: Any = HTTPAdapter

    def __init__(self, *, timeout: TimeoutConfig = DEFAULT_TIMEOUT,
                 max_connections: int | None = None,
                 max_connections_per_host: int | None = None,
                 max_decompression_ratio: float | None = MAX_DECOMPRESSION_RATIO,
                 decompression_floor: int = DECOMPRESSION_FLOOR) -> None:
        self.headers: CaseInsensitiveDict[Any] = default_headers()
        self.auth: Any = None
        self.proxies: dict[str, str] = {}
        self.hooks = default_hooks()
        self.params: dict[str, Any] = {}
        self.stream = False
        self.verify: Any = True
        self.cert: Any = None
        self.max_redirects = DEFAULT_REDIRECT_LIMIT
        self.trust_env = True
        self.cookies: Any = cookiejar_from_dict({})
        self.timeout = timeout
        self.max_decompression_ratio = max_decompression_ratio
        self.decompression_floor = decompression_floor
        self._pool_kwargs = {"max_connections": max_connections,
                             "max_connections_per_host": max_connections_per_host}
        self.adapters: OrderedDict[str, Any] = OrderedDict()
        self.mount("https://", self._adapter_class(**self._pool_kwargs))
        self.mount("http://", self._adapter_class(**self._pool_kwargs))

    # -- preparation ----------------------------------------------------------------
    def prepare_request(self, request: Request) -> PreparedRequest:
        """A :class:`PreparedRequest` with the session's settings merged in."""
        return self._prepare_parts(request.method, request.url, request.headers,
                                   request.files, request.data, request.params, request.auth,
                                   request.cookies, request.hooks, request.json)

    def _prepare_parts(self, method: str | None, url: Any, headers: Any, files: Any,
                       data: Any, params: Any, auth: Any, cookies: Any, hooks: Any,
                       json: Any) -> PreparedRequest:
        """:meth:`prepare_request` from the parts of a :class:`Request` (``hooks``:
        the request's own, or ``None`` for none)."""
        cookies = cookies or {}
        merged_cookies: Any = None  # None: an empty RequestsCookieJar, made when needed
        session_jar: Any = self.cookies
        if type(session_jar) is not RequestsCookieJar or getattr(session_jar, "_cookies", None):
            merged_cookies = merge_cookies(RequestsCookieJar(), session_jar)  # not empty
        if cookies:
            if not isinstance(cookies, CookieJar):
                cookies = cookiejar_from_dict(cookies)
            if merged_cookies is None:
                merged_cookies = RequestsCookieJar()
            merged_cookies = merge_cookies(merged_cookies, cookies)
        if self.trust_env and not auth and not self.auth:
            auth = get_netrc_auth(url)
        session_hooks = self.hooks
        if hooks is None:
            # No hooks of the request's own: merge_hooks' result over an empty set.
            hooks = None if session_hooks is None or session_hooks.get("response") == [] \
                else session_hooks
        else:
            hooks = merge_hooks(hooks, session_hooks)
        p = PreparedRequest()
        p.prepare(
            method=method.upper() if method else method,
            url=url,
            files=files,
            data=data,
            json=json,
            headers=merge_setting(headers, self.headers, dict_class=CaseInsensitiveDict),
            params=merge_setting(params, self.params),
            auth=merge_setting(auth, self.auth),
            cookies=merged_cookies,
            hooks=hooks,
        )
        return p

    def _prepare_plain(self, method: str, url: Any) -> PreparedRequest | None:
        """A call with nothing of its own (no headers, params, body, cookies, auth or
        hooks): a copy of the request prepared the first time for the same method, URL
        and session headers, or ``None`` when the session's state needs the full
        preparation (session auth, params, cookies or hooks, a netrc entry, headers of
        other kinds or unhashable values)."""
        session_headers = self.headers
        session_hooks = self.hooks
        if type(url) is not str or type(session_headers) is not CaseInsensitiveDict \
                or self.auth or self.params \
                or (session_hooks is not None and session_hooks.get("response") != []):
            return None
        jar = self.cookies
        if type(jar) is not RequestsCookieJar or getattr(jar, "_cookies", None):
            return None
        if self.trust_env and get_netrc_auth(url):
            return None
        plain: dict[tuple[Any, ...], PreparedRequest] | None = self.__dict__.get(
            "_plain_requests")
        if plain is None:
            plain = {}
            self.__dict__["_plain_requests"] = plain
        try:
            key = (method, url, tuple(session_headers._store.values()))
            template = plain.get(key)
        except TypeError:  # an unhashable header value
            return None
        if template is None:
            template = self._prepare_parts(method, url, {}, [], {}, {}, None, None, None,
                                           None)
            if template.hooks.get("response") != [] or "_auth_flow_owner" in template.__dict__:
                return None
            if len(plain) >= _PLAIN_REQUESTS_MAX:
                plain.clear()
            plain[key] = template
        prep = PreparedRequest.__new__(PreparedRequest)
        prep.__dict__.update(template.__dict__)
        prep.headers = case_insensitive_from_store(template.headers._store.copy())
        prep.hooks = {"response": []}
        return prep

    def merge_environment_settings(self, url: str, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        """Proxies, stream, verify and cert for a call: arguments, then (with
        ``trust_env``) the environment, then the session's."""
        if self.trust_env:
            no_proxy = proxies.get("no_proxy") if proxies is not None else None
            for key, value in get_environ_proxies(url, no_proxy=no_proxy).items():
                proxies.setdefault(key, value)
            if verify is True or verify is None:
                verify = ca_bundle_from_env() or verify
        session_proxies = self.proxies
        return {
            # Nothing given and nothing on the session (the usual call): what
            # merge_setting returns then, without its checks.
            "proxies": OrderedDict() if not proxies and not session_proxies
            and session_proxies is not None else merge_setting(proxies, session_proxies),
            "stream": self.stream if stream is None else _merge_scalar(stream, self.stream),
            "verify": self.verify if verify is None else _merge_scalar(verify, self.verify),
            "cert": self.cert if cert is None else _merge_scalar(cert, self.cert),
        }

    def _prepare_call(self, method: str, url: Any, params: Any, data: Any, headers: Any,
                      cookies: Any, files: Any, auth: Any, timeout: Any,
                      allow_redirects: bool, proxies: Any, hooks: Any, stream: Any,
                      verify: Any, cert: Any, json: Any) -> tuple[PreparedRequest, dict[str, Any]]:
        if hooks is None and type(self).prepare_request is _SessionBase.prepare_request:
            prep = None
            if params is None and data is None and headers is None and cookies is None \
                    and files is None and auth is None and json is None:
                prep = self._prepare_plain(method.upper(), url)
            if prep is None:
                # prepare_request's work without the Request object (and its hooks dict).
                prep = self._prepare_parts(method.upper(), url, {} if headers is None else headers,
                                           [] if files is None else files, data or {},
                                           params or {}, auth, cookies, None, json)
        else:
            req = Request(method=method.upper(), url=url, headers=headers, files=files,
                          data=data or {}, json=json, params=params or {}, auth=auth,
                          cookies=cookies, hooks=hooks)
            prep = self.prepare_request(req)
        settings = self.merge_environment_settings(prep.url or "", proxies or {}, stream,
                                                   verify, cert)
        send_kwargs: dict[str, Any] = {"timeout": timeout, "allow_redirects": allow_redirects}
        send_kwargs.update(settings)
        return prep, send_kwargs

    def _prepare_send(self, request: Any, kwargs: dict[str, Any]) -> CallContext:
        kwargs.setdefault("stream", self.stream)
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("cert", self.cert)
        if "proxies" not in kwargs:
            kwargs["proxies"] = resolve_proxies(request, self.proxies, self.trust_env)
        kwargs.setdefault("timeout", NOT_SET)
        if isinstance(request, Request):
            raise ValueError("You can only send PreparedRequests.")
        config = to_timeout_config(kwargs["timeout"], self.timeout)
        guard: BombGuard | None = getattr(self, "_bomb_guard", None)
        if guard is None or guard.ratio != self.max_decompression_ratio \
                or guard.floor != self.decompression_floor:
            # One guard per setting (it holds no state of a call).
            guard = self._bomb_guard = BombGuard(self.max_decompression_ratio,
                                                 self.decompression_floor)
        return CallContext(config.deadline(), self.timeout, guard)

    # -- adapters --------------------------------------------------------------------
    def get_adapter(self, url: str) -> Any:
        """The adapter mounted for the longest matching prefix of ``url``."""
        lowered = url.lower()
        for prefix, adapter in self.adapters.items():
            if lowered.startswith(prefix.lower()):
                return adapter
        raise InvalidSchema(f"No connection adapters were found for {url!r}")

    def mount(self, prefix: str, adapter: Any) -> None:
        """Use ``adapter`` for URLs starting with ``prefix`` (longest prefix wins)."""
        self.adapters[prefix] = adapter
        for key in [k for k in self.adapters if len(k) < len(prefix)]:
            self.adapters[key] = self.adapters.pop(key)

    # -- redirect rules (requests' public methods) -------------------------------------
    def get_redirect_target(self, resp: Response) -> str | None:
        return _redirects.get_redirect_target(resp)

    def should_strip_auth(self, old_url: str, new_url: str) -> bool:
        return _redirects.should_strip_auth(old_url, new_url)

    def rebuild_method(self, prepared_request: PreparedRequest, response: Response) -> None:
        _redirects.rebuild_method(prepared_request, response)

    def rebuild_auth(self, prepared_request: PreparedRequest, response: Response) -> None:
        """Drop ``Authorization`` on a redirect to another origin; netrc may add new."""
        headers = prepared_request.headers
        url = prepared_request.url or ""
        if "Authorization" in headers and self.should_strip_auth(response.request.url or "",
                                                                 url):
            del headers["Authorization"]
        new_auth = get_netrc_auth(url) if self.trust_env else None
        if new_auth is not None:
            prepared_request.prepare_auth(new_auth)

    def rebuild_proxies(self, prepared_request: PreparedRequest, proxies: Any) -> dict[str, Any]:
        """The proxies for the redirected request, with its ``Proxy-Authorization``."""
        headers = prepared_request.headers
        scheme = urlparse(prepared_request.url or "").scheme
        new_proxies = resolve_proxies(prepared_request, proxies, self.trust_env)
        if "Proxy-Authorization" in headers:
            del headers["Proxy-Authorization"]
        try:
            username, password = get_auth_from_url(new_proxies[scheme])
        except KeyError:
            username, password = "", ""
        if not scheme.startswith("https") and username and password:
            headers["Proxy-Authorization"] = _basic_auth_str(username, password)
        return new_proxies

    def resolve_redirects(self, resp: Response, req: PreparedRequest, stream: bool = False,
                          timeout: Any = None, verify: Any = True, cert: Any = None,
                          proxies: Any = None, yield_requests: bool = False,
                          **adapter_kwargs: Any) -> Any:
        """Yield each response (or, with ``yield_requests``, the next request) of the
        redirect chain starting at ``resp`` (blocking; requests' generator). Each hop is
        sent with ``self.send``; ``timeout`` defaults to ``None`` as in requests (this is
        a low-level method: ``Session.send`` passes its own)."""
        kwargs = dict(stream=stream, timeout=timeout, verify=verify, cert=cert,
                      proxies=proxies, **adapter_kwargs)

        def one(s: Any, r: Any, kw: dict[str, Any]) -> Any:
            response = yield SessionSend(r, dict(kw))
            return response

        steps = _redirects.redirect_steps(self, resp, req, kwargs, yield_requests, one)
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                op = steps.throw(error) if error is not None else steps.send(value)
            except StopIteration:
                return
            value = error = None
            if isinstance(op, Emit):
                yield op.item
                continue
            try:
                value = op.run_sync(self)
            except Exception as exc:
                error = exc

    def __getstate__(self) -> dict[str, Any]:
        return {attr: getattr(self, attr, None) for attr in self.__attrs__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.timeout = DEFAULT_TIMEOUT
        self.max_decompression_ratio = MAX_DECOMPRESSION_RATIO
        self.decompression_floor = DECOMPRESSION_FLOOR
        for attr, value in state.items():
            setattr(self, attr, value)


class Session(_SessionBase):
    """A requests ``Session``: cookie persistence, connection pooling, configuration.

    Thread-safe for concurrent requests (the pool and the cookie jar lock).
    """

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def request(self, method: str, url: Any, params: Any = None, data: Any = None,
                headers: Any = None, cookies: Any = None, files: Any = None,
                auth: Any = None, timeout: Any = NOT_SET, allow_redirects: bool = True,
                proxies: Any = None, hooks: Any = None, stream: Any = None,
                verify: Any = None, cert: Any = None, json: Any = None) -> Response:
        """Prepare and send a request; return its :class:`Response`."""
        prep, send_kwargs = self._prepare_call(method, url, params, data, headers, cookies,
                                               files, auth, timeout, allow_redirects,
                                               proxies, hooks, stream, verify, cert, json)
        if type(self).send is Session.send:  # send's body, without a second kwargs dict
            ctx = self._prepare_send(prep, send_kwargs)
            response: Response = run_sync(send_exchange(self, prep, send_kwargs, ctx), self)
            return response
        return self.send(prep, **send_kwargs)

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        """Send a prepared request (following redirects unless ``allow_redirects=False``)."""
        ctx = self._prepare_send(request, kwargs)
        response: Response = run_sync(send_exchange(self, request, kwargs, ctx), self)
        return response

    def get(self, url: Any, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return self.request("GET", url, **kwargs)

    def options(self, url: Any, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url: Any, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: Any, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: Any, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: Any, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        """Close every adapter (and so the pooled connections)."""
        for adapter in self.adapters.values():
            adapter.close()


class AsyncSession(_SessionBase):
    """The asyncio twin of :class:`Session`: ``r = await s.get(url)``.

    The body is read before the call returns unless ``stream=True``; then use
    ``await r.aread()``, ``r.aiter_content()``, ``r.aiter_lines()``, ``await r.aclose()``.
    Task-safe. Close with ``await s.aclose()`` or ``async with``.
    """

    _adapter_class = AsyncHTTPAdapter

    async def __aenter__(self) -> AsyncSession:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()

    async def request(self, method: str, url: Any, params: Any = None, data: Any = None,
                      headers: Any = None, cookies: Any = None, files: Any = None,
                      auth: Any = None, timeout: Any = NOT_SET, allow_redirects: bool = True,
                      proxies: Any = None, hooks: Any = None, stream: Any = None,
                      verify: Any = None, cert: Any = None, json: Any = None) -> Response:
        prep, send_kwargs = self._prepare_call(method, url, params, data, headers, cookies,
                                               files, auth, timeout, allow_redirects,
                                               proxies, hooks, stream, verify, cert, json)
        if type(self).send is AsyncSession.send:  # send's body, one coroutine less
            ctx = self._prepare_send(prep, send_kwargs)
            response: Response = await run_async(send_exchange(self, prep, send_kwargs, ctx),
                                                 self)
            return response
        return await self.send(prep, **send_kwargs)

    async def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        ctx = self._prepare_send(request, kwargs)
        response: Response = await run_async(send_exchange(self, request, kwargs, ctx), self)
        return response

    async def get(self, url: Any, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return await self.request("GET", url, **kwargs)

    async def options(self, url: Any, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return await self.request("OPTIONS", url, **kwargs)

    async def head(self, url: Any, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", False)
        return await self.request("HEAD", url, **kwargs)

    async def post(self, url: Any, data: Any = None, json: Any = None,
                   **kwargs: Any) -> Response:
        return await self.request("POST", url, data=data, json=json, **kwargs)

    async def put(self, url: Any, data: Any = None, **kwargs: Any) -> Response:
        return await self.request("PUT", url, data=data, **kwargs)

    async def patch(self, url: Any, data: Any = None, **kwargs: Any) -> Response:
        return await self.request("PATCH", url, data=data, **kwargs)

    async def delete(self, url: Any, **kwargs: Any) -> Response:
        return await self.request("DELETE", url, **kwargs)

    async def aclose(self) -> None:
        for adapter in self.adapters.values():
            closer = getattr(adapter, "aclose", None)
            if closer is not None:
                await closer()
            else:
                adapter.close()

    def close(self) -> None:
        """Forget the adapters' pools without waiting (prefer ``await aclose()``)."""
        for adapter in self.adapters.values():
            adapter.close()


#: requests' name for the redirect half of a session.
SessionRedirectMixin = _SessionBase


def session() -> Session:
    """A new :class:`Session` (deprecated spelling kept from requests)."""
    return Session()

