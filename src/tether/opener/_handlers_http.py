"""HTTP handlers: requests go out through tether's pooled HTTP/1.1 transport.

:class:`AbstractHTTPHandler` keeps urllib's two steps. ``do_request_`` (the
``http_request``/``https_request`` processor) fills in ``Host``, ``Content-type``,
``Content-length`` or ``Transfer-encoding`` and the opener's ``addheaders``.
``do_open(http_class, req)`` sends the request: with :class:`TransportConnection` (what
:class:`HTTPHandler` and :class:`HTTPSHandler` pass) it goes through one process-wide
:class:`~tether.http.HTTPTransport`, so connections are kept alive and reused between
calls; with any other class (a subclass of ``http.client.HTTPConnection`` a program
supplies, e.g. for Unix sockets) it drives that class as urllib does.

Differences from urllib's HTTP handling, on purpose:

- connections are pooled (no ``Connection: close``); ``Accept-Encoding: identity`` is
  sent unless the caller set the header, and the body is never content-decoded;
- the default timeout is finite (10 s connect, 30 s per read/write) unless
  ``socket.setdefaulttimeout()`` set one; a :class:`~tether.net.TimeoutConfig` with
  ``total`` bounds the whole call including redirects and the body;
- errors: connecting/sending failures are ``URLError(reason)`` as in urllib; a server
  that closes without answering raises :class:`RemoteDisconnected`, a malformed
  response :class:`BadResponse` (an ``http.client.HTTPException``).
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import string
import threading
from collections.abc import Iterable, Iterator
from typing import Any, Final

from tether import errors
from tether.http import HTTPTransport, Proxy, RawRequest
from tether.net import (
    DEFAULT_READ_TIMEOUT,
    DEFAULT_TIMEOUTS,
    create_ssl_context,
    timeouts_from_stdlib,
)
from tether.opener._director import BaseHandler, current_deadline
from tether.opener._errors import (
    BadResponse,
    HTTPError,
    RemoteDisconnected,
    URLError,
    translate_read_error,
)
from tether.opener._request import Request
from tether.opener._response import OpenerResponse, RawSource
from tether.url import (
    _splithost,
    _splitport,
    _splittype,
    quote,
    unquote,
    urljoin,
    urlparse,
    urlunparse,
)

__all__ = [
    "REDIRECT_DRAIN_LIMIT",
    "AbstractHTTPHandler",
    "HTTPCookieProcessor",
    "HTTPHandler",
    "HTTPRedirectHandler",
    "HTTPSHandler",
    "InvalidURL",
    "TransportConnection",
    "close_shared_transport",
    "shared_transport",
]

#: Bytes of a redirect response's body read (and discarded) so that its connection can
#: be reused; a longer body closes the connection instead of being read to its end.
REDIRECT_DRAIN_LIMIT: Final = 65536
#: Schemes a server's ``Location`` may send the client to (issue 12: as urllib and
#: curl); ``file:``, ``data:`` and every other scheme are refused.
REDIRECT_SCHEMES: Final = frozenset({"http", "https", "ftp", "ftps", ""})
#: Request headers dropped when a redirect leaves the origin (scheme, host, port).
CREDENTIAL_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})

_GLOBAL_DEFAULT_TIMEOUT: Any = socket._GLOBAL_DEFAULT_TIMEOUT  # type: ignore[attr-defined]
_BODY_METHODS: Final = frozenset({"PATCH", "POST", "PUT"})
_BAD_URL_CHAR = re.compile("[\x00-\x20\x7f]")
_BAD_METHOD_CHAR = re.compile("[\x00-\x1f]")
_LEGAL_HEADER_NAME = re.compile(rb"[^:\s][^:\r\n]*")
_BAD_HEADER_VALUE = re.compile(rb"[\r\n\x00]")
_READ_BLOCK: Final = 65536


class InvalidURL(errors.TetherError, http.client.InvalidURL, ValueError):
    """The URL cannot be sent (control characters, bad port), as http.client says."""


class TransportConnection:
    """Marker for :meth:`AbstractHTTPHandler.do_open`: send through tether's transport."""


_shared: HTTPTransport | None = None
_shared_lock = threading.Lock()


def shared_transport() -> HTTPTransport:
    """The process-wide transport (keep-alive pool) HTTP handlers use by default."""
    global _shared
    transport = _shared
    if transport is None:
        with _shared_lock:
            if _shared is None:
                _shared = HTTPTransport()
            transport = _shared
    return transport


def close_shared_transport() -> None:
    """Close the pooled connections; the next request starts a new pool."""
    global _shared
    with _shared_lock:
        transport, _shared = _shared, None
    if transport is not None:
        transport.close()


def content_length(data: Any, method: str) -> int | None:
    """The length of a request body when it can be known without reading it."""
    if data is None:
        return 0 if method.upper() in _BODY_METHODS else None
    if hasattr(data, "read"):
        return None  # files are sent chunked unless the caller set Content-Length
    try:
        return memoryview(data).nbytes
    except TypeError:
        pass
    if isinstance(data, str):
        return len(data.encode("iso-8859-1"))
    return None


def _iter_file(fp: Any) -> Iterator[bytes]:
    while True:
        block = fp.read(_READ_BLOCK)
        if not block:
            return
        yield block.encode("iso-8859-1") if isinstance(block, str) else block


def _iter_items(items: Iterable[Any]) -> Iterator[bytes]:
    for item in items:
        if isinstance(item, str):
            yield item.encode("iso-8859-1")
        else:
            yield bytes(item)


def wire_body(data: Any, chunked: bool) -> Any:
    """``Request.data`` as the transport sends it: bytes or an iterable of bytes."""
    if data is None:
        return None
    if isinstance(data, str):
        data = data.encode("iso-8859-1")
    if hasattr(data, "read"):
        return _iter_file(data)
    try:
        raw = memoryview(data).cast("B").tobytes()
    except TypeError:
        return _iter_items(data)
    return iter([raw]) if chunked else raw


#: Validated header pairs remembered (programs send the same few headers on every call;
#: the regex checks cost more than a lookup). Cleared when full, so it stays small.
HEADER_CACHE_SIZE: Final = 256
_HEADER_CACHE: dict[tuple[str, str | bytes], tuple[bytes, bytes]] = {}
#: ``(host[:port], default port)`` -> ``(host, port)`` for :func:`_host_port`, same rule.
_HOST_PORT_CACHE: dict[tuple[str, int], tuple[str, int]] = {}


def _header_bytes(name: str, value: Any) -> tuple[bytes, bytes]:
    """``(name, value)`` as wire bytes, refused if either would break the request."""
    cacheable = type(name) is str and (type(value) is str or type(value) is bytes)
    if cacheable:
        pair = _HEADER_CACHE.get((name, value))
        if pair is not None:
            return pair
    pair = _checked_header_bytes(name, value)
    if cacheable:
        if len(_HEADER_CACHE) >= HEADER_CACHE_SIZE:
            _HEADER_CACHE.clear()
        _HEADER_CACHE[name, value] = pair
    return pair


def _checked_header_bytes(name: str, value: Any) -> tuple[bytes, bytes]:
    bname = name.encode("ascii")
    if not _LEGAL_HEADER_NAME.fullmatch(bname):
        raise ValueError(f"Invalid header name {bname!r}")
    if isinstance(value, bytes):
        bvalue = value
    elif isinstance(value, int):
        bvalue = str(value).encode("ascii")
    else:
        bvalue = str(value).encode("latin-1")
    if _BAD_HEADER_VALUE.search(bvalue):
        raise ValueError(f"Invalid header value {bvalue!r}")
    return bname, bvalue


def _host_port(hostport: str, default_port: int) -> tuple[str, int]:
    """``host[:port]`` split, brackets removed, IDNA applied; InvalidURL/URLError if bad."""
    key = (hostport, default_port)
    found = _HOST_PORT_CACHE.get(key) if type(hostport) is str else None
    if found is None:
        found = _split_host_port(hostport, default_port)
        if type(hostport) is str:
            if len(_HOST_PORT_CACHE) >= HEADER_CACHE_SIZE:
                _HOST_PORT_CACHE.clear()
            _HOST_PORT_CACHE[key] = found
    return found


_URL_SPLIT_CACHE: dict[str, tuple[str | None, str | None, str]] = {}


def _split_full_url(url: str) -> tuple[str | None, str | None, str]:
    """``(scheme, host, selector)`` of a request's URL (no fragment), remembered."""
    found = _URL_SPLIT_CACHE.get(url)
    if found is None:
        scheme, rest = _splittype(url)
        host, selector = _splithost(rest)
        found = (scheme, host, selector)
        if type(url) is str:
            if len(_URL_SPLIT_CACHE) >= HEADER_CACHE_SIZE:
                _URL_SPLIT_CACHE.clear()
            _URL_SPLIT_CACHE[url] = found
    return found


def _split_host_port(hostport: str, default_port: int) -> tuple[str, int]:
    host, port = _splitport(hostport)
    if port is None or port == "":
        number = default_port
    else:
        if not port.isdigit():
            raise InvalidURL(f"nonnumeric port: '{port}'")
        number = int(port)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host.isascii():
        from tether.url._host import domain_to_ascii

        try:
            host = domain_to_ascii(host)
        except ValueError as exc:
            raise URLError(exc) from exc
    return host, number


def _raised_in_body(exc: BaseException) -> bool:
    """Did the transport raise ``exc`` while taking the body bytes that arrived with the
    head (it reads a small body eagerly)? Then it is a body error for http.client's
    classes (IncompleteRead), not a malformed head."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name in ("take_buffered_body", "read_body"):
            return True
        tb = tb.tb_next
    return False


class AbstractHTTPHandler(BaseHandler):
    """Shared HTTP logic; ``transport`` overrides the process-wide pooled transport."""

    def __init__(self, debuglevel: int | None = None, *, transport: Any = None) -> None:
        self._debuglevel = debuglevel if debuglevel is not None else 0
        self._transport = transport

    def set_http_debuglevel(self, level: int) -> None:
        self._debuglevel = level

    def _get_content_length(self, request: Any) -> int | None:
        return content_length(request.data, request.get_method())

    def do_request_(self, request: Any) -> Any:
        """Complete the request's headers (Host, body framing, the opener's defaults)."""
        host = request.host
        if not host:
            raise URLError("no host given")
        if request.data is not None:
            data = request.data
            if isinstance(data, str):
                raise TypeError("POST data should be bytes, an iterable of bytes, or a "
                                "file object. It cannot be of type str.")
            if not request.has_header("Content-type"):
                request.add_unredirected_header("Content-type",
                                                "application/x-www-form-urlencoded")
            if not request.has_header("Content-length") and \
                    not request.has_header("Transfer-encoding"):
                length = self._get_content_length(request)
                if length is not None:
                    request.add_unredirected_header("Content-length", str(length))
                else:
                    request.add_unredirected_header("Transfer-encoding", "chunked")
        sel_host = host
        if request.has_proxy():
            _, sel = _splittype(request.selector)
            sel_host, _ = _splithost(sel)
        if not request.has_header("Host"):
            request.add_unredirected_header("Host", sel_host)
        for name, value in self.parent.addheaders:
            name = name.capitalize()
            if not request.has_header(name):
                request.add_unredirected_header(name, value)
        return request

    def do_open(self, http_class: Any, req: Any, **http_conn_args: Any) -> Any:
        """Send ``req`` and return the response (see the module docstring)."""
        if http_class is TransportConnection:
            return self._open_with_transport(req, **http_conn_args)
        return self._open_with_class(http_class, req, **http_conn_args)

    # -- tether's transport ----------------------------------------------------------
    def _merged_headers(self, req: Any) -> dict[str, Any]:
        if not req.headers:  # urlopen(url): only what do_request_ added
            return {name.title(): value for name, value in req.unredirected_hdrs.items()}
        headers = dict(req.unredirected_hdrs)
        headers.update({k: v for k, v in req.headers.items() if k not in headers})
        return {name.title(): value for name, value in headers.items()}

    def _open_with_transport(self, req: Any, context: ssl.SSLContext | None = None,
                             check_hostname: bool | None = None) -> Any:
        if not req.host:
            raise URLError("no host given")
        url_scheme, url_host, url_selector = _split_full_url(req._full_url)
        scheme = (url_scheme or req.type).lower()
        tunnel_host = req._tunnel_host
        if tunnel_host:
            origin, proxy_at, target = tunnel_host, req.host, req.selector
        elif req.has_proxy():
            origin, proxy_at, target = unquote(url_host or ""), req.host, url_selector
        else:
            origin, proxy_at, target = req.host, None, req.selector
        target = target or "/"
        bad = _BAD_URL_CHAR.search(target)
        if bad:
            raise InvalidURL(f"URL can't contain control characters. {target!r} "
                             f"(found at least {bad.group()!r})")
        method = req.get_method()
        if _BAD_METHOD_CHAR.search(method):
            raise ValueError(f"method can't contain control characters. {method!r} "
                             f"(found at least {_BAD_METHOD_CHAR.search(method).group()!r})")  # type: ignore[union-attr]
        https = scheme == "https"
        host, port = _host_port(origin, 443 if https else 80)

        headers = self._merged_headers(req)
        proxy = getattr(req, "_tether_proxy", None)
        if proxy_at is not None:
            proxy_auth = headers.pop("Proxy-Authorization", None)
            proxy_scheme = getattr(req, "_tether_proxy_scheme", "http")
            if proxy_scheme not in ("http", "https"):
                proxy_scheme = "http"
            # urllib connects to a port-less proxy on the origin scheme's default port.
            phost, pport = _host_port(proxy_at, 443 if tunnel_host else 80)
            extra = () if proxy_auth is None else (_header_bytes("Proxy-Authorization",
                                                                 proxy_auth),)
            proxy = Proxy(proxy_scheme, phost, pport, headers=extra)
        wire: list[tuple[bytes, bytes]] = []
        host_value = headers.pop("Host", None)
        if host_value is None:
            host_value = origin
        wire.append(_header_bytes("Host", host_value))
        if "Accept-Encoding" not in headers:
            wire.append((b"Accept-Encoding", b"identity"))
        chunked = False
        for name, value in headers.items():
            pair = _header_bytes(name, value)
            if name == "Transfer-Encoding" and b"chunked" in pair[1].lower():
                chunked = True
            wire.append(pair)

        timeout = getattr(req, "timeout", _GLOBAL_DEFAULT_TIMEOUT)
        if timeout is _GLOBAL_DEFAULT_TIMEOUT and socket.getdefaulttimeout() is None:
            timeouts = DEFAULT_TIMEOUTS  # what timeouts_from_stdlib says, one call less
        else:
            timeouts = timeouts_from_stdlib(timeout)
        ssl_context = None
        if https:
            ssl_context = context if context is not None else create_ssl_context()
            if check_hostname is not None and ssl_context.check_hostname != check_hostname:
                ssl_context.check_hostname = check_hostname  # the caller's context, as urllib
        request = RawRequest(
            method=method.encode("ascii"), scheme=scheme, host=host, port=port,
            target=target.encode("ascii"), headers=wire,
            body=wire_body(req.data, chunked), timeouts=timeouts,
            deadline=current_deadline(), ssl_context=ssl_context, proxy=proxy,
        )
        if self._debuglevel > 0:
            print("send:", repr(b"%s %s" % (request.method, request.target)), wire)
        transport = self._transport
        if transport is None:
            transport = _shared or shared_transport()
        try:
            raw = transport.handle_request(request)
        except (errors.ReadTimeout, errors.ReadError, errors.PoolTimeout):
            raise  # http.client lets these through getresponse() unwrapped
        except errors.ConnectionClosed as exc:
            raise RemoteDisconnected("Remote end closed connection without response") \
                from exc
        except (errors.RemoteProtocolError, errors.LimitExceeded) as exc:
            better = translate_read_error(exc, body=_raised_in_body(exc))
            raise (better or BadResponse(str(exc))) from exc
        except errors.LocalProtocolError as exc:
            raise ValueError(str(exc)) from exc
        except OSError as exc:
            raise URLError(exc) from exc
        if self._debuglevel > 0:
            print("reply:", repr(f"{raw.http_version} {raw.status} {raw.reason}"))
        version = 10 if raw.http_version == "HTTP/1.0" else 11
        return OpenerResponse(RawSource(raw), None, req.get_full_url(), raw.status,
                              raw.reason, version, raw_headers=raw.headers)

    # -- a caller-supplied http.client-style connection class --------------------------
    def _open_with_class(self, http_class: Any, req: Any, **http_conn_args: Any) -> Any:
        host = req.host
        if not host:
            raise URLError("no host given")
        timeout = getattr(req, "timeout", _GLOBAL_DEFAULT_TIMEOUT)
        if timeout is _GLOBAL_DEFAULT_TIMEOUT and socket.getdefaulttimeout() is None:
            timeout = DEFAULT_READ_TIMEOUT  # issue 11: finite unless the caller says
        elif not (timeout is None or isinstance(timeout, (int, float))) and \
                timeout is not _GLOBAL_DEFAULT_TIMEOUT:
            timeout = timeouts_from_stdlib(timeout).read
        conn = http_class(host, timeout=timeout, **http_conn_args)
        conn.set_debuglevel(self._debuglevel)
        headers = dict(req.unredirected_hdrs)
        headers.update({k: v for k, v in req.headers.items() if k not in headers})
        # One request per connection here, as urllib does with these classes.
        headers["Connection"] = "close"
        headers = {name.title(): val for name, val in headers.items()}
        if req._tunnel_host:
            tunnel_headers = {}
            if "Proxy-Authorization" in headers:
                tunnel_headers["Proxy-Authorization"] = headers.pop("Proxy-Authorization")
            conn.set_tunnel(req._tunnel_host, headers=tunnel_headers)
        try:
            try:
                conn.request(req.get_method(), req.selector, req.data, headers,
                             encode_chunked=req.has_header("Transfer-encoding"))
            except OSError as err:
                raise URLError(err) from err
            response = conn.getresponse()
        except BaseException:
            conn.close()
            raise
        if conn.sock:
            conn.sock.close()
            conn.sock = None
        response.url = req.get_full_url()
        response.msg = response.reason
        return response


class HTTPHandler(AbstractHTTPHandler):
    """``http:`` through tether's transport."""

    def http_open(self, req: Any) -> Any:
        return self.do_open(TransportConnection, req)

    http_request = AbstractHTTPHandler.do_request_


class HTTPSHandler(AbstractHTTPHandler):
    """``https:`` through tether's transport; certificates are verified by default
    (tether's trust store, honouring ``SSL_CERT_FILE``/``SSL_CERT_DIR``)."""

    def __init__(self, debuglevel: int | None = None, context: ssl.SSLContext | None = None,
                 check_hostname: bool | None = None, *, transport: Any = None) -> None:
        super().__init__(debuglevel, transport=transport)
        if context is None and check_hostname is False:
            context = ssl.create_default_context()
            context.check_hostname = False
        self._context = context
        self._check_hostname = check_hostname

    def https_open(self, req: Any) -> Any:
        return self.do_open(TransportConnection, req, context=self._context,
                            check_hostname=self._check_hostname)

    https_request = AbstractHTTPHandler.do_request_


def _origin(url: str) -> tuple[str, str]:
    parts = urlparse(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower().rpartition("@")[2]
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return scheme, netloc


class HTTPRedirectHandler(BaseHandler):
    """Follows 301, 302, 303, 307 and 308 (at most ``max_redirections`` in a row, the
    same URL at most ``max_repeats`` times), only to http, https, ftp and ftps."""

    max_repeats = 4
    max_redirections = 10
    inf_msg = ("The HTTP server returned a redirect error that would lead to an infinite "
               "loop.\nThe last 30x error message was:\n")

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        """The request to make for a redirect to ``newurl``, or raise :class:`HTTPError`
        when it may not be followed without asking the user (a 307/308 of a POST)."""
        method = req.get_method()
        if not ((code in (301, 302, 303, 307, 308) and method in ("GET", "HEAD"))
                or (code in (301, 302, 303) and method == "POST")):
            raise HTTPError(req.full_url, code, msg, headers, fp)
        newurl = newurl.replace(" ", "%20")
        dropped = {"content-length", "content-type"}
        if _origin(newurl) != _origin(req.full_url):
            dropped |= CREDENTIAL_HEADERS  # never hand credentials to another origin
        newheaders = {k: v for k, v in req.headers.items() if k.lower() not in dropped}
        return Request(newurl, method="HEAD" if method == "HEAD" else "GET",
                       headers=newheaders, origin_req_host=req.origin_req_host,
                       unverifiable=True)

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        if "location" in headers:
            newurl = headers["location"]
        elif "uri" in headers:
            newurl = headers["uri"]
        else:
            return None
        parts = urlparse(newurl)
        if parts.scheme.lower() not in REDIRECT_SCHEMES:
            raise HTTPError(newurl, code,
                            f"{msg} - Redirection to url '{newurl}' is not allowed",
                            headers, fp)
        if not parts.path and parts.netloc:
            parts = parts._replace(path="/")
        newurl = urlunparse(parts)
        # Keep what is already percent-encoded; encode the rest as urllib does.
        newurl = quote(newurl, encoding="iso-8859-1", safe=string.punctuation)
        newurl = urljoin(req.full_url, newurl)
        if urlparse(newurl).scheme.lower() not in REDIRECT_SCHEMES:
            raise HTTPError(newurl, code,
                            f"{msg} - Redirection to url '{newurl}' is not allowed",
                            headers, fp)

        new = self.redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        if hasattr(req, "redirect_dict"):
            visited = new.redirect_dict = req.redirect_dict
            if visited.get(newurl, 0) >= self.max_repeats or \
                    len(visited) >= self.max_redirections:
                raise HTTPError(req.full_url, code, self.inf_msg + msg, headers, fp)
        else:
            visited = new.redirect_dict = req.redirect_dict = {}
        visited[newurl] = visited.get(newurl, 0) + 1

        # Discard the body: read a little so the connection can be reused, then close.
        try:
            fp.read(REDIRECT_DRAIN_LIMIT)
        except (OSError, http.client.HTTPException):
            pass
        fp.close()
        return self.parent.open(new, timeout=req.timeout)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class HTTPCookieProcessor(BaseHandler):
    """Adds cookies from ``cookiejar`` to requests and stores the ones responses set."""

    def __init__(self, cookiejar: Any = None) -> None:
        import http.cookiejar

        self.cookiejar = http.cookiejar.CookieJar() if cookiejar is None else cookiejar

    def http_request(self, request: Any) -> Any:
        self.cookiejar.add_cookie_header(request)
        return request

    def http_response(self, request: Any, response: Any) -> Any:
        self.cookiejar.extract_cookies(response, request)
        return response

    https_request = http_request
    https_response = http_response
