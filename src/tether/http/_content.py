"""Pure helpers for reading a response body: slicing, text decoding, line splitting, and
the in-memory decompression-bomb guard (issue 11). Shared by the sync and async reads
of :class:`tether.models.Response`, so each loop there is a few lines.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any, Final

from tether.exceptions import DecompressionBombError

__all__ = [
    "DECOMPRESSION_FLOOR",
    "MAX_DECOMPRESSION_RATIO",
    "BombGuard",
    "LineSplitter",
    "TextDecoder",
    "iter_slices",
]

#: A body decoded into memory may always grow to this many bytes, whatever its ratio:
#: ordinary compressed downloads (logs, JSON dumps) stay well inside the ratio anyway.
DECOMPRESSION_FLOOR: Final = 16 * 1024 * 1024
#: Past the floor, decoded bytes may not exceed this multiple of the bytes received.
#: Text compresses 5-20x with gzip and brotli; runs of one byte reach 1000x and more,
#: which is what bombs are made of.
MAX_DECOMPRESSION_RATIO: Final = 100


class BombGuard:
    """Checks decoded size against wire size while a body is read into memory.

    ``ratio=None`` turns the guard off (a session attribute set by the caller).
    """

    __slots__ = ("floor", "ratio")

    def __init__(self, ratio: float | None = MAX_DECOMPRESSION_RATIO,
                 floor: int = DECOMPRESSION_FLOOR) -> None:
        self.ratio = ratio
        self.floor = floor

    def check(self, decoded: int, wire: int, request: Any = None) -> None:
        if self.ratio is None or decoded <= self.floor:
            return
        if decoded > self.ratio * max(wire, 1):
            err = DecompressionBombError(
                f"the decoded body grew to {decoded} bytes from {wire} bytes received, "
                f"more than max_decompression_ratio={self.ratio:g} times past "
                f"{self.floor} bytes; read it with stream=True and iter_content(), or raise "
                "Session.max_decompression_ratio (None turns the check off)",
                request=request,
            )
            err.limit = "max_decompression_ratio"
            err.value = self.ratio
            raise err


def iter_slices(string: Any, slice_length: int | None) -> Iterator[Any]:
    """``string`` in pieces of ``slice_length`` (whole if ``None`` or <= 0)."""
    pos = 0
    if slice_length is None or slice_length <= 0:
        slice_length = len(string)
    while pos < len(string):
        yield string[pos : pos + slice_length]
        pos += slice_length


class TextDecoder:
    """Incremental text decoding with ``errors="replace"`` (``encoding=None``: pass bytes)."""

    __slots__ = ("_decoder",)

    def __init__(self, encoding: str | None) -> None:
        self._decoder = (codecs.getincrementaldecoder(encoding)(errors="replace")
                         if encoding is not None else None)

    def decode(self, chunk: Any, final: bool = False) -> Any:
        if self._decoder is None:
            return chunk
        return self._decoder.decode(chunk, final=final)

    @property
    def passthrough(self) -> bool:
        return self._decoder is None


class LineSplitter:
    """requests' ``iter_lines`` splitting: ``splitlines()`` or ``split(delimiter)`` per
    chunk, holding back a last piece that may continue in the next chunk."""

    __slots__ = ("_delimiter", "_pending")

    def __init__(self, delimiter: Any = None) -> None:
        self._delimiter = delimiter
        self._pending: Any = None

    def feed(self, chunk: Any) -> list[Any]:
        if self._pending is not None:
            chunk = self._pending + chunk
        lines = chunk.split(self._delimiter) if self._delimiter else chunk.splitlines()
        if lines and lines[-1] and chunk and lines[-1][-1] == chunk[-1]:
            self._pending = lines.pop()
        else:
            self._pending = None
        return list(lines)

    def flush(self) -> list[Any]:
        if self._pending is None:
            return []
        rest, self._pending = self._pending, None
        return [rest]
