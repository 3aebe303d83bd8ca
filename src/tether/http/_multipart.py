"""multipart/form-data bodies (RFC 7578), in memory or streamed from files.

Theory of operation: :func:`tether.http._prepare.encode_files` turns ``data=`` and
``files=`` into a list of :data:`Part` tuples (name, filename, content type, extra
headers, payload); :func:`build_body` lays them out. Every part is
``--boundary CRLF``, its head (:func:`part_head`, urllib3's field order and escapes, so
the bytes equal what requests produces), a blank line, the payload and ``CRLF``; the
body ends with ``--boundary-- CRLF`` (RFC 7578 §4.1, RFC 2046 §5.1.1).

The layout is computed once as a list of segments: bytes, or :class:`FileSegment`
(a window of ``length`` bytes of a file starting at the position it had when the
request was prepared). When no file is streamed the segments are joined into one
``bytes`` body, exactly as requests builds it: programs that sign or hash
``prepared.body`` and requests' own tests expect bytes for ordinary forms. When the
binary, seekable files of a form hold more than :data:`STREAM_THRESHOLD` bytes, the
body is a :class:`MultipartBody` instead: a read-only, seekable binary file over the
segments whose length (and so ``Content-Length``) is exact before a byte is sent, so no
chunked framing is needed (many servers refuse chunked multipart uploads). It reads each
file in blocks as the transport asks for them; ``seek(0)`` rewinds every file, so a
307/308 redirect or a digest-auth retry sends the same bytes again.

A file that shrinks between preparing and sending raises :class:`FileChangedError`
instead of sending fewer bytes than the announced ``Content-Length``; a file that grows
contributes only the bytes announced.
"""

from __future__ import annotations

import io
import os
import stat
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from typing import Any, Final

from tether.exceptions import FileChangedError

__all__ = [
    "READ_BLOCK",
    "STREAM_THRESHOLD",
    "FileChangedError",
    "FileSegment",
    "MultipartBody",
    "Part",
    "build_body",
    "part_head",
    "stream_size",
]

#: Forms whose streamable files hold at most this many bytes in total are built in
#: memory as one ``bytes`` body, as requests does. 1 MiB keeps every ordinary form
#: (signed API uploads, test fixtures, small attachments) byte-for-byte compatible with
#: requests (``prepared.body`` is ``bytes`` there) at a memory cost no caller notices,
#: while anything bigger - where holding the file in memory starts to matter - streams.
STREAM_THRESHOLD: Final = 1024 * 1024

#: Block size for reading a streamed file (the transport asks for 64 KiB at a time too):
#: large enough that per-call overhead vanishes, small enough to bound memory.
READ_BLOCK: Final = 64 * 1024

#: (field name, filename or None, content type or None, extra headers or None, payload)
#: The payload is bytes/str/int for in-memory values, or a file object.
Part = tuple[str, Any, "str | None", "Mapping[str, Any] | None", Any]

_PARAM_ESCAPES: Final = {10: "%0A", 13: "%0D", 34: "%22"}
_FIRST_HEADERS: Final = ("Content-Disposition", "Content-Type", "Content-Location")


def _disposition_param(name: str, value: str | bytes) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return f'{name}="{value.translate(_PARAM_ESCAPES)}"'


def part_head(name: str, filename: Any, content_type: str | None,
              extra: Mapping[str, Any] | None) -> bytes:
    """A part's header lines and the blank line after them (urllib3's order: the
    disposition, type and location first, then the extra headers with a value)."""
    headers: dict[str, Any] = dict(extra) if extra else {}
    disposition = "form-data; " + _disposition_param("name", name)
    if filename is not None:
        disposition += "; " + _disposition_param("filename", filename)
    headers["Content-Disposition"] = disposition
    headers["Content-Type"] = content_type
    headers["Content-Location"] = None
    lines = [f"{key}: {headers[key]}" for key in _FIRST_HEADERS if headers.get(key)]
    lines += [f"{key}: {value}" for key, value in headers.items()
              if key not in _FIRST_HEADERS and value]
    lines.append("\r\n")
    return "\r\n".join(lines).encode("utf-8")


def _part_data(data: Any) -> bytes:
    if isinstance(data, int):
        data = str(data)
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)


def stream_size(obj: Any) -> int | None:
    """How many bytes a file object can stream from where it stands, or ``None`` when
    that cannot be known without reading it (text mode, pipes, sockets, devices,
    unseekable or compressed streams): such files are read into memory."""
    if isinstance(obj, io.TextIOBase):
        return None
    mode = getattr(obj, "mode", "b")
    if isinstance(mode, str) and "b" not in mode:
        return None  # text mode: bytes on the wire differ from bytes on disk
    seek = getattr(obj, "seek", None)
    tell = getattr(obj, "tell", None)
    if seek is None or tell is None:
        return None
    try:
        seekable = getattr(obj, "seekable", None)
        if seekable is not None and not seekable():
            return None
        fileno = getattr(obj, "fileno", None)
        if fileno is not None:
            try:
                mode_bits = os.fstat(fileno()).st_mode
            except (OSError, ValueError):
                pass  # no descriptor (BytesIO, wrappers): seeking tells the size
            else:
                if not stat.S_ISREG(mode_bits):
                    return None
        position = tell()
        seek(0, os.SEEK_END)
        end = tell()
        seek(position)
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    if not isinstance(position, int) or not isinstance(end, int):
        return None
    return max(0, end - position)


class FileSegment:
    """``length`` bytes of ``file`` from offset ``start`` (its position when the request
    was prepared); ``label`` names the part in errors."""

    __slots__ = ("file", "label", "length", "start")

    def __init__(self, file: Any, start: int, length: int, label: str) -> None:
        self.file = file
        self.start = start
        self.length = length
        self.label = label

    def __repr__(self) -> str:
        return f"<FileSegment {self.label} {self.length} bytes from {self.start}>"


Segment = bytes | FileSegment


def _label(name: str, filename: Any) -> str:
    return f"field {name!r}" + (f" (file {filename!r})" if filename is not None else "")


def build_body(parts: list[Part], boundary: str,
               stream_threshold: int = STREAM_THRESHOLD) -> bytes | MultipartBody:
    """The body for ``parts``: ``bytes`` unless the streamable files hold more than
    ``stream_threshold`` bytes, then a :class:`MultipartBody` (same bytes, read lazily).

    File payloads that are not streamed are read here, in part order, as requests does.
    """
    sizes: dict[int, int] = {}  # part index -> bytes to stream from its file
    seen: set[int] = set()
    for index, part in enumerate(parts):
        payload = part[4]
        if isinstance(payload, (str, bytes, bytearray, int)) or not hasattr(payload, "read"):
            continue
        if id(payload) in seen:
            # The same file twice: in memory the second read() finds it at its end,
            # so the second part is empty; streaming gives the same bytes.
            sizes[index] = 0
            continue
        seen.add(id(payload))
        size = stream_size(payload)
        if size:  # 0 or None: read it (a /proc file claims 0 bytes yet has content)
            sizes[index] = size
    stream = sum(sizes.values()) > stream_threshold
    segments: list[Segment] = []
    pending = bytearray()
    for index, (name, filename, content_type, extra, payload) in enumerate(parts):
        pending += f"--{boundary}\r\n".encode("latin-1")
        pending += part_head(name, filename, content_type, extra)
        if stream and index in sizes:
            size = sizes[index]
            if size:
                segments.append(bytes(pending))
                pending.clear()
                segments.append(FileSegment(payload, payload.tell(), size,
                                            _label(name, filename)))
        else:
            if hasattr(payload, "read") and not isinstance(payload, (str, bytes, bytearray)):
                payload = payload.read()
            pending += _part_data(payload)
        pending += b"\r\n"
    pending += f"--{boundary}--\r\n".encode("latin-1")
    if not stream:
        return bytes(pending)
    segments.append(bytes(pending))
    return MultipartBody(segments, boundary)


class MultipartBody:
    """A multipart/form-data body read lazily from its files (see the module docstring).

    A read-only binary file: ``read(n)``, ``tell()``, ``seek(offset, whence)``,
    ``len(body)`` (also ``body.len``: the whole length, for ``Content-Length``),
    iteration in :data:`READ_BLOCK` pieces from the current position, and
    ``to_bytes()``/``bytes(body)`` for the whole body in memory (the position is kept).
    """

    def __init__(self, segments: list[Segment], boundary: str) -> None:
        self.boundary = boundary
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self._segments = segments
        offsets: list[int] = []
        total = 0
        for segment in segments:
            offsets.append(total)
            total += len(segment) if isinstance(segment, bytes) else segment.length
        self._offsets = offsets
        self._length = total
        self._pos = 0
        self._index = 0
        #: Index of the file segment whose file position matches ``_pos`` (-1: none;
        #: the next read from a file seeks it first).
        self._synced = -1

    def __repr__(self) -> str:
        files = sum(1 for s in self._segments if isinstance(s, FileSegment))
        return (f"<MultipartBody {self._length} bytes, {files} streamed file(s), "
                f"boundary={self.boundary!r}>")

    def __len__(self) -> int:
        return self._length

    @property
    def len(self) -> int:
        """The whole body's length in bytes (requests-toolbelt's ``len``)."""
        return self._length

    def __bool__(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to ``offset`` (from the start, the current position or the end); the
        files are repositioned on the next read."""
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._pos + offset
        elif whence == os.SEEK_END:
            target = self._length + offset
        else:
            raise ValueError(f"invalid whence ({whence!r}, should be 0, 1 or 2)")
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        self._pos = target
        self._index = max(0, bisect_right(self._offsets, target) - 1)
        self._synced = -1
        return target

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all that is left if ``size`` is negative or None);
        ``b""`` at the end. Raises :class:`FileChangedError` if a file has shrunk."""
        left = self._length - self._pos
        if size is None or size < 0 or size > left:
            size = left
        pieces: list[bytes] = []
        segments = self._segments
        while size > 0:
            segment = segments[self._index]
            inner = self._pos - self._offsets[self._index]
            if isinstance(segment, bytes):
                piece = segment[inner:inner + size]
            else:
                piece = self._read_file(segment, inner, min(size, segment.length - inner))
            if not piece:  # at the end of this segment
                self._index += 1
                continue
            pieces.append(piece)
            self._pos += len(piece)
            size -= len(piece)
        if len(pieces) == 1:
            return pieces[0]
        return b"".join(pieces)

    def _read_file(self, segment: FileSegment, inner: int, want: int) -> bytes:
        if want <= 0:
            return b""
        file = segment.file
        if self._synced != self._index:
            file.seek(segment.start + inner)
            self._synced = self._index
        # Blocking reads of a regular file, also under AsyncSession (in the event loop):
        # each is at most READ_BLOCK-sized as the transport asks, like a page-cache copy.
        data = file.read(want)
        while data is not None and len(data) < want:
            more = file.read(want - len(data))
            if not more:
                break
            data += more
        if not data or len(data) < want:
            got = inner + (len(data) if data else 0)
            self._synced = -1
            raise FileChangedError(
                f"the file of {segment.label} shrank while it was being uploaded: the "
                f"request announced {segment.length} bytes of it (its size when the "
                f"request was prepared) but it ended after {got}; nothing more was sent")
        if not isinstance(data, bytes):
            data = bytes(data)  # a bytearray or memoryview from a custom reader
        return data[:want]

    def __iter__(self) -> Iterator[bytes]:
        while True:
            block = self.read(READ_BLOCK)
            if not block:
                return
            yield block

    def to_bytes(self) -> bytes:
        """The whole body in memory (reads every file; the current position is kept)."""
        position = self._pos
        self.seek(0)
        try:
            return self.read()
        finally:
            self.seek(position)

    def __bytes__(self) -> bytes:
        return self.to_bytes()
