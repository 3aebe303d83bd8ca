"""Reading a multi-line POP3 body in bulk: terminator detection and dot-unstuffing.

Theory of operation
-------------------
RFC 1939 §3: a multi-line response ends with a line holding a single ``.``; any body
line that starts with ``.`` is sent with one more ``.`` in front ("byte-stuffed"). So the
only places that matter are the *line starts that hold a dot*, i.e. the byte pairs
``\\n.``. Ordinary mail has few of them, so :class:`BodyScanner` never looks at lines one
by one: it asks ``bytes.find`` (C speed) for the next ``\\n.`` and decides there:

- ``\\n..``  a stuffed line: keep the first dot, drop the second;
- ``\\n.\\r\\n`` or ``\\n.\\n``  the terminator: the body ends after the ``\\n``;
- ``\\n.`` + anything else  a line that starts with a dot but was not stuffed (poplib
  keeps it as it is, so do we);
- ``\\n.`` at the very end of the data  undecided: wait for more bytes.

The body's first line has no ``\\n`` before it, so the scanner starts with a *virtual*
``\\n`` that it never emits. The kept bytes are collected as ``memoryview`` slices of
the received chunks and joined once, so a 1 MiB message costs one copy, plus one for
every chunk that arrived right after a line end (the carried ``\\n`` is prepended).

Both CRLF and bare-LF line ends are accepted, as poplib accepts them.
"""

from __future__ import annotations

__all__ = ["BodyScanner"]


class BodyScanner:
    """Incremental terminator detection and un-stuffing of one multi-line body.

    ``feed(data)`` consumes received bytes and returns the bytes that follow the
    terminator once it has been seen (they belong to the next response), else ``b""``.
    ``take()`` returns the un-stuffed body bytes collected so far and forgets them.
    ``size`` counts every un-stuffed byte seen, so the caller can apply its bound after
    each ``feed``. With ``discarding`` set, bytes are counted but not kept.
    """

    __slots__ = ("_carry", "_pieces", "_size", "_skip", "discarding", "done")

    def __init__(self) -> None:
        # Unprocessed tail of the previous chunk (at most 3 bytes, starting with "\n").
        self._carry = b"\n"
        # 1 while the carried "\n" is the virtual one before the first line.
        self._skip = 1
        self._pieces: list[memoryview] = []
        self._size = 0
        self.discarding = False
        self.done = False

    @property
    def fresh(self) -> bool:
        """Nothing fed yet."""
        return self._skip == 1 and self._carry == b"\n" and not self._pieces and not self.done

    @property
    def size(self) -> int:
        """Un-stuffed body bytes produced so far."""
        return self._size

    def _emit(self, piece: memoryview) -> None:
        if not piece:
            return
        self._size += len(piece)
        if not self.discarding:
            self._pieces.append(piece)

    def take(self) -> bytes:
        """The body bytes collected since the last call (one join)."""
        pieces = self._pieces
        if not pieces:
            return b""
        self._pieces = []
        if len(pieces) == 1:
            return pieces[0].tobytes()
        return b"".join(pieces)

    def feed(self, data: bytes) -> bytes:
        """Scan ``data``; return what follows the terminator (``b""`` if not seen yet)."""
        if self.done:
            return data
        if self._carry:
            data = self._carry + data
            self._carry = b""
        view = memoryview(data)
        start = self._skip  # first byte not yet emitted
        self._skip = 0
        pos = 0
        find = data.find
        while True:
            i = find(b"\n.", pos)
            if i < 0:
                end = len(data)
                if data.endswith(b"\n"):
                    # The next chunk may start with a dot: keep the "\n" for it.
                    end -= 1
                if end >= start:
                    self._emit(view[start:end])
                else:
                    self._skip = 1  # the carried "\n" is still the virtual one
                self._carry = data[end:]
                return b""
            after = data[i + 2:i + 4]
            first = after[:1]
            if first == b".":
                # A stuffed line: emit through the first dot, skip the second.
                self._emit(view[start:i + 2])
                start = pos = i + 3
            elif after == b"\r\n" or first == b"\n":
                self._emit(view[start:i + 1])
                self.done = True
                return data[i + 2 + (2 if first == b"\r" else 1):]
            elif after in (b"", b"\r"):
                # Cannot decide yet: carry "\n." (and a CR) into the next chunk.
                if i >= start:
                    self._emit(view[start:i])
                else:
                    self._skip = 1  # still the virtual "\n" before the first line
                self._carry = data[i:]
                return b""
            else:
                pos = i + 2
