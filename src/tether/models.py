"""The objects of the requests API: :class:`Request`, :class:`PreparedRequest`,
:class:`Response`.

They have requests' attributes, methods and results (see :mod:`tether.http._prepare`
for how a request is prepared byte for byte as requests does). :class:`Response` adds
the async twins for streamed bodies: ``await r.aread()``, ``r.aiter_content()``,
``r.aiter_lines()``, ``await r.aclose()``.

A body read into memory (``.content``, ``.text``, ``.json()``, ``await r.aread()``) is
guarded against decompression bombs (issue 11): see :mod:`tether.http._content`.
"""

from __future__ import annotations

import datetime
import json as _json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from http.cookiejar import CookieJar
from typing import Any, Final
from urllib.parse import urlencode as urlencode
from urllib.parse import urlsplit

from tether.auth import HTTPBasicAuth
from tether.cookies import (
    RequestsCookieJar,
    _copy_cookie_jar,
    cookiejar_from_dict,
    get_cookie_header,
)
from tether.exceptions import (
    HTTPError,
    InvalidJSONError,
    JSONDecodeError,
    StreamConsumedError,
)
from tether.hooks import default_hooks
from tether.http import _prepare
from tether.http._content import BombGuard, LineSplitter, TextDecoder, iter_slices
from tether.http._headerutil import (
    carries_credentials,
    case_insensitive_from_store,
    guess_json_utf,
    header_pairs,
    parse_header_links,
)
from tether.status_codes import codes
from tether.structures import CaseInsensitiveDict

__all__ = ["ITER_CHUNK_SIZE", "PreparedRequest", "Request", "Response"]

REDIRECT_STATI = (codes.moved, codes.found, codes.other, codes.temporary_redirect,
                  codes.permanent_redirect)
DEFAULT_REDIRECT_LIMIT = 30
CONTENT_CHUNK_SIZE = 10 * 1024
ITER_CHUNK_SIZE = 512
#: Chunk size for reading a whole body into memory (bigger than requests' 10 KiB: same
#: result, fewer calls).
_MEMORY_CHUNK = 256 * 1024
#: The guard of a Response made outside a session (a guard holds no state of a call, so
#: one default instance serves them all).
_DEFAULT_GUARD: Final = BombGuard()
_NO_TIME: Final = datetime.timedelta(0)
#: Jar classes whose ``add_cookie_header`` is the stdlib's: empty, they add nothing.
_PLAIN_JARS = (RequestsCookieJar, CookieJar)


class RequestHooksMixin:
    hooks: dict[str, list[Callable[..., Any]]]

    def register_hook(self, event: str, hook: Any) -> None:
        """Add ``hook`` (a callable or an iterable of callables) for ``event``."""
        if event not in self.hooks:
            raise ValueError(f'Unsupported event specified, with event name "{event}"')
        if callable(hook):
            self.hooks[event].append(hook)
        elif hasattr(hook, "__iter__"):
            self.hooks[event].extend(h for h in hook if callable(h))

    def deregister_hook(self, event: str, hook: Any) -> bool:
        """Remove ``hook``; ``True`` if it was registered."""
        try:
            self.hooks[event].remove(hook)
            return True
        except ValueError:
            return False


class Request(RequestHooksMixin):
    """A user-created request, to be turned into a :class:`PreparedRequest`."""

    def __init__(self, method: str | None = None, url: Any = None,
                 headers: Any = None, files: Any = None, data: Any = None,
                 params: Any = None, auth: Any = None, cookies: Any = None,
                 hooks: Mapping[str, Any] | None = None, json: Any = None) -> None:
        self.hooks = default_hooks()
        for event, hook in list((hooks or {}).items()):
            self.register_hook(event=event, hook=hook)
        self.method = method
        self.url = url
        self.headers = {} if headers is None else headers
        self.files = [] if files is None else files
        self.data = [] if data is None else data
        self.json = json
        self.params = {} if params is None else params
        self.auth = auth
        self.cookies = cookies

    def __repr__(self) -> str:
        return f"<Request [{self.method}]>"

    def prepare(self) -> PreparedRequest:
        p = PreparedRequest()
        p.prepare(method=self.method, url=self.url, headers=self.headers, files=self.files,
                  data=self.data, json=self.json, params=self.params, auth=self.auth,
                  cookies=self.cookies, hooks=self.hooks)
        return p


class PreparedRequest(RequestHooksMixin):
    """The exact request that will be sent: method, URL, headers and body."""

    #: The cookie jar, ``None`` before ``prepare_cookies``, ``False`` for an empty
    #: ``RequestsCookieJar`` not made yet (see :attr:`_cookies`).
    _cookie_jar: Any

    def __init__(self) -> None:
        self.method: str | None = None
        self.url: str | None = None
        self.headers: CaseInsensitiveDict[Any] | Any = None
        self._cookies = None
        self.body: Any = None
        self.hooks = default_hooks()
        self._body_position: Any = None

    def prepare(self, method: str | None = None, url: Any = None, headers: Any = None,
                files: Any = None, data: Any = None, params: Any = None, auth: Any = None,
                cookies: Any = None, hooks: Any = None, json: Any = None) -> None:
        self.prepare_method(method)
        self.prepare_url(url, params)
        self.prepare_headers(headers)
        self.prepare_cookies(cookies)
        self.prepare_body(data, files, json)
        self.prepare_auth(auth, url)
        self.prepare_hooks(hooks)

    def __repr__(self) -> str:
        return f"<PreparedRequest [{self.method}]>"

    @property
    def _cookies(self) -> CookieJar | None:
        """The request's cookie jar (``None`` before ``prepare_cookies``). An empty one
        is made on first use: most requests never look at theirs."""
        jar = self._cookie_jar
        if jar is False:
            jar = self._cookie_jar = RequestsCookieJar()
        return jar  # type: ignore[no-any-return]

    @_cookies.setter
    def _cookies(self, jar: CookieJar | None) -> None:
        self._cookie_jar = jar

    def copy(self) -> PreparedRequest:
        p = PreparedRequest()
        p.method = self.method
        p.url = self.url
        p.headers = self.headers.copy() if self.headers is not None else None
        jar = self._cookie_jar
        p._cookie_jar = False if jar is False else _copy_cookie_jar(jar)
        p.body = self.body
        p.hooks = self.hooks
        p._body_position = self._body_position
        if "_auth_flow_owner" in self.__dict__:
            p._auth_flow_owner = self._auth_flow_owner
        return p

    def prepare_method(self, method: str | bytes | None) -> None:
        self.method = method  # type: ignore[assignment]
        if method is not None:
            self.method = _prepare.to_native_string(method.upper())

    def prepare_url(self, url: Any, params: Any) -> None:
        self.url = _prepare.prepare_url(url, params)

    def prepare_headers(self, headers: Any) -> None:
        key: tuple[Any, ...] | None = None
        if type(headers) is CaseInsensitiveDict and not carries_credentials(headers._store):
            # Most requests send the session's same headers: validated once per set.
            key = tuple(headers._store.values())
            try:
                known = _PREPARED_HEADERS.get(key)
            except TypeError:  # an unhashable value: no cache
                known = key = None
            if known is not None:
                self.headers = case_insensitive_from_store(known.copy())
                return
        store: dict[str, tuple[str, Any]] = {}
        plain = True
        if headers:
            check = _prepare.check_header_validity
            for header in header_pairs(headers):
                check(header)
                name, value = header
                if type(name) is not str:
                    name = _prepare.to_native_string(name)
                plain = plain and type(value) is str and type(header[0]) is str
                store[name.lower()] = (name, value)
        if key is not None and plain:
            if len(_PREPARED_HEADERS) >= _PREPARED_HEADERS_MAX:
                _PREPARED_HEADERS.clear()
            _PREPARED_HEADERS[key] = store.copy()
        self.headers = case_insensitive_from_store(store)

    def prepare_body(self, data: Any, files: Any, json: Any = None) -> None:
        body: Any = None
        content_type: str | None = None
        if not data and json is not None:
            content_type = "application/json"
            try:
                body = _prepare.json_body(json)
            except ValueError as exc:
                raise InvalidJSONError(exc, request=self) from exc
        if _prepare.is_stream_body(data) or hasattr(data, "__aiter__"):
            try:
                length: int | None = _prepare.super_len(data)
            except (TypeError, AttributeError, OSError):
                length = None
            body = data
            if getattr(body, "tell", None) is not None:
                try:
                    self._body_position = body.tell()
                except OSError:
                    self._body_position = object()
            if files:
                raise NotImplementedError("Streamed bodies and files are mutually exclusive.")
            if length:
                self.headers["Content-Length"] = str(length)
            else:
                self.headers["Transfer-Encoding"] = "chunked"
        else:
            if files:
                body, content_type = _prepare.encode_files(files, data)
                if type(body) is not bytes:
                    # A streamed multipart body (large files): rewound to here for a
                    # 307/308 redirect or an auth retry (utils.rewind_body).
                    self._body_position = body.tell()
            elif data:
                body = _prepare.encode_params(data)
                if isinstance(data, (str, bytes)) or hasattr(data, "read"):
                    content_type = None
                else:
                    content_type = "application/x-www-form-urlencoded"
            self.prepare_content_length(body)
            if content_type and "content-type" not in self.headers:
                self.headers["Content-Type"] = content_type
        self.body = body

    def prepare_content_length(self, body: Any) -> None:
        if body is not None:
            length = _prepare.super_len(body)
            if length:
                self.headers["Content-Length"] = str(length)
        elif self.method not in ("GET", "HEAD") and self.headers.get("Content-Length") is None:
            self.headers["Content-Length"] = "0"

    def prepare_auth(self, auth: Any, url: str = "") -> None:
        if auth is None and "@" in (self.url or ""):  # no "@": no userinfo to use
            from tether.utils import get_auth_from_url

            url_auth = get_auth_from_url(self.url or "")
            auth = url_auth if any(url_auth) else None
        if auth:
            if isinstance(auth, tuple) and len(auth) == 2:
                auth = HTTPBasicAuth(*auth)
            r = auth(self)
            self.__dict__.update(r.__dict__)
            if hasattr(auth, "auth_flow"):
                self._auth_flow_owner = auth
            self.prepare_content_length(self.body)

    def prepare_cookies(self, cookies: Any) -> None:
        if cookies is None or (type(cookies) is dict and not cookies):
            self._cookie_jar = False  # an empty RequestsCookieJar, made when asked for
            return
        if isinstance(cookies, CookieJar):
            self._cookies = cookies
        else:
            self._cookies = cookiejar_from_dict(cookies)
        jar: Any = self._cookies
        if type(jar) in _PLAIN_JARS and not jar._cookies:
            return  # an empty jar of a known class adds no header
        header = get_cookie_header(self._cookies, self)
        if header is not None:
            self.headers["Cookie"] = header

    def prepare_hooks(self, hooks: Any) -> None:
        for event in hooks or []:
            self.register_hook(event, hooks[event])

    @property
    def path_url(self) -> str:
        """The request target: path (``/`` if empty) and query."""
        url = self.url or ""
        target = _PATH_URLS.get(url)
        if target is None:
            parts = urlsplit(url)
            target = parts.path or "/"
            if parts.query:
                target += "?" + parts.query
            if len(_PATH_URLS) >= 256:
                _PATH_URLS.clear()
            _PATH_URLS[url] = target
        return target


#: Header stores of recent header sets (keyed by a CaseInsensitiveDict's (spelling,
#: value) pairs; only all-str sets, so a stored pair can not change).
_PREPARED_HEADERS: dict[tuple[Any, ...], dict[str, tuple[str, Any]]] = {}
_PREPARED_HEADERS_MAX: Final = 64

#: ``path_url`` of recent URLs (split once, not for every request).
_PATH_URLS: dict[str, str] = {}


class Response:
    """The server's response to a request."""

    __attrs__ = ["_content", "status_code", "headers", "url", "history", "encoding",
                 "reason", "cookies", "elapsed", "request"]

    def __init__(self) -> None:
        self._content: Any = False
        self._content_consumed = False
        self._next: PreparedRequest | None = None
        self.status_code: int = None  # type: ignore[assignment]
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        self.raw: Any = None
        self.url: str = None  # type: ignore[assignment]
        self.encoding: str | None = None
        self.history: list[Response] = []
        self.reason: str = None  # type: ignore[assignment]
        self._cookie_jar: Any = None  # made on first use of .cookies
        # ``elapsed``: a timedelta, or seconds (float) until first read.
        self._elapsed: datetime.timedelta | float = _NO_TIME
        self.request: PreparedRequest = None  # type: ignore[assignment]
        self.connection: Any = None
        self._bomb_guard = _DEFAULT_GUARD

    @classmethod
    def _with_headers(cls, headers: CaseInsensitiveDict[str]) -> Response:
        """A new response with ``headers``, as ``Response()`` then ``r.headers =
        headers`` would give, without building the empty headers first (adapters make
        one per request)."""
        response = cls.__new__(cls)
        response.__dict__.update(_FRESH_RESPONSE)
        response.headers = headers
        response.history = []
        return response

    def __enter__(self) -> Response:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.aclose()

    def __getstate__(self) -> dict[str, Any]:
        if not self._content_consumed:
            _ = self.content
        return {attr: getattr(self, attr, None) for attr in self.__attrs__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._cookie_jar = None
        for name, value in state.items():
            setattr(self, name, value)
        self._content_consumed = True
        self.raw = None
        self.connection = None
        self._next = None
        self._bomb_guard = _DEFAULT_GUARD

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}]>"

    @property
    def cookies(self) -> Any:
        """The cookies the server set with this response (a ``RequestsCookieJar``)."""
        jar = self._cookie_jar
        if jar is None:
            jar = self._cookie_jar = cookiejar_from_dict({})
        return jar

    @cookies.setter
    def cookies(self, jar: Any) -> None:
        self._cookie_jar = jar

    def __bool__(self) -> bool:
        return self.ok

    def __iter__(self) -> Iterator[bytes]:
        return self.iter_content(128)

    @property
    def ok(self) -> bool:
        try:
            self.raise_for_status()
        except HTTPError:
            return False
        return True

    @property
    def is_redirect(self) -> bool:
        return self.status_code in REDIRECT_STATI and "location" in self.headers

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from sending the request to the response head (as in requests)."""
        value = self._elapsed
        if isinstance(value, float):  # seconds, as the exchange records them
            value = datetime.timedelta(seconds=value)
            self._elapsed = value
        return value

    @elapsed.setter
    def elapsed(self, value: datetime.timedelta | float) -> None:
        self._elapsed = value

    @property
    def is_permanent_redirect(self) -> bool:
        return "location" in self.headers and self.status_code in (
            codes.moved_permanently, codes.permanent_redirect)

    @property
    def next(self) -> PreparedRequest | None:
        """The redirect request that would follow, when redirects were not followed."""
        return self._next

    @property
    def apparent_encoding(self) -> str | None:
        """The encoding guessed from the body by ``charset-normalizer``."""
        import charset_normalizer

        guess: str | None = charset_normalizer.detect(self.content)["encoding"]
        return guess

    # -- body: sync ------------------------------------------------------------------
    def _check_iter(self, chunk_size: Any) -> None:
        if self._content_consumed and isinstance(self._content, bool):
            raise StreamConsumedError()
        if chunk_size is not None and not isinstance(chunk_size, int):
            raise TypeError(f"chunk_size must be an int, it is instead a {type(chunk_size)}.")

    def iter_content(self, chunk_size: int | None = 1,
                     decode_unicode: bool = False) -> Iterator[Any]:
        """The body in chunks of ``chunk_size`` decoded bytes (or text, with
        ``decode_unicode`` and a known ``encoding``)."""

        def generate() -> Iterator[bytes]:
            if hasattr(self.raw, "stream"):
                yield from self.raw.stream(chunk_size, decode_content=True)
            else:
                while chunk := self.raw.read(chunk_size):
                    yield chunk
            self._content_consumed = True

        self._check_iter(chunk_size)
        chunks: Iterator[Any] = (iter_slices(self._content, chunk_size)
                                 if self._content_consumed else generate())
        if decode_unicode:
            chunks = self._decode_text(chunks)
        return chunks

    def _decode_text(self, chunks: Iterator[bytes]) -> Iterator[Any]:
        decoder = TextDecoder(self.encoding)
        for chunk in chunks:
            text = decoder.decode(chunk)
            if text:
                yield text
        if not decoder.passthrough:
            rest = decoder.decode(b"", final=True)
            if rest:
                yield rest

    def iter_lines(self, chunk_size: int = ITER_CHUNK_SIZE, decode_unicode: bool = False,
                   delimiter: Any = None) -> Iterator[Any]:
        """The body line by line (not reentrant safe, like requests')."""
        splitter = LineSplitter(delimiter)
        for chunk in self.iter_content(chunk_size=chunk_size, decode_unicode=decode_unicode):
            yield from splitter.feed(chunk)
        yield from splitter.flush()

    @property
    def content(self) -> bytes:
        """The whole body, decoded (``Content-Encoding``), read into memory once."""
        if self._content is False:
            if self._content_consumed:
                raise RuntimeError("The content for this response was already consumed")
            if self.status_code == 0 or self.raw is None:
                self._content = None
            else:
                self._content = self._in_memory()
                if self._content is None:
                    self._content = self._collect(self.iter_content(_MEMORY_CHUNK))
        self._content_consumed = True
        return self._content  # type: ignore[no-any-return]

    def _settle_in_memory(self) -> bool:
        """Take the body now if it arrived with the head (no I/O): ``True`` if
        ``content`` is settled, ``False`` if the body still has to be read."""
        if self._content is not False or self._content_consumed or self.raw is None \
                or self.status_code == 0:
            return False
        data = self._in_memory()
        if data is None:
            return False
        self._content = data
        self._content_consumed = True
        return True

    def _in_memory(self) -> bytes | None:
        """The body at once when it arrived with the head undecoded (small responses);
        ``None``: read it chunk by chunk."""
        take = getattr(self.raw, "_take_in_memory", None)
        data: bytes | None = take() if take is not None else None
        if data is not None:
            self._bomb_guard.check(len(data), len(data), self.request)
        return data

    def _collect(self, chunks: Iterator[bytes]) -> bytes:
        parts: list[bytes] = []
        size = 0
        for chunk in chunks:
            parts.append(chunk)
            size += len(chunk)
            self._bomb_guard.check(size, getattr(self.raw, "_fp_bytes_read", size),
                                   self.request)
        return b"".join(parts)

    @property
    def text(self) -> str:
        """The body as text: ``encoding`` if set, else the guessed encoding."""
        content = self.content
        if not content:
            return ""
        encoding = self.encoding
        if encoding is None:
            encoding = self.apparent_encoding
        try:
            return str(content, encoding or "utf-8", errors="replace")
        except (LookupError, TypeError):
            return str(content, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """The body parsed as JSON; raises :class:`~tether.exceptions.JSONDecodeError`
        (also ``json.JSONDecodeError``)."""
        content = self.content
        if not self.encoding and content and len(content) > 3:
            encoding = guess_json_utf(content)
            if encoding is not None:
                try:
                    return _json.loads(content.decode(encoding), **kwargs)
                except UnicodeDecodeError:
                    pass
                except _json.JSONDecodeError as exc:
                    raise JSONDecodeError(exc.msg, exc.doc, exc.pos) from exc
        try:
            return _json.loads(self.text, **kwargs)
        except _json.JSONDecodeError as exc:
            raise JSONDecodeError(exc.msg, exc.doc, exc.pos) from exc

    @property
    def links(self) -> dict[str, dict[str, str]]:
        """The parsed ``Link`` header, keyed by ``rel`` (or URL)."""
        header = self.headers.get("link")
        result: dict[str, dict[str, str]] = {}
        if header:
            for link in parse_header_links(header):
                key = link.get("rel") or link.get("url")
                if key is not None:
                    result[key] = link
        return result

    def raise_for_status(self) -> None:
        """Raise :class:`~tether.exceptions.HTTPError` for a 4xx or 5xx status."""
        reason: Any = self.reason
        if isinstance(reason, bytes):
            try:
                reason = reason.decode("utf-8")
            except UnicodeDecodeError:
                reason = reason.decode("iso-8859-1")
        message = ""
        if 400 <= self.status_code < 500:
            message = f"{self.status_code} Client Error: {reason} for url: {self.url}"
        elif 500 <= self.status_code < 600:
            message = f"{self.status_code} Server Error: {reason} for url: {self.url}"
        if message:
            raise HTTPError(message, response=self)

    def close(self) -> None:
        """Release the connection (closing it if the body was not read to its end)."""
        if not self._content_consumed and self.raw is not None:
            self.raw.close()
        release = getattr(self.raw, "release_conn", None)
        if release is not None:
            release()

    # -- body: async -----------------------------------------------------------------
    async def aread(self) -> bytes:
        """Read the whole body into memory (async); afterwards ``content``, ``text`` and
        ``json()`` work."""
        if self._content is False:
            if self._content_consumed:
                raise RuntimeError("The content for this response was already consumed")
            if self.status_code == 0 or self.raw is None:
                self._content = None
            elif (data := self._in_memory()) is not None:
                self._content = data
            else:
                parts: list[bytes] = []
                size = 0
                async for chunk in self.aiter_content(_MEMORY_CHUNK):
                    parts.append(chunk)
                    size += len(chunk)
                    self._bomb_guard.check(size, self.raw._fp_bytes_read, self.request)
                self._content = b"".join(parts)
        self._content_consumed = True
        return self._content  # type: ignore[no-any-return]

    async def aiter_content(self, chunk_size: int | None = 1,
                            decode_unicode: bool = False) -> AsyncIterator[Any]:
        """Async :meth:`iter_content`."""
        self._check_iter(chunk_size)
        decoder = TextDecoder(self.encoding if decode_unicode else None)
        if self._content_consumed:
            for piece in iter_slices(self._content, chunk_size):
                text = decoder.decode(piece)
                if text:
                    yield text
        else:
            async for chunk in self.raw.astream(chunk_size, decode_content=True):
                text = decoder.decode(chunk)
                if text:
                    yield text
            self._content_consumed = True
        if not decoder.passthrough:
            rest = decoder.decode(b"", final=True)
            if rest:
                yield rest

    async def aiter_lines(self, chunk_size: int = ITER_CHUNK_SIZE, decode_unicode: bool = False,
                          delimiter: Any = None) -> AsyncIterator[Any]:
        """Async :meth:`iter_lines`."""
        splitter = LineSplitter(delimiter)
        async for chunk in self.aiter_content(chunk_size, decode_unicode):
            for line in splitter.feed(chunk):
                yield line
        for line in splitter.flush():
            yield line

    async def aclose(self) -> None:
        """Release the connection (async)."""
        if self.raw is not None and hasattr(self.raw, "aclose"):
            await self.raw.aclose()


#: The immutable starting attributes of a new :class:`Response` (for
#: :meth:`Response._with_headers`; ``headers`` and ``history`` are made per response).
_FRESH_RESPONSE: Final = {k: v for k, v in Response().__dict__.items()
                          if k not in ("headers", "history")}
