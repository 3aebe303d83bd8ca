"""``urlretrieve`` and ``urlcleanup``: download to a file, never leaving a partial one.

The body is written to a temporary file next to the target (``.<name>.<random>.part``)
and renamed over the target only once it is complete, so a failed, interrupted or
short download never leaves a partial file under the final name. A body shorter than
its ``Content-Length`` raises :class:`ContentTooShortError` (the temporary file is
removed).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from typing import Any

from tether.opener._errors import ContentTooShortError, IncompleteRead
from tether.opener._handlers_http import close_shared_transport
from tether.opener._urlopen import install_opener, urlopen
from tether.url import _splittype

__all__ = ["BLOCK_SIZE", "urlcleanup", "urlretrieve"]

#: Bytes per block, as urllib reports them to ``reporthook``.
BLOCK_SIZE = 1024 * 8

_url_tempfiles: list[str] = []

# The process umask, read once: a downloaded file gets the mode open() would give it
# (mkstemp's temporary files are 0600).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def urlretrieve(url: str, filename: str | os.PathLike[str] | None = None,
                reporthook: Callable[[int, int, int], Any] | None = None,
                data: Any = None) -> tuple[str, Any]:
    """Download ``url`` to ``filename`` (default: a new temporary file, removed by
    :func:`urlcleanup`) and return ``(filename, headers)``.

    ``reporthook(block_number, block_size, total_size)`` is called once before the first
    block and after each one; ``total_size`` is -1 without a Content-Length. A
    ``file:`` URL without ``filename`` returns the local path itself.
    """
    url_type, path = _splittype(url)
    with contextlib.closing(urlopen(url, data)) as fp:
        headers = fp.info()
        if url_type == "file" and not filename:
            return os.path.normpath(path), headers
        if filename:
            final = os.fspath(filename)
            directory = os.path.dirname(os.path.abspath(final))
            fd, temp = tempfile.mkstemp(dir=directory,
                                        prefix="." + os.path.basename(final) + ".",
                                        suffix=".part")
        else:
            fd, temp = tempfile.mkstemp()
            final = temp
        size = -1
        received = 0
        try:
            with os.fdopen(fd, "wb") as out:
                if "content-length" in headers:
                    size = int(headers["Content-Length"])
                block_number = 0
                if reporthook:
                    reporthook(block_number, BLOCK_SIZE, size)
                while True:
                    try:
                        block = fp.read(BLOCK_SIZE)
                    except IncompleteRead as exc:
                        received += len(exc.partial)
                        raise ContentTooShortError(
                            f"retrieval incomplete: got only {received} out of {size} bytes",
                            (final, headers)) from exc
                    if not block:
                        break
                    received += len(block)
                    out.write(block)
                    block_number += 1
                    if reporthook:
                        reporthook(block_number, BLOCK_SIZE, size)
            if size >= 0 and received < size:
                raise ContentTooShortError(
                    f"retrieval incomplete: got only {received} out of {size} bytes",
                    (final, headers))
            if temp != final:
                os.chmod(temp, 0o666 & ~_UMASK)
                os.replace(temp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    if not filename:
        _url_tempfiles.append(final)
    return final, headers


def urlcleanup() -> None:
    """Remove the temporary files :func:`urlretrieve` made, forget the installed opener
    and close the pooled HTTP connections."""
    for temp in _url_tempfiles:
        with contextlib.suppress(OSError):
            os.unlink(temp)
    del _url_tempfiles[:]
    install_opener(None)
    close_shared_transport()
