"""The stream contract, in both colours.

A stream is a connected, ordered byte pipe (TCP, TLS over TCP, an in-memory pair).

- ``read(max_bytes)`` returns between 1 and ``max_bytes`` bytes, or ``b""`` if and only
  if the peer closed its side (EOF). It waits at most ``timeout`` seconds (default: the
  stream's ``timeouts.read``), and never past ``deadline``.
- ``write(data)`` sends all of ``data`` (default timeout ``timeouts.write``).
- ``start_tls(context, server_hostname)`` performs a TLS handshake over this stream and
  returns the new TLS stream; this stream must not be used afterwards. Plaintext that
  arrived before the handshake is discarded, never delivered as if it were encrypted.
- ``close()`` / ``aclose()`` release the connection; closing twice is harmless.
- ``get_extra_info(name)``: ``"socket"`` (the live socket object, an ``ssl.SSLSocket``
  under blocking TLS), ``"ssl_object"``, ``"peername"``, ``"sockname"``,
  ``"alpn_protocol"``, ``"is_readable"`` (True if the peer sent data or closed while
  the stream was idle: the connection cannot be reused safely).

Errors are tether's (see :mod:`tether.errors`): ``ReadTimeout``/``WriteTimeout``,
``ReadError``/``WriteError``, ``TLSError``, ``ClosedError`` when used after ``close``.
"""

from __future__ import annotations

import ssl
from typing import Any

from tether.net._timeouts import DEFAULT_TIMEOUTS, Deadline, TimeoutConfig

__all__ = ["UNSET", "AsyncStream", "SyncStream", "Unset"]


class Unset:
    """Type of :data:`UNSET`: "use the stream's configured timeout"."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


class SyncStream:
    """Blocking stream. See the module docstring for the contract."""

    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS
    deadline: Deadline | None = None

    def read(self, max_bytes: int = 65536, timeout: float | Unset | None = UNSET) -> bytes:
        raise NotImplementedError

    def write(self, data: bytes, timeout: float | Unset | None = UNSET) -> None:
        raise NotImplementedError

    def start_tls(
        self,
        context: ssl.SSLContext,
        server_hostname: str | None,
        timeout: float | Unset | None = UNSET,
    ) -> SyncStream:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def get_extra_info(self, name: str) -> Any:
        return None

    def __enter__(self) -> SyncStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStream:
    """asyncio stream. See the module docstring for the contract."""

    timeouts: TimeoutConfig = DEFAULT_TIMEOUTS
    deadline: Deadline | None = None

    async def read(self, max_bytes: int = 65536, timeout: float | Unset | None = UNSET) -> bytes:
        raise NotImplementedError

    async def write(self, data: bytes, timeout: float | Unset | None = UNSET) -> None:
        raise NotImplementedError

    async def start_tls(
        self,
        context: ssl.SSLContext,
        server_hostname: str | None,
        timeout: float | Unset | None = UNSET,
    ) -> AsyncStream:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        """Close at once without waiting (usable from sync code, e.g. ``__del__``)."""
        raise NotImplementedError

    def get_extra_info(self, name: str) -> Any:
        return None

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
