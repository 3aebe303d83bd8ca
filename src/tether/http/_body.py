"""``Response.raw``: the file-like body of a response, in the shape of urllib3's
``HTTPResponse`` that programs reach into.

Theory of operation
-------------------
:class:`RawBody` wraps the transport's :class:`~tether.http._types.RawResponse` (body
de-chunked, not content-decoded). Reading is written once, as the exchange
:meth:`RawBody._read`, which yields :class:`ReadWire` ops; the sync methods run it with
:func:`tether._drive.run_sync` and the async ones with :func:`tether._drive.run_async`.

- ``read(amt, decode_content=False)``: like urllib3 with requests' settings, the default
  is the bytes as sent (``decode_content=False``); ``stream(n, decode_content=True)`` is
  what ``iter_content`` uses. With decoding, at most ``amt`` decoded bytes are produced
  per read (see :mod:`tether.http._decoders`).
- ``tell()`` / ``_fp_bytes_read``: bytes received on the wire so far (the bomb guard
  compares decoded size against it).
- ``_original_response``: a small stand-in for ``http.client.HTTPResponse`` with
  ``msg`` (an :class:`http.client.HTTPMessage`), ``version``, ``status``, ``reason``,
  ``getheader(s)``, which cookie handling and many programs read.
- Errors while reading become requests' exceptions at :func:`tether.http._errors.translate`
  (``ChunkedEncodingError``, ``BodyReadTimeout``, ``ContentDecodingError``).
"""

from __future__ import annotations

import dataclasses
import email.parser
import http.client
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

from tether._drive import Exchange, Op, run_async, run_sync
from tether.http._decoders import Decoder, make_decoder
from tether.http._errors import translate
from tether.http._types import RawResponse
from tether.structures import CaseInsensitiveDict

__all__ = ["WIRE_CHUNK", "OriginalResponse", "RawBody", "ReadWire", "headers_from_pairs"]

#: How much is asked of the transport per wire read when decoding or reading to the end.
WIRE_CHUNK: Final = 65536
#: Reads of at least this size ask the transport for no more than they miss.
FILL_MIN: Final = 16384


@dataclasses.dataclass(frozen=True, slots=True)
class ReadWire(Op):
    """Read up to ``max_bytes`` of (de-chunked) body from the transport response
    (``fill``: no more than that from the network, see ``RawResponse.read_some``)."""

    max_bytes: int
    fill: bool = False

    def run_sync(self, transport: RawResponse) -> bytes:
        return transport.read_some(self.max_bytes, self.fill)

    async def run_async(self, transport: RawResponse) -> bytes:
        return await transport.aread_some(self.max_bytes, self.fill)


class RawHeaders(CaseInsensitiveDict[str]):
    """Response headers: repeated fields joined with ``", "`` (as urllib3 does), every
    original field still available through :meth:`getlist`."""

    __slots__ = ("_fields",)

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        # Fills CaseInsensitiveDict's store directly: this runs for every response.
        store: dict[str, tuple[str, str]] = {}
        for name, value in fields:
            key = name.lower()
            earlier = store.get(key)
            store[key] = (name, value) if earlier is None else (name, earlier[1] + ", " + value)
        self._store = store
        self._fields = fields

    def getlist(self, name: str) -> list[str]:
        lower = name.lower()
        return [v for n, v in self._fields if n.lower() == lower]

    get_all = getlist

    def copy(self) -> RawHeaders:
        new = RawHeaders.__new__(RawHeaders)
        new._store = self._store.copy()
        new._fields = self._fields  # never changed in place: shared
        return new


def headers_from_pairs(pairs: list[tuple[bytes, bytes]]) -> RawHeaders:
    """Response headers from the engine's (name, value) byte pairs, decoded as Latin-1."""
    try:
        fields = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in pairs]
    except AttributeError:  # a transport of the caller's own gave str (or other) pairs
        fields = [(_latin1(n), _latin1(v)) for n, v in pairs]
    # The store in one comprehension when no name repeats (the usual case: measured
    # twice as fast as the merging loop of RawHeaders.__init__).
    store = {name.lower(): (name, value) for name, value in fields}
    if len(store) != len(fields):
        return RawHeaders(fields)
    headers = RawHeaders.__new__(RawHeaders)
    headers._store = store
    headers._fields = fields
    return headers


def _latin1(data: Any) -> str:
    return data if type(data) is str else bytes(data).decode("latin-1")


class OriginalResponse:
    """What programs read through ``r.raw._original_response`` (http.client's shape)."""

    def __init__(self, body: RawBody) -> None:
        self._body = body
        text = "".join(f"{n}: {v}\r\n" for n, v in body.headers._fields) + "\r\n"
        self.msg: http.client.HTTPMessage = email.parser.Parser(
            _class=http.client.HTTPMessage).parsestr(text)
        self.headers = self.msg
        self.status = body.status
        self.code = body.status
        self.reason = body.reason
        self.version = body.version

    def getheader(self, name: str, default: Any = None) -> Any:
        values = self.msg.get_all(name)
        return ", ".join(values) if values else default

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self.msg.items())

    def isclosed(self) -> bool:
        return self._body.closed

    def close(self) -> None:
        self._body.close()


class RawBody(io.IOBase):
    """File-like body (see the module docstring). Sync methods need a sync transport's
    response; ``a``-prefixed methods an async one's."""

    # Immutable starting values live on the class (one response is built per request).
    decode_content = False
    _fp_bytes_read = 0
    _eof = False
    _decoder: Decoder | None = None
    _decoder_made = False
    _original: OriginalResponse | None = None

    def __init__(self, raw: RawResponse, *, request: Any = None, method: str = "GET",
                 via_proxy: bool = False) -> None:
        self._raw = raw
        self._request = request
        self._method = method
        self._via_proxy = via_proxy
        self.headers = headers_from_pairs(raw.headers)
        self.status = raw.status
        self.reason = raw.reason
        self.version = 10 if raw.http_version == "HTTP/1.0" else 11
        self.version_string = raw.http_version
        coding = self.headers._store.get("content-encoding")
        self._coding = "" if method == "HEAD" or coding is None else coding[1]
        self.extensions = raw.extensions

    def replay(self, data: bytes) -> RawBody:
        """A body with the same head whose content is ``data`` (already received)."""
        raw = RawResponse(self.status, self._raw.headers, reason=self.reason,
                          http_version=self.version_string, stream=data,
                          extensions=self.extensions)
        return RawBody(raw, request=self._request, method=self._method,
                       via_proxy=self._via_proxy)

    # -- what programs reach for ---------------------------------------------------------
    @property
    def _original_response(self) -> OriginalResponse:
        if self._original is None:
            self._original = OriginalResponse(self)
        return self._original

    def _may_set_cookies(self) -> bool:
        store = self.headers._store
        return "set-cookie" in store or "set-cookie2" in store

    @property
    def _fp(self) -> RawResponse:
        return self._raw

    @property
    def data(self) -> bytes:
        return self.read(decode_content=True)

    def tell(self) -> int:
        return self._fp_bytes_read

    def readable(self) -> bool:
        return True

    @property
    def closed(self) -> bool:
        return self._raw.is_closed

    def isclosed(self) -> bool:
        return self.closed

    def getheaders(self) -> RawHeaders:
        return self.headers

    def getheader(self, name: str, default: Any = None) -> Any:
        return self.headers.get(name, default)

    def info(self) -> RawHeaders:
        return self.headers

    def geturl(self) -> str | None:
        return getattr(self._request, "url", None)

    @property
    def url(self) -> str | None:
        return self.geturl()

    # -- the exchange ----------------------------------------------------------------
    def _take_in_memory(self, decode: bool = True) -> bytes | None:
        """The rest of the body at once if it already arrived with the head and needs
        no decoding (the common small response); ``None`` otherwise: read it."""
        if self._eof or (decode and self._coding):
            return None
        data = self._raw.read_buffered()
        if data is None:
            return None
        self._eof = True
        self._fp_bytes_read += len(data)
        return data

    def _get_decoder(self) -> Decoder | None:
        if not self._decoder_made:
            self._decoder_made = True
            self._decoder = make_decoder(self._coding)
        return self._decoder

    def _read(self, amt: int | None, decode: bool) -> Exchange[bytes]:
        """Up to ``amt`` bytes (all with ``None``); ``b""`` only at the end."""
        decoder = self._get_decoder() if decode else None
        # Filling a large buffer: read only what is missing, so pieces need no split.
        fill = amt is not None and amt >= FILL_MIN
        parts: list[bytes] = []
        size = 0
        while amt is None or size < amt:
            want = WIRE_CHUNK if amt is None else amt - size
            if decoder is not None:
                piece = decoder.read(want)
                if piece:
                    parts.append(piece)
                    size += len(piece)
                    continue
                if self._eof:
                    decoder.finish()
                    break
            elif self._eof:
                break
            wire = yield (ReadWire(WIRE_CHUNK) if decoder is not None
                          else ReadWire(want, fill))
            if not wire:
                self._eof = True
                continue
            self._fp_bytes_read += len(wire)
            if decoder is not None:
                decoder.feed(wire)
            else:
                parts.append(wire)
                size += len(wire)
        # One piece (the common case for large reads) is returned without a copy.
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def __del__(self) -> None:
        # IOBase would close() here; releasing the connection is the transport's job,
        # and an async response cannot be closed from a finaliser.
        pass

    def _fail(self, error: Exception) -> BaseException:
        return translate(error, self._request, "body", self._via_proxy)

    # -- sync ------------------------------------------------------------------------
    def read(self, amt: int | None = None, decode_content: bool | None = None,
             cache_content: bool = False) -> bytes:
        """Up to ``amt`` bytes (everything with ``None``); decoded if asked."""
        decode = self.decode_content if decode_content is None else decode_content
        try:
            return run_sync(self._read(amt, decode), self._raw)
        except Exception as error:
            new = self._fail(error)
            if new is error:
                raise
            raise new from error

    def read1(self, amt: int = -1) -> bytes:
        return self.read(None if amt < 0 else amt)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def stream(self, amt: int | None = 2**16,
               decode_content: bool | None = None) -> Iterator[bytes]:
        """Chunks of ``amt`` bytes (the last may be shorter) until the end."""
        while True:
            data = self.read(amt or WIRE_CHUNK, decode_content=decode_content)
            if not data:
                return
            yield data

    def __iter__(self) -> Iterator[bytes]:
        buffer = b""
        for chunk in self.stream(decode_content=True):
            lines = (buffer + chunk).split(b"\n")
            buffer = lines.pop()
            for line in lines:
                yield line + b"\n"
        if buffer:
            yield buffer

    def drain_conn(self, limit: int | None = None) -> bytes:
        """Read and return the rest undecoded (at most ``limit`` bytes; past that the
        connection is closed instead of reused)."""
        try:
            if limit is None:
                return self.read(decode_content=False)
            data = self.read(limit + 1, decode_content=False)
        except Exception:
            self.close()
            raise
        if len(data) > limit:
            self.close()
            return data[:limit]
        return data

    def release_conn(self) -> None:
        self._raw.close()

    def close(self) -> None:
        self._raw.close()
        super().close()

    # -- async -----------------------------------------------------------------------
    async def aread(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        decode = self.decode_content if decode_content is None else decode_content
        try:
            return await run_async(self._read(amt, decode), self._raw)
        except Exception as error:
            new = self._fail(error)
            if new is error:
                raise
            raise new from error

    async def astream(self, amt: int | None = 2**16,
                      decode_content: bool | None = None) -> AsyncIterator[bytes]:
        while True:
            data = await self.aread(amt or WIRE_CHUNK, decode_content=decode_content)
            if not data:
                return
            yield data

    async def adrain_conn(self, limit: int | None = None) -> bytes:
        try:
            if limit is None:
                return await self.aread(decode_content=False)
            data = await self.aread(limit + 1, decode_content=False)
        except Exception:
            await self.aclose()
            raise
        if len(data) > limit:
            await self.aclose()
            return data[:limit]
        return data

    async def aclose(self) -> None:
        await self._raw.aclose()
        super().close()
