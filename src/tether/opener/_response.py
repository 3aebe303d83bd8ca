"""What ``urlopen`` returns: a binary file over the body plus the response's metadata.

One class serves every scheme. For ``http``/``https`` it wraps the transport's
:class:`~tether.http.RawResponse` and behaves like ``http.client.HTTPResponse`` as
urllib returns it (``status``, ``reason``, ``msg`` (the reason, as urllib sets it),
``headers``/``info()`` (an ``http.client.HTTPMessage``), ``getheader()``,
``getheaders()``, ``version``, ``url``/``geturl()``, ``code``/``getcode()``); for
``file:``, ``data:`` and ``ftp:`` it is urllib's ``addinfourl`` (``status`` None).

The body is returned as sent (no content decoding). ``read(n)`` returns ``n`` bytes
unless the body ends first; ``read1(n)`` returns what one read from the connection
gives. Reading to the end releases the connection to the pool; closing early drops it.
Failures while reading are ``http.client``-compatible: a body cut short raises
:class:`IncompleteRead`, broken framing :class:`BadResponse`, both TetherErrors; a read
timeout raises the builtin ``TimeoutError`` (``socket.timeout``), as http.client does.
"""

from __future__ import annotations

import http.client
import io
from collections.abc import Iterator
from typing import Any, Final, Protocol

from tether.opener._errors import IncompleteRead, translate_read_error

__all__ = ["BodySource", "OpenerResponse"]

#: Bytes asked of the source per read when the caller did not say how many.
READ_CHUNK = 65536


class BodySource(Protocol):
    def read_chunk(self, max_bytes: int) -> bytes: ...

    def close(self) -> None: ...


class FileSource:
    """A body read from a binary file object (file:, data:, ftp:)."""

    __slots__ = ("_fp",)

    def __init__(self, fp: Any) -> None:
        self._fp = fp

    def read_chunk(self, max_bytes: int) -> bytes:
        data = self._fp.read(max_bytes)
        if isinstance(data, str):  # a text-mode file from a user's FTP wrapper
            data = data.encode("latin-1")
        return data  # type: ignore[no-any-return]

    def close(self) -> None:
        self._fp.close()


class RawSource:
    """A body streamed from a :class:`~tether.http.RawResponse` (its own bound methods,
    so that a read is one call, not two)."""

    __slots__ = ("close", "read_chunk")

    def __init__(self, raw: Any) -> None:
        self.read_chunk = raw.read_some
        self.close = raw.close


_EMPTY_MESSAGE_STATE: Final = dict(vars(http.client.HTTPMessage()))


def parse_head(raw_headers: list[tuple[bytes, bytes]]
               ) -> tuple[http.client.HTTPMessage, int | None, bool]:
    """A response head as ``http.client.HTTPMessage`` plus the body's framing as
    http.client reads it (first ``Content-Length``; the first ``Transfer-Encoding``
    containing ``chunked``), found in the same pass."""
    # A fresh message's state copied instead of running Message.__init__; ``defects`` is
    # the one mutable member and gets its own list.
    msg = http.client.HTTPMessage.__new__(http.client.HTTPMessage)
    state = vars(msg)
    state.update(_EMPTY_MESSAGE_STATE)
    state["defects"] = []
    # What ``msg[name] = value`` stores under the compat32 policy http.client uses,
    # without its per-header policy calls.
    fields = []
    length_text = encoding = None
    for name, value in raw_headers:
        text = value.decode("latin-1")
        fields.append((name.decode("latin-1"), text))
        if len(name) in (14, 17):  # cheap pre-check for the two framing headers
            lower = name.lower()
            if lower == b"content-length" and length_text is None:
                length_text = text
            elif lower == b"transfer-encoding" and encoding is None:
                encoding = text
    state["_headers"] = fields
    length = None
    if length_text is not None and length_text.strip().isdigit():
        length = int(length_text)
    return msg, length, encoding is not None and "chunked" in encoding.lower()


class OpenerResponse(io.BufferedIOBase):
    """A response body as a binary file, with the response's metadata."""

    def __init__(self, source: BodySource, headers: Any, url: str, code: int | None = None,
                 reason: str | None = None, version: int = 11, *,
                 raw_headers: list[tuple[bytes, bytes]] | None = None) -> None:
        """``raw_headers`` (when ``headers`` is None): the head as the transport gave
        it, turned into ``headers`` (an ``HTTPMessage``) only if someone asks."""
        super().__init__()
        self._source: BodySource | None = source
        self._buf = b""
        self._headers = headers
        self._raw_headers = raw_headers if headers is None else None
        self.url = url
        self.status = code
        self.reason = reason
        self.msg = reason  # urllib sets response.msg to the reason phrase
        self.version = version
        self.debuglevel = 0
        self.will_close = False
        self._received = 0  # body bytes read so far; ``length`` counts down from there
        self._declared: int | None = None
        self._chunked = False
        if code is not None and headers is not None:
            cl = headers.get("Content-Length")
            if cl is not None and cl.strip().isdigit():
                self._declared = int(cl)
            te = headers.get("Transfer-Encoding")
            self._chunked = te is not None and "chunked" in te.lower()

    def _parse_raw_head(self) -> None:
        raw = self._raw_headers
        if raw is not None:
            self._raw_headers = None
            self._headers, self._declared, self._chunked = parse_head(raw)

    @property
    def headers(self) -> Any:
        if self._raw_headers is not None:
            self._parse_raw_head()
        return self._headers

    @headers.setter
    def headers(self, value: Any) -> None:
        self._parse_raw_head()  # keep the framing the head declared
        self._headers = value

    @property
    def length(self) -> int | None:
        """Body bytes still to come by ``Content-Length`` (None if it was not sent)."""
        if self._raw_headers is not None:
            self._parse_raw_head()
        if self._declared is None:
            return None
        return max(0, self._declared - self._received)

    @length.setter
    def length(self, value: int | None) -> None:
        self._parse_raw_head()
        self._declared, self._received = value, 0

    @property
    def chunked(self) -> bool:
        if self._raw_headers is not None:
            self._parse_raw_head()
        return self._chunked

    @chunked.setter
    def chunked(self, value: bool) -> None:
        self._parse_raw_head()
        self._chunked = value

    # -- metadata ------------------------------------------------------------------
    @property
    def code(self) -> int | None:
        return self.status

    @code.setter
    def code(self, value: int | None) -> None:
        self.status = value

    def getcode(self) -> int | None:
        return self.status

    def geturl(self) -> str:
        return self.url

    def info(self) -> Any:
        return self.headers

    def getheader(self, name: str, default: Any = None) -> Any:
        values = self.headers.get_all(name) if self.headers is not None else None
        if not values:
            return default
        return ", ".join(values)

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self.headers.items()) if self.headers is not None else []

    def isclosed(self) -> bool:
        return self._source is None

    @property
    def fp(self) -> Any:
        """The body file while there is more to read (http.client sets it to None)."""
        return None if self._source is None else self

    def fileno(self) -> int:
        raise io.UnsupportedOperation("the response body is not a file descriptor")

    def readable(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<tether.opener response [{self.status} {self.reason}] {self.url}>"

    # -- reading -------------------------------------------------------------------
    def _pull(self, n: int, got: list[bytes]) -> bytes:
        source = self._source
        if source is None:
            return b""
        try:
            data = source.read_chunk(n)
        except BaseException as exc:
            better = self._read_error(exc, got)
            if better is not None:
                raise better from exc
            raise
        if not data:
            self._release()
        else:
            self._received += len(data)
        return data

    def _read_error(self, exc: BaseException, got: list[bytes]) -> BaseException | None:
        """Release the connection after a failed read; the http.client-compatible
        exception to raise instead of ``exc`` (None: raise ``exc`` itself)."""
        self._release()
        better = translate_read_error(exc, b"".join(got), self._missing())
        if better is not None:
            return better
        if isinstance(exc, IncompleteRead) and got:
            return IncompleteRead(b"".join(got) + exc.partial, exc.expected)
        return None

    def _missing(self) -> int | None:
        length = self.length
        return length if length else None

    def _release(self) -> None:
        source = self._source
        if source is not None:
            self._source = None
            source.close()

    def read(self, amt: int | None = None) -> bytes:
        """``amt`` bytes (fewer only at the end of the body), or the rest of it."""
        if amt is not None and amt >= 0:
            return self._read_exactly(amt)
        parts: list[bytes] = [self._buf] if self._buf else []
        self._buf = b""
        source = self._source
        while source is not None:  # _pull inlined: this loop runs on every urlopen().read()
            try:
                data = source.read_chunk(READ_CHUNK)
            except BaseException as exc:
                better = self._read_error(exc, parts)
                if better is not None:
                    raise better from exc
                raise
            if not data:
                self._release()
                break
            self._received += len(data)
            parts.append(data)
            source = self._source
        if len(parts) == 1 and type(parts[0]) is bytes:
            return parts[0]
        return b"".join(parts)

    def _read_exactly(self, amt: int) -> bytes:
        buf = self._buf
        if len(buf) >= amt:
            self._buf = buf[amt:]
            return buf[:amt]
        parts = [buf] if buf else []
        have = len(buf)
        self._buf = b""
        while have < amt and self._source is not None:
            data = self._pull(max(amt - have, 1), parts)
            parts.append(data)
            have += len(data)
        out = b"".join(parts)
        if len(out) > amt:
            self._buf = out[amt:]
            out = out[:amt]
        return out

    def read1(self, n: int = -1) -> bytes:
        """At most ``n`` bytes with at most one read from the connection."""
        if self._buf:
            if n < 0 or n >= len(self._buf):
                out, self._buf = self._buf, b""
            else:
                out, self._buf = self._buf[:n], self._buf[n:]
            return out
        if n == 0:
            return b""
        return self._pull(READ_CHUNK if n < 0 else n, [])

    def peek(self, n: int = 0) -> bytes:
        if not self._buf and self._source is not None:
            self._buf = self._pull(max(n, READ_CHUNK), [])
        return self._buf

    def readinto(self, b: Any) -> int:
        view = memoryview(b).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, limit: int | None = -1) -> bytes:
        if limit is None:
            limit = -1
        parts: list[bytes] = []
        have = 0
        while True:
            buf = self._buf
            newline = buf.find(b"\n")
            take = newline + 1 if newline >= 0 else len(buf)
            if limit >= 0:
                take = min(take, limit - have)
            if take:
                parts.append(buf[:take])
                self._buf = buf[take:]
                have += take
            if (newline >= 0 and take == newline + 1) or (0 <= limit <= have) \
                    or self._source is None:
                break
            self._buf = self._pull(READ_CHUNK, parts)
        return b"".join(parts)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def close(self) -> None:
        """Stop reading: a fully read connection goes back to the pool, else it closes."""
        self._buf = b""
        self._release()
        super().close()

    def __enter__(self) -> OpenerResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
