"""TLS over any blocking stream, with ``ssl.MemoryBIO``.

``SSLSocket`` can only wrap a real socket, so a TLS connection *inside* another TLS
connection (an ``https://`` proxy tunnelling to an ``https://`` origin) needs the
memory-BIO form: an ``SSLObject`` whose records are carried by the inner stream.
"""

from __future__ import annotations

import ssl
from typing import Any, Final

from tether import errors
from tether.net._base import UNSET, SyncStream, Unset
from tether.net._translate import translate_tls_error

__all__ = ["BIOTLSStream"]

#: Bytes asked of the inner stream per read while TLS needs more records.
_RECORD_READ: Final = 65536


class BIOTLSStream(SyncStream):
    """A TLS session whose records travel over ``inner`` (itself any SyncStream)."""

    def __init__(self, inner: SyncStream, context: ssl.SSLContext,
                 server_hostname: str | None) -> None:
        self._inner = inner
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        sni = server_hostname.rstrip(".") if server_hostname else None
        self._obj = context.wrap_bio(self._incoming, self._outgoing, server_hostname=sni)
        self._host = server_hostname
        self._closed = False
        self.timeouts = inner.timeouts
        self.deadline = inner.deadline

    def _flush(self, timeout: float | Unset | None) -> None:
        pending = self._outgoing.read()
        if pending:
            self._inner.write(pending, timeout)

    def _pump(self, timeout: float | Unset | None) -> None:
        """Feed one read of the inner stream to the TLS object (EOF included)."""
        self._inner.deadline = self.deadline
        data = self._inner.read(_RECORD_READ, timeout)
        if data:
            self._incoming.write(data)
        else:
            self._incoming.write_eof()

    def _call(self, fn: Any, *args: Any, timeout: float | Unset | None = UNSET) -> Any:
        while True:
            try:
                result = fn(*args)
            except ssl.SSLWantReadError:
                self._flush(timeout)
                self._pump(timeout)
                continue
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return None
            except ssl.SSLError as exc:
                raise translate_tls_error(exc, self._host) from exc
            self._flush(timeout)
            return result

    def handshake(self, timeout: float | Unset | None = UNSET) -> None:
        self._call(self._obj.do_handshake, timeout=timeout)

    def read(self, max_bytes: int = 65536, timeout: float | Unset | None = UNSET) -> bytes:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")
        data = self._call(self._obj.read, max_bytes, timeout=timeout)
        return data or b""

    def write(self, data: bytes, timeout: float | Unset | None = UNSET) -> None:
        if self._closed:
            raise errors.ClosedError("the connection was already closed")
        view = memoryview(data)
        while view:
            sent = self._call(self._obj.write, view, timeout=timeout)
            if sent is None:
                raise errors.WriteError("the peer closed the TLS session while writing")
            view = view[sent:]

    def start_tls(self, context: ssl.SSLContext, server_hostname: str | None,
                  timeout: float | Unset | None = UNSET) -> SyncStream:
        stream = BIOTLSStream(self, context, server_hostname)
        stream.handshake(timeout)
        return stream

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._inner.close()

    def get_extra_info(self, name: str) -> Any:
        if name == "ssl_object":
            return self._obj
        if name == "alpn_protocol":
            return self._obj.selected_alpn_protocol()
        if name == "is_readable":
            return self._obj.pending() > 0 or bool(self._inner.get_extra_info("is_readable"))
        return self._inner.get_extra_info(name)
