"""Downloads to a file: the file name, atomic writes, and resuming with ``Range``.

The body is written to ``NAME.part`` next to the target, flushed and ``fsync``'d, then
renamed to ``NAME`` in one step, so ``NAME`` never holds a partial download. If the
transfer fails, ``NAME.part`` stays; ``--continue`` asks the server for the rest with
``Range: bytes=N-`` (RFC 9110 §14.2) and appends only if the answer is a ``206`` whose
``Content-Range`` starts at N; a ``200`` starts over, a ``416`` for a complete file
finishes it.
"""

from __future__ import annotations

import email.message
import mimetypes
import os
import re
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from tether.cli._errors import CLIError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


def safe_name(name: str) -> str:
    """A file name that stays in the current directory: no path, no control characters,
    no leading dot (a server must not be able to write ``../x`` or ``.bashrc``)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    return name[:200]


def name_from_disposition(value: str | None) -> str | None:
    """The ``filename``/``filename*`` (RFC 6266, RFC 8187) of a Content-Disposition."""
    if not value:
        return None
    message = email.message.Message()
    message["Content-Disposition"] = value
    name = message.get_filename()
    return safe_name(name) if name else None


def name_from_url(url: str, content_type: str | None = None) -> str | None:
    """The last path segment of ``url``, or ``index`` plus an extension for the type."""
    segment = safe_name(unquote(urlsplit(url).path.rsplit("/", 1)[-1]))
    if segment:
        return segment
    if content_type is None:
        return None
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return f"index{extension}"


def unique_path(path: str) -> str:
    """``path``, or ``path-1``, ``path-2``... (before the extension) if it exists."""
    if not os.path.exists(path):
        return path
    stem, extension = os.path.splitext(path)
    for n in range(1, 10000):
        candidate = f"{stem}-{n}{extension}"
        if not os.path.exists(candidate):
            return candidate
    raise CLIError(f"too many files named like {path}")


def parse_content_range(value: str | None) -> tuple[int, int, int | None] | None:
    """``(first, last, complete length or None)`` of ``Content-Range: bytes a-b/n``."""
    match = _CONTENT_RANGE.match(value or "")
    if not match:
        return None
    total = None if match.group(3) == "*" else int(match.group(3))
    return int(match.group(1)), int(match.group(2)), total


def partial_path(path: str) -> str:
    return path + ".part"


class AtomicFile:
    """Writes ``path`` through ``path.part``; ``commit()`` renames it into place."""

    def __init__(self, path: str, append: bool) -> None:
        self.path = path
        self.partial = partial_path(path)
        try:
            self.file: BinaryIO = open(self.partial, "ab" if append else "wb")  # noqa: SIM115
        except OSError as exc:
            raise CLIError(f"cannot write {self.partial}: {exc.strerror}") from None
        self.written = self.file.tell()

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.written += len(data)

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.partial, self.path)
        directory = os.path.dirname(os.path.abspath(self.path))
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def keep_partial(self) -> None:
        """Leave ``path.part`` for ``--continue`` (after a failure)."""
        if not self.file.closed:
            self.file.flush()
            self.file.close()
