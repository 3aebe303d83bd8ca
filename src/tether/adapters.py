"""Transport adapters, requests' shape: what ``Session.mount(prefix, adapter)`` takes.

An adapter's ``send(request, stream=False, timeout=None, verify=True, cert=None,
proxies=None)`` turns a :class:`~tether.models.PreparedRequest` into a
:class:`~tether.models.Response` whose body is not read yet. :class:`HTTPAdapter` does
it over tether's pooled HTTP/1.1 transport; :class:`AsyncHTTPAdapter` is its asyncio
twin (``send`` is a coroutine), used by :class:`~tether.sessions.AsyncSession`. Both
share :func:`build_raw_request` and :meth:`HTTPAdapter.build_response`; they differ in
the one call to the transport.

Timeouts (``timeout=``), as in requests: a number bounds connecting and each wait for
data (not the whole response); ``(connect, read)`` sets the two apart; ``None`` waits
forever. A :class:`tether.TimeoutConfig` is used as given, and its ``total`` is a
deadline for the whole call (redirects included, and later body reads with
``stream=True``). When nothing is passed, :data:`DEFAULT_TIMEOUT` applies (requests
would wait forever).
"""

from __future__ import annotations

import os
import ssl
from typing import Any, Final
from urllib.parse import urlsplit

from tether._drive import Exchange, run_async, run_sync
from tether.auth import _basic_auth_str
from tether.cookies import extract_cookies_to_jar
from tether.exceptions import InvalidProxyURL, InvalidSchema, InvalidURL, RetryError
from tether.http._body import RawBody
from tether.http._environment import get_auth_from_url, select_proxy
from tether.http._errors import translate
from tether.http._headerutil import carries_credentials, get_encoding_from_headers, header_pairs
from tether.http._retry import MaxRetryError, Retry, as_retry
from tether.http._retry_exchange import TransportCall, attempt_for, rewinder, send_with_retries
from tether.http._transport import AsyncHTTPTransport, HTTPTransport
from tether.http._transport import send_exchange as transport_exchange
from tether.http._types import Proxy, RawRequest, RawResponse
from tether.models import PreparedRequest, Response
from tether.net import create_ssl_context
from tether.net._timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutConfig
from tether.structures import CaseInsensitiveDict

__all__ = [
    "DEFAULT_POOLBLOCK",
    "DEFAULT_POOLSIZE",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncHTTPAdapter",
    "BaseAdapter",
    "HTTPAdapter",
    "Retry",
    "build_raw_request",
    "to_timeout_config",
]

DEFAULT_POOLBLOCK = False
DEFAULT_POOLSIZE = 10
DEFAULT_RETRIES = 0
DEFAULT_POOL_TIMEOUT = None

#: What a request waits when the caller passes no ``timeout`` (requests: forever):
#: 10 s to connect, 30 s for each wait for data, no total deadline.
DEFAULT_TIMEOUT: Final = DEFAULT_TIMEOUTS

#: Sentinel for "the caller passed no timeout" through ``Session.request``/``send``.
NOT_SET: Final[Any] = type("NotSetType", (), {"__repr__": lambda self: "NOT_SET"})()

_FILE_BLOCK = 65536


def _check_timeout_value(value: Any, name: str) -> float | None:
    # urllib3's validation and messages (requests shows them as they are).
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("Timeout cannot be a boolean value. It must be an int, float or None.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"Timeout value {name} was {value}, but it must be an int, float or None.") from None
    if number <= 0:
        raise ValueError(
            f"Attempted to set {name} timeout to {value}, but the timeout cannot be set to "
            "a value less than or equal to 0.")
    return number


def to_timeout_config(timeout: Any, default: TimeoutConfig = DEFAULT_TIMEOUT) -> TimeoutConfig:
    """requests' ``timeout=`` argument as a :class:`TimeoutConfig`."""
    if timeout is NOT_SET:
        return default
    if isinstance(timeout, TimeoutConfig):
        return timeout
    if hasattr(timeout, "_connect") and hasattr(timeout, "_read"):
        # urllib3's Timeout object (requests accepts it): default sentinels mean ours.
        connect = timeout._connect if isinstance(timeout._connect, (int, float, type(None))) \
            else default.connect
        read = timeout._read if isinstance(timeout._read, (int, float, type(None))) \
            else default.read
        total = getattr(timeout, "total", None)
        return TimeoutConfig(connect=connect, read=read, write=read, pool=default.pool,
                             total=total if isinstance(total, (int, float)) else None)
    if isinstance(timeout, tuple):
        try:
            connect, read = timeout
        except ValueError:
            raise ValueError(
                f"Invalid timeout {timeout}. Pass a (connect, read) timeout tuple, or a single "
                "float to set both timeouts to the same value.") from None
        c = _check_timeout_value(connect, "connect")
        r = _check_timeout_value(read, "read")
        return TimeoutConfig(connect=c, read=r, write=r, pool=default.pool, total=None)
    t = _check_timeout_value(timeout, "connect")
    _check_timeout_value(timeout, "read")
    return TimeoutConfig(connect=t, read=t, write=t, pool=default.pool, total=None)


#: verify=<CA path> → (the file's stat signature, its context). One stat per request
#: finds the context again; a changed file goes through create_ssl_context (which
#: reloads it). Cleared past this many paths.
_CA_CONTEXTS: dict[str, tuple[tuple[int, int, int, int], ssl.SSLContext]] = {}
_CA_CONTEXTS_MAX = 32


def _ssl_context(verify: Any, cert: Any) -> ssl.SSLContext:
    if type(verify) is str and cert is None:
        try:
            st = os.stat(verify)
        except OSError:
            pass  # the checks below say what is wrong
        else:
            signature = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode)
            known = _CA_CONTEXTS.get(verify)
            if known is not None and known[0] == signature:
                return known[1]
            ctx = create_ssl_context(verify=verify, cert=None)
            if len(_CA_CONTEXTS) >= _CA_CONTEXTS_MAX:
                _CA_CONTEXTS.clear()
            _CA_CONTEXTS[verify] = (signature, ctx)
            return ctx
    if isinstance(verify, str) and not os.path.exists(verify):
        raise OSError(
            f"Could not find a suitable TLS CA certificate bundle, invalid path: {verify}")
    if cert:
        certfile, keyfile = (cert, None) if isinstance(cert, str) else (cert[0], cert[1])
        if certfile and not os.path.exists(certfile):
            raise OSError(f"Could not find the TLS certificate file, invalid path: {certfile}")
        if keyfile and not os.path.exists(keyfile):
            raise OSError(f"Could not find the TLS key file, invalid path: {keyfile}")
    if isinstance(verify, ssl.SSLContext):
        return verify
    return create_ssl_context(verify=verify if verify is not None else True,
                              cert=tuple(cert) if isinstance(cert, list) else cert)


def _proxy_for(url: str, proxies: Any, proxy_headers: Any) -> Proxy | None:
    proxy_url = select_proxy(url, proxies)
    if not proxy_url:
        return None
    from tether.utils import prepend_scheme_if_needed

    proxy_url = prepend_scheme_if_needed(proxy_url, "http")
    parts = urlsplit(proxy_url)
    if not parts.hostname:
        raise InvalidProxyURL(
            "Please check proxy URL. It is malformed and could be missing the host.")
    headers = list(proxy_headers(proxy_url).items()) if proxy_headers else []
    encoded = tuple((str(k).encode("latin-1"), str(v).encode("latin-1")) for k, v in headers)
    try:
        return Proxy.from_url(proxy_url, headers=encoded)
    except ValueError as exc:
        raise InvalidSchema(str(exc)) from exc


def _file_chunks(body: Any) -> Any:
    while True:
        block = body.read(_FILE_BLOCK)
        if not block:
            return
        yield block.encode("utf-8") if isinstance(block, str) else block


def _text_chunks(body: Any) -> Any:
    for chunk in body:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        if chunk:
            yield chunk


async def _atext_chunks(body: Any) -> Any:
    async for chunk in body:
        if isinstance(chunk, str):
            chunk = chunk.encode("utf-8")
        if chunk:
            yield chunk


def _wire_body(body: Any) -> Any:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return _file_chunks(body)
    if hasattr(body, "__aiter__"):
        return _atext_chunks(body)
    return _text_chunks(body)


def _header_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("latin-1")


#: Per prepared URL: (scheme, host, port, Host header value). The URL is split once, not
#: for every request; cleared past this many entries.
_ORIGINS: dict[str, tuple[str, str, int, bytes | None]] = {}
_ORIGINS_MAX = 256


def _origin(url: str, request: PreparedRequest) -> tuple[str, str, int, bytes | None]:
    known = _ORIGINS.get(url)
    if known is not None:
        return known
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidSchema(f"No connection adapters were found for {url!r}")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(str(exc), request=request) from exc
    if not host:
        raise InvalidURL(f"Invalid URL {url!r}: No host supplied", request=request)
    default_port = 443 if scheme == "https" else 80
    port = port or default_port
    netloc_host = f"[{host}]" if ":" in host else host
    host_value = netloc_host if port == default_port else f"{netloc_host}:{port}"
    try:
        host_bytes: bytes | None = host_value.encode("idna" if not host.isascii() else "ascii")
    except UnicodeError:
        host_bytes = None  # raised again below if the request has no Host header
    origin = (scheme, host, port, host_bytes)
    if len(_ORIGINS) >= _ORIGINS_MAX:
        _ORIGINS.clear()
    _ORIGINS[url] = origin
    return origin


#: Recent header sets as they go on the wire: most requests of a program send the
#: session's same few headers. Keyed by the (spelling, value) pairs of the dict.
_WIRE_HEADERS: dict[tuple[Any, ...], tuple[tuple[tuple[bytes, bytes], ...], bool]] = {}
_WIRE_HEADERS_MAX = 64


def _wire_headers(headers: Any) -> tuple[list[tuple[bytes, bytes]], bool]:
    """The headers as (name, value) bytes without ``None`` values, and whether ``Host``
    is among them."""
    key: tuple[Any, ...] | None = None
    if type(headers) is CaseInsensitiveDict and not carries_credentials(headers._store):
        key = tuple(headers._store.values())
        try:
            known = _WIRE_HEADERS.get(key)
        except TypeError:  # an unhashable value: encode it every time
            known = key = None
        if known is not None:
            return list(known[0]), known[1]
    out: list[tuple[bytes, bytes]] = []
    has_host = False
    plain = True
    for name, value in header_pairs(headers):
        if value is None:
            continue
        if type(name) is str:
            raw_name = name.encode("latin-1")
        else:
            raw_name = _header_bytes(name)
            plain = plain and type(name) is bytes
        if len(raw_name) == 4 and raw_name.lower() == b"host":
            has_host = True
        if type(value) is str:
            raw_value = value.encode("latin-1")
        else:
            raw_value = _header_bytes(value)
            plain = plain and type(value) is bytes
        out.append((raw_name, raw_value))
    if key is not None and plain:
        if len(_WIRE_HEADERS) >= _WIRE_HEADERS_MAX:
            _WIRE_HEADERS.clear()
        _WIRE_HEADERS[key] = (tuple(out), has_host)
    return out, has_host


def build_raw_request(request: PreparedRequest, timeout: Any, verify: Any, cert: Any,
                      proxies: Any, proxy_headers: Any = None,
                      deadline: Deadline | None = None,
                      default_timeout: TimeoutConfig = DEFAULT_TIMEOUT) -> RawRequest:
    """The transport's request for ``request`` (scheme, host, port, target, headers with
    ``Host``, body, timeouts, TLS context, proxy)."""
    url = request.url or ""
    scheme, host, port, host_value = _origin(url, request)
    config = to_timeout_config(timeout, default_timeout)
    headers, has_host = _wire_headers(request.headers or {})
    if not has_host:
        if host_value is None:
            host_value = host.encode("idna")
        headers.insert(0, (b"Host", host_value))
    return RawRequest(
        method=(request.method or "GET").encode("ascii"),
        scheme=scheme,
        host=host,
        port=port,
        target=request.path_url.encode("utf-8"),
        headers=headers,
        body=_wire_body(request.body),
        timeouts=config,
        deadline=deadline if deadline is not None else config.deadline(),
        ssl_context=_ssl_context(verify, cert) if scheme == "https" else None,
        proxy=_proxy_for(url, proxies, proxy_headers) if proxies else None,
    )


class BaseAdapter:
    """The Base Transport Adapter."""

    def send(self, request: PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class HTTPAdapter(BaseAdapter):
    """The built-in HTTP adapter: tether's pooled HTTP/1.1 transport.

    ``pool_connections``/``pool_maxsize``/``pool_block`` keep requests' signature:
    with ``pool_block=True``, ``pool_maxsize`` bounds connections per host (requests
    queues then too); otherwise the transport's defaults apply (64 concurrent requests
    to one host run without queueing). ``max_connections`` and
    ``max_connections_per_host`` set the bounds directly.

    ``max_retries`` as in requests: ``0`` (the default) retries nothing, ``n`` allows
    ``n`` retries of connection failures (and of read failures of idempotent methods), a
    :class:`Retry` (tether's, or urllib3's ``Retry`` object, whose settings are copied)
    sets every counter, the statuses to retry (``status_forcelist``), the methods
    (``allowed_methods``) and the backoff; ``Retry-After`` is honoured. Used up: the last
    error (``ConnectionError``, ``ConnectTimeout``...) or, for statuses, ``RetryError``.
    Waits end before the request's ``TimeoutConfig(total=...)`` deadline (else no
    retry); a generator body is never sent twice; redirects stay the session's (see
    :mod:`tether.http._retry_exchange`). Whatever the policy, an idempotent request
    is also retried once on a kept-alive connection the server closed while idle.
    """

    __attrs__ = ["max_retries", "config", "_pool_connections", "_pool_maxsize", "_pool_block"]

    _transport_class: Any = HTTPTransport
    _retry: Retry = Retry(0, read=False)
    _foreign_retry: Any = None

    def __init__(self, pool_connections: int = DEFAULT_POOLSIZE,
                 pool_maxsize: int = DEFAULT_POOLSIZE, max_retries: Any = DEFAULT_RETRIES,
                 pool_block: bool = DEFAULT_POOLBLOCK, *, max_connections: int | None = None,
                 max_connections_per_host: int | None = None) -> None:
        super().__init__()
        self.max_retries = max_retries
        self.config: dict[str, Any] = {}
        self.proxy_manager: dict[str, Any] = {}
        self._pool_connections = pool_connections
        self._pool_maxsize = pool_maxsize
        self._pool_block = pool_block
        kwargs: dict[str, int] = {}
        if max_connections is not None:
            kwargs["max_connections"] = max_connections
        if max_connections_per_host is not None:
            kwargs["max_connections_per_host"] = max_connections_per_host
        elif pool_block:
            kwargs["max_connections_per_host"] = pool_maxsize
        self._transport_kwargs = kwargs
        self.init_poolmanager(pool_connections, pool_maxsize, block=pool_block)

    @property
    def max_retries(self) -> Any:
        """The retry policy: the object given if it was a urllib3 ``Retry``, else a
        :class:`Retry` (an int is converted as requests converts it)."""
        return self._retry if self._foreign_retry is None else self._foreign_retry

    @max_retries.setter
    def max_retries(self, value: Any) -> None:
        self._retry = as_retry(value)
        is_foreign = not isinstance(value, (Retry, int, float, type(None)))
        self._foreign_retry = value if is_foreign else None

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK,
                         **pool_kwargs: Any) -> None:
        """(Re)create the transport (requests' name for it)."""
        self._transport = self._transport_class(**self._transport_kwargs)
        self.poolmanager = self._transport

    def __getstate__(self) -> dict[str, Any]:
        return {attr: getattr(self, attr, None) for attr in self.__attrs__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.proxy_manager = {}
        self.config = {}
        for attr, value in state.items():
            setattr(self, attr, value)
        self._transport_kwargs = {}
        self.init_poolmanager(self._pool_connections, self._pool_maxsize, self._pool_block)

    def proxy_headers(self, proxy: str) -> dict[str, str]:
        """Headers for the proxy: ``Proxy-Authorization`` from its URL's credentials."""
        headers: dict[str, str] = {}
        if urlsplit(proxy).scheme.startswith("socks"):
            return headers
        username, password = get_auth_from_url(proxy)
        if username:
            headers["Proxy-Authorization"] = _basic_auth_str(username, password)
        return headers

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        """Hook for subclasses to add headers; does nothing."""

    def request_url(self, request: PreparedRequest, proxies: Any) -> str:
        return request.path_url

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Check the CA bundle and certificate paths (raises ``OSError`` as requests)."""
        if url.lower().startswith("https"):
            _ssl_context(verify, cert)

    def build_response(self, req: PreparedRequest, resp: Any) -> Response:
        """A :class:`Response` around a transport response (its ``raw``)."""
        raw = resp if not isinstance(resp, RawResponse) else RawBody(
            resp, request=req, method=req.method or "GET")
        response = Response._with_headers(
            raw.headers.copy() if hasattr(raw, "headers") else CaseInsensitiveDict())
        response.status_code = getattr(raw, "status", None)  # type: ignore[assignment]
        response.encoding = get_encoding_from_headers(response.headers)
        response.raw = raw
        response.reason = raw.reason
        response.url = req.url.decode("utf-8") if isinstance(req.url, bytes) else req.url  # type: ignore[assignment]
        may_set_cookies = getattr(raw, "_may_set_cookies", None)
        if may_set_cookies is None or may_set_cookies():
            extract_cookies_to_jar(response.cookies, req, raw)
        response.request = req
        response.connection = self
        return response

    def _raw_request(self, request: PreparedRequest, timeout: Any, verify: Any, cert: Any,
                     proxies: Any, deadline: Deadline | None,
                     default_timeout: TimeoutConfig) -> RawRequest:
        self.add_headers(request, stream=False, timeout=timeout, verify=verify, cert=cert,
                         proxies=proxies)
        return build_raw_request(request, timeout, verify, cert, proxies, self.proxy_headers,
                                 deadline, default_timeout)

    def send(self, request: PreparedRequest, stream: bool = False, timeout: Any = NOT_SET,
             verify: Any = True, cert: Any = None, proxies: Any = None, *,
             deadline: Deadline | None = None,
             default_timeout: TimeoutConfig = DEFAULT_TIMEOUT) -> Response:
        """Send ``request`` and return the response with its body unread."""
        response: Response = run_sync(self.send_exchange(
            request, stream, timeout, verify, cert, proxies, deadline=deadline,
            default_timeout=default_timeout), None)
        return response

    def send_exchange(self, request: PreparedRequest, stream: bool = False,
                      timeout: Any = NOT_SET, verify: Any = True, cert: Any = None,
                      proxies: Any = None, *, deadline: Deadline | None = None,
                      default_timeout: TimeoutConfig = DEFAULT_TIMEOUT) -> Exchange[Response]:
        """:meth:`send` as an exchange generator, the same for both colours: run by
        ``send`` here, by ``AsyncHTTPAdapter.send``, and inline by a session's own
        exchange when this adapter's ``send`` is not overridden (one driver per call)."""
        raw_request = self._raw_request(request, timeout, verify, cert, proxies, deadline,
                                        default_timeout)
        try:
            if self._retry.never_retries:
                transport = self._transport
                if type(transport) is self._transport_class:
                    # The transport's own exchange, inline (no op, no driver of its own).
                    raw = yield from transport_exchange(
                        transport._pool, raw_request, transport._limits, transport._retries)
                else:
                    raw = yield TransportCall(transport, raw_request)
            else:
                raw = yield from self._with_retries(request, raw_request)
        except Exception as exc:
            new = self._failure(exc, request, raw_request)
            if new is exc:
                raise
            raise new from exc
        return self._finish(request, raw, raw_request)

    def _with_retries(self, request: PreparedRequest,
                      raw_request: RawRequest) -> Exchange[RawResponse]:
        """The retry loop of :mod:`tether.http._retry_exchange` for ``max_retries``."""
        pool = (f"{raw_request.scheme.upper()}ConnectionPool(host={raw_request.host!r}, "
                f"port={raw_request.port})")
        rewind = rewinder(request.body, getattr(request, "_body_position", None),
                          raw_request.body, _wire_body)
        return send_with_retries(attempt_for(self._transport), raw_request, self._retry,
                                 url=raw_request.target.decode("utf-8", "replace"),
                                 pool=pool, rewind=rewind)

    @staticmethod
    def _failure(exc: Exception, request: PreparedRequest,
                 raw_request: RawRequest) -> BaseException:
        if isinstance(exc, MaxRetryError):
            return RetryError(exc, request=request)
        return translate(exc, request, "send", raw_request.proxy is not None)

    def _finish(self, request: PreparedRequest, raw: RawResponse,
                raw_request: RawRequest) -> Response:
        body = RawBody(raw, request=request, method=request.method or "GET",
                       via_proxy=raw_request.proxy is not None)
        return self.build_response(request, body)

    def close(self) -> None:
        self._transport.close()


class AsyncHTTPAdapter(HTTPAdapter):
    """asyncio twin of :class:`HTTPAdapter`: ``await adapter.send(...)``."""

    _transport_class = AsyncHTTPTransport

    async def send(self, request: PreparedRequest, stream: bool = False,  # type: ignore[override]
                   timeout: Any = NOT_SET, verify: Any = True, cert: Any = None,
                   proxies: Any = None, *, deadline: Deadline | None = None,
                   default_timeout: TimeoutConfig = DEFAULT_TIMEOUT) -> Response:
        response: Response = await run_async(self.send_exchange(
            request, stream, timeout, verify, cert, proxies, deadline=deadline,
            default_timeout=default_timeout), None)
        return response

    def close(self) -> None:
        """Forget pooled connections without waiting (use :meth:`aclose` when you can)."""

    async def aclose(self) -> None:
        await self._transport.aclose()

