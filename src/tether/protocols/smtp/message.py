"""Message bodies on the wire: line endings, dot-stuffing, BDAT chunks.

Theory of operation
-------------------
DATA (RFC 5321 §4.1.1.4) ends at the first line holding a single ``.``. Two rules keep
a body from ending it early or being read differently by different servers:

* **Line endings are normalised.** Every bare LF and every bare CR becomes CRLF
  (RFC 5321 §2.3.8 forbids bare CR and LF in mail). Servers disagree about whether a
  bare LF ends a line, which is what "SMTP smuggling" (CVE-2023-51764/5/6) exploits
  with ``\\n.\\n`` or ``\\r.\\r``; after normalisation every server sees the same lines.
* **Dot-stuffing** (RFC 5321 §4.5.2): a line starting with ``.`` gets one more.

Both are done with ``bytes`` methods (each a C loop over the buffer), never per line in
Python, so a 10 MiB message costs a few passes of memcpy. ``BDAT`` (RFC 3030) needs no
stuffing: each chunk is announced with its exact size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

__all__ = [
    "BDAT_CHUNK_SIZE",
    "bdat_chunks",
    "data_payload",
    "fix_eols",
    "fix_eols_text",
    "quote_periods",
    "quotedata",
]

#: Size of one BDAT chunk. Large enough that the per-chunk reply round trip is
#: negligible, small enough to bound a server's buffering (RFC 3030 §2 leaves the
#: size to the client).
BDAT_CHUNK_SIZE: Final = 1024 * 1024

_END: Final = b".\r\n"
_CRLF_END: Final = b"\r\n.\r\n"


def fix_eols(data: bytes) -> bytes:
    """Every bare CR and bare LF becomes CRLF; existing CRLFs are kept.

    Text that is already canonical (as generated mail is) comes back as the same
    object: three counting passes, no copy.
    """
    crs = data.count(b"\r")
    if not crs:
        return data.replace(b"\n", b"\r\n") if b"\n" in data else data
    if crs == data.count(b"\n") and crs == data.count(b"\r\n"):
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def fix_eols_text(text: str) -> str:
    """:func:`fix_eols` for ``str`` (smtplib's ``_fix_eols``)."""
    if "\r" not in text:
        return text.replace("\n", "\r\n")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def quote_periods(data: bytes) -> bytes:
    """Dot-stuff: a ``.`` at the start of any line (after LF) is doubled."""
    stuffed = data.replace(b"\n.", b"\n..") if b"\n." in data else data
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed


def quotedata(data: str) -> str:
    """smtplib's ``quotedata``: fix line endings, then dot-stuff (``str`` in and out)."""
    fixed = fix_eols_text(data)
    stuffed = fixed.replace("\n.", "\n..")
    return "." + stuffed if stuffed.startswith(".") else stuffed


def data_payload(message: bytes, normalised: bool = False) -> bytes:
    """What follows a ``354`` reply: the normalised, dot-stuffed body and ``.CRLF``.

    The body always ends with CRLF before the final dot, so the terminator is
    ``CRLF . CRLF`` whatever the message ends with. ``normalised=True`` says the
    caller already ran :func:`fix_eols` on ``message``.
    """
    body = message if normalised else fix_eols(message)
    # In canonical text every LF follows a CR: the 3-byte search is the faster one.
    if b"\r\n." in body:
        body = body.replace(b"\r\n.", b"\r\n..")
    if body.startswith(b"."):
        body = b"." + body
    return body + (_END if body.endswith(b"\r\n") else _CRLF_END)


def bdat_chunks(message: bytes, chunk_size: int = BDAT_CHUNK_SIZE) -> Iterator[bytes]:
    """``BDAT`` commands with their chunks, ready to send; the last is ``BDAT n LAST``.

    Line endings are normalised (the message must be canonical CRLF text, RFC 3030 §3);
    there is no dot-stuffing. An empty message is one ``BDAT 0 LAST``.
    """
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    body = fix_eols(message)
    view = memoryview(body)
    total = len(body)
    start = 0
    while True:
        end = min(start + chunk_size, total)
        last = end >= total
        header = f"BDAT {end - start}{' LAST' if last else ''}\r\n".encode("ascii")
        yield header + view[start:end].tobytes()
        if last:
            return
        start = end
