"""Streaming content decoders (``Content-Encoding``) with bounded output per read.

Theory of operation
-------------------
A decoder is fed wire bytes with :meth:`Decoder.feed` and drained with
:meth:`Decoder.read(max_length) <Decoder.read>`, which returns at most ``max_length``
decoded bytes, or ``b""`` when it needs more input. Because output is pulled in bounded
pieces, a small compressed body that expands enormously (a "decompression bomb") never
produces more than one read's worth at a time: reading it with ``iter_content(n)`` holds
about ``n`` bytes, whatever the ratio.

Codings (RFC 9110 §8.4.1): ``gzip`` / ``x-gzip`` (several members allowed, trailing
garbage after a complete member ignored, as urllib3 and browsers do), ``deflate``
(zlib-wrapped per the RFC, or raw deflate as some servers send), ``br`` (brotli >= 1.2
for ``output_buffer_limit``), ``zstd`` (:mod:`compression.zstd` or its backport).
``identity`` and unknown codings pass bytes through unchanged, as requests does.
At most :data:`MAX_CODINGS` codings may be chained; they are undone in reverse order of
the header (RFC 9110 §8.4).
"""

from __future__ import annotations

import sys
import zlib
from typing import Final

from tether.exceptions import ContentDecodingError

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # pragma: no cover - depends on the interpreter
    from backports import zstd

import brotli  # type: ignore[import-untyped]

__all__ = ["MAX_CODINGS", "SUPPORTED_CODINGS", "Decoder", "make_decoder"]

#: More chained codings than this is refused: each link costs a decompressor, and no
#: real server applies more than two (urllib3 uses the same bound).
MAX_CODINGS: Final = 5

#: Codings tether can undo, for ``Accept-Encoding``.
SUPPORTED_CODINGS: Final = ("gzip", "deflate", "br", "zstd")


class Decoder:
    """Identity: passes bytes through. Base class of the real decoders."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes) -> None:
        """Give the decoder more input."""
        self._pending += data

    def read(self, max_length: int) -> bytes:
        """At most ``max_length`` decoded bytes; ``b""`` means "feed me more"."""
        out = bytes(self._pending[:max_length])
        del self._pending[:max_length]
        return out

    def finish(self) -> None:
        """The input is complete; raise if what was fed cannot have been a whole body."""


class _ZlibDecoder(Decoder):
    """gzip and deflate through :mod:`zlib`, output bounded with ``max_length``."""

    def __init__(self, wbits: int, multi_member: bool, fallback_wbits: int | None) -> None:
        super().__init__()
        self._wbits = wbits
        self._multi = multi_member
        self._fallback = fallback_wbits
        self._obj = zlib.decompressobj(wbits)
        self._tail = b""
        self._started = False
        self._swallow = False
        self._members = 0

    def feed(self, data: bytes) -> None:
        self._tail += data

    def read(self, max_length: int) -> bytes:
        while self._tail and not self._swallow:
            data, self._tail = self._tail, b""
            try:
                out = self._obj.decompress(data, max_length)
            except zlib.error as exc:
                if not self._started and self._fallback is not None:
                    # "deflate" sent as raw deflate without the zlib wrapper.
                    self._obj = zlib.decompressobj(self._fallback)
                    self._fallback = None
                    self._tail = data
                    continue
                if self._members > 0:
                    # Garbage after a complete gzip member: ignore it (urllib3 does).
                    self._swallow = True
                    return b""
                raise ContentDecodingError(
                    "Received response with content-encoding, but failed to decode it.",
                    exc,
                ) from exc
            self._started = True
            self._tail = self._obj.unconsumed_tail
            if self._obj.eof:
                self._members += 1
                rest = self._obj.unused_data
                if self._multi and rest:
                    self._obj = zlib.decompressobj(self._wbits)
                    self._tail = rest + self._tail
                elif rest:
                    self._swallow = True
            if out:
                return out
        return b""


class _BrotliDecoder(Decoder):
    def __init__(self) -> None:
        super().__init__()
        self._obj = brotli.Decompressor()
        self._input = b""
        self._out = bytearray()

    def feed(self, data: bytes) -> None:
        self._input += data

    def read(self, max_length: int) -> bytes:
        # brotli may overshoot output_buffer_limit a little, and keeps output pending
        # even when can_accept_more_data() is true: drain with empty input first.
        try:
            while not self._out:
                if self._input and self._obj.can_accept_more_data():
                    data, self._input = self._input, b""
                    chunk = self._obj.process(data, output_buffer_limit=max_length)
                else:
                    chunk = self._obj.process(b"", output_buffer_limit=max_length)
                    if not chunk and not (self._input and self._obj.can_accept_more_data()):
                        return b""
                self._out += chunk
        except brotli.error as exc:
            raise ContentDecodingError(
                "Received response with content-encoding: br, but failed to decode it.", exc
            ) from exc
        out = bytes(self._out[:max_length])
        del self._out[:max_length]
        return out

    def finish(self) -> None:
        if self._input:
            self.read(1)


class _ZstdDecoder(Decoder):
    def __init__(self) -> None:
        super().__init__()
        self._obj = zstd.ZstdDecompressor()
        self._input = b""

    def feed(self, data: bytes) -> None:
        self._input += data

    def read(self, max_length: int) -> bytes:
        try:
            while True:
                if self._obj.eof:
                    rest = self._obj.unused_data + self._input
                    if not rest:
                        return b""
                    self._obj = zstd.ZstdDecompressor()  # next frame
                    self._input = rest
                if not self._input and self._obj.needs_input:
                    return b""
                data, self._input = self._input, b""
                out: bytes = self._obj.decompress(data, max_length=max_length)
                if out:
                    return out
                if not self._obj.eof and self._obj.needs_input:
                    return b""
        except zstd.ZstdError as exc:
            raise ContentDecodingError(
                "Received response with content-encoding: zstd, but failed to decode it.", exc
            ) from exc

    def finish(self) -> None:
        if not self._obj.eof and (self._input or not self._obj.needs_input):
            raise ContentDecodingError("Zstandard data is incomplete")


class _Chain(Decoder):
    """Several codings: ``decoders[0]`` undoes the last coding applied."""

    def __init__(self, decoders: list[Decoder]) -> None:
        super().__init__()
        self._decoders = decoders

    def feed(self, data: bytes) -> None:
        self._decoders[0].feed(data)

    def read(self, max_length: int) -> bytes:
        return self._pull(len(self._decoders) - 1, max_length)

    def _pull(self, index: int, max_length: int) -> bytes:
        decoder = self._decoders[index]
        while True:
            out = decoder.read(max_length)
            if out or index == 0:
                return out
            upstream = self._pull(index - 1, max_length)
            if not upstream:
                return b""
            decoder.feed(upstream)

    def finish(self) -> None:
        for decoder in self._decoders:
            decoder.finish()


def _single(coding: str) -> Decoder | None:
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder(16 + zlib.MAX_WBITS, multi_member=True, fallback_wbits=None)
    if coding == "deflate":
        return _ZlibDecoder(zlib.MAX_WBITS, multi_member=False, fallback_wbits=-zlib.MAX_WBITS)
    if coding == "br":
        return _BrotliDecoder()
    if coding == "zstd":
        return _ZstdDecoder()
    return None


def make_decoder(content_encoding: str | None) -> Decoder | None:
    """The decoder for a ``Content-Encoding`` value, or ``None`` when nothing is to undo.

    Raises :class:`~tether.exceptions.ContentDecodingError` for more than
    :data:`MAX_CODINGS` codings.
    """
    if not content_encoding:
        return None
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    if len(codings) > MAX_CODINGS:
        raise ContentDecodingError(
            f"Too many content encodings in the chain: {len(codings)} > {MAX_CODINGS}"
        )
    decoders = [d for d in (_single(c) for c in reversed(codings)) if d is not None]
    if not decoders:
        return None
    if len(decoders) == 1:
        return decoders[0]
    return _Chain(decoders)
