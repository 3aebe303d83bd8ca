"""Every POP3 dialogue, written once as generators run by both colours.

Each function here (and in :mod:`tether.pop3._auth`) is an *exchange* (see
:mod:`tether._drive`): it yields ``Send``, ``Receive`` and ``StartTLS`` operations and
returns the poplib-shaped result. The sync
client runs them with ``run_sync``, the async one with ``run_async``; neither contains
protocol logic of its own. :func:`guarded` wraps each public call: engine errors become
``error_proto`` subclasses, and a response left half-read (timeout, exception, a
``break`` out of ``iter_retr``) is marked to be skipped so the next command reads its
own answer. (The clients' ``_run`` do the same for the per-call exchanges with
:func:`failed`, one generator level less on hot paths.)

Per-command cost matters (a ``top()`` loop over 10,000 messages is mostly round
trips), so the hot exchanges send a command and read its answer with one
:class:`SendReceive` op and let the engine take an answer that is the whole of that
read without events (``POP3Connection.receive_whole_response``).
"""

from __future__ import annotations

import dataclasses
import ssl
import sys
from collections import deque
from collections.abc import Generator
from typing import Any, Final

from tether._drive import Close, Exchange, Op, Receive, Send, StartTLS
from tether.errors import LimitExceeded
from tether.net import TimeoutConfig
from tether.pop3._errors import (
    POP3ProtocolError,
    POP3ResponseError,
    error_proto,
    rebrand,
)
from tether.protocols.pop3 import (
    MAX_RESPONSE_LINES,
    MAX_RESPONSE_SIZE,
    NEED_DATA,
    Body,
    BodyChunk,
    BodyEnd,
    BodyMode,
    Event,
    POP3Connection,
    ResponseKind,
    Status,
)
from tether.protocols.pop3.wire import (
    check_command_line,
    join_crlf,
    parse_capa,
    parse_stat,
    split_lines,
)

__all__ = ["FIRST_READ_SIZE", "READ_SIZE", "Session"]

#: Bytes asked of the stream per read. Large reads keep a 1 MiB message to a handful
#: of system calls; the engine never holds more than one read beyond the response.
READ_SIZE: Final = 256 * 1024

_POPLIB_MAXLINE: Final = 2048

#: Bytes asked of the stream by the first read after a command (:class:`SendReceive`).
#: Most answers are a line or a small listing; ``socket.recv(n)`` allocates ``n`` bytes
#: whatever arrives, and above glibc's mmap threshold (128 KiB) each such read costs an
#: mmap, mremap and munmap plus page faults: 13 us, three times poplib's whole ``top()``.
#: A large body continues with ``READ_SIZE`` reads.
FIRST_READ_SIZE: Final = 64 * 1024

# Enum members as module names: ``ResponseKind.MULTI`` costs an enum attribute lookup
# (~70 ns) on every command otherwise.
_MULTI: Final = ResponseKind.MULTI

#: The one read op every exchange yields (ops are immutable: no need for one per read).
_RECEIVE: Final = Receive(READ_SIZE)


class SendReceive(Op):
    """Send ``data``, then read (up to :data:`FIRST_READ_SIZE`). Result: bytes, b"" at EOF.

    For a command whose answer is not buffered yet: one resume of the exchange instead
    of two. A failed write raises before anything is read, as ``Send`` would. (A plain
    slotted class: a frozen dataclass's ``__init__`` costs more than the op's use.)
    """

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"SendReceive({self.data!r})"

    def run_sync(self, transport: Any) -> bytes:
        stream = transport.stream
        stream.write(self.data)
        return stream.read(FIRST_READ_SIZE)  # type: ignore[no-any-return]

    async def run_async(self, transport: Any) -> bytes:
        stream = transport.stream
        await stream.write(self.data)
        return await stream.read(FIRST_READ_SIZE)  # type: ignore[no-any-return]


@dataclasses.dataclass(eq=False)
class Session:
    """What one connection knows, shared by the client object and its exchanges."""

    host: str
    port: int
    timeouts: TimeoutConfig
    allow_cleartext_auth: bool = False
    max_response_size: int = MAX_RESPONSE_SIZE
    max_response_lines: int = MAX_RESPONSE_LINES
    engine: POP3Connection = dataclasses.field(default_factory=POP3Connection)
    transport: Any = None
    tls: bool = False
    capabilities: dict[str, list[str]] | None = None
    encoding: str = "UTF-8"
    debuglevel: int = 0
    owner: Any = None  # the client, for sys.audit events
    # The iter_retr loop whose body is being streamed (see stream_start).
    active_stream: object | None = None
    # The user name given to USER/APOP/AUTH (names the mailbox for fetch_to_maildir).
    login_name: str | None = None

    def __post_init__(self) -> None:
        self.engine.max_response_size = self.max_response_size


# Importing this module imports its package first, so the package object is there
# (perhaps still initialising); ``_MAXLINE`` is looked up on it at each call.
_PACKAGE: Final = sys.modules[__name__.rpartition(".")[0]]


def maxline() -> int:
    """``tether.pop3._MAXLINE`` as it is *now* (programs raise it at run time)."""
    return int(getattr(_PACKAGE, "_MAXLINE", _POPLIB_MAXLINE))


# -- plumbing -----------------------------------------------------------------------
def guarded(s: Session, exchange: Exchange[Any]) -> Exchange[Any]:
    """Run ``exchange``; translate engine errors; skip a response left half-read."""
    try:
        return (yield from exchange)
    except BaseException as exc:
        new = failed(s, exc)
        if new is not None:
            raise new from exc
        raise


def failed(s: Session, exc: BaseException) -> BaseException | None:
    """What :func:`guarded` does with an exception that left an exchange: mark the
    outstanding responses to be skipped; return the ``error_proto`` flavour to raise
    (``from exc``) or ``None`` to re-raise ``exc``. Clients that run an exchange
    without :func:`guarded` (one generator frame less) call it themselves."""
    s.engine.abandon()
    return rebrand(exc)


def _pump(s: Session) -> Generator[Op, Any, Event]:
    engine = s.engine
    while True:
        event = engine.next_event()
        if event is not NEED_DATA:
            return event
        data = yield _RECEIVE
        engine.receive_data(data)


def _debug_line(s: Session, line: str) -> None:
    if s.debuglevel:
        shown = "PASS ****" if line[:5].upper() == "PASS " else line
        print("*cmd*", repr(shown))


def prepare(s: Session, line: str | bytes, kind: ResponseKind = ResponseKind.SINGLE,
            mode: BodyMode = BodyMode.BULK) -> bytes:
    """The bytes of one command line (str is encoded with the client's ``encoding``);
    its response is now expected. Raises before anything is sent if it is invalid."""
    engine = s.engine
    if s.active_stream is not None:
        # A new command while a streamed body is unfinished: skip the rest of it.
        engine.abandon()
        s.active_stream = None
    if isinstance(line, str):
        if s.debuglevel:
            _debug_line(s, line)
        data = line.encode(s.encoding)
    else:
        data = line
    # maxline(), inlined: this runs for every command.
    engine.max_line_length = int(getattr(_PACKAGE, "_MAXLINE", _POPLIB_MAXLINE)) - 2
    wire = engine.send_command(data, kind, mode)
    sys.audit("poplib.putline", s.owner, data)
    return wire


def send(s: Session, line: str | bytes, kind: ResponseKind = ResponseKind.SINGLE,
         mode: BodyMode = BodyMode.BULK) -> Exchange[None]:
    """Send one command line; its response is then read with :func:`get_status`."""
    yield Send(prepare(s, line, kind, mode))


def send_raw(s: Session, line: bytes) -> Exchange[None]:
    """Send a line whose answer the caller reads itself (poplib's ``_putline``)."""
    check_command_line(line)
    sys.audit("poplib.putline", s.owner, line)
    yield Send(line + b"\r\n")


def get_status(s: Session, kind: ResponseKind = ResponseKind.SINGLE) -> Exchange[bytes]:
    """Read the next status line; ``-ERR`` raises :class:`POP3ResponseError`."""
    event = yield from _pump(s)
    return _status(s, event)


def _status(s: Session, event: Event) -> bytes:
    if not isinstance(event, Status):
        raise POP3ProtocolError(f"expected a status line, got {type(event).__name__}")
    return _status_line(s, event.line)


def _status_line(s: Session, line: bytes) -> bytes:
    if s.debuglevel > 1:
        print("*resp*", repr(line))
    if not line.startswith(b"+"):  # poplib: any "+" line is a success
        raise POP3ResponseError(line)
    return line


def short(s: Session, line: str | bytes) -> Exchange[bytes]:
    """A command with a single-line answer: poplib's ``_shortcmd``.

    The hot paths (this and :func:`long_body`) loop on the engine inline rather than
    through helper generators: each ``yield from`` level costs on every resume.
    """
    wire = prepare(s, line)
    engine = s.engine
    if engine.needs_data:
        # Send and read in one step; an answer that is the whole of that read is
        # taken without events (the engine's receive_whole_response).
        whole = engine.receive_whole_response((yield SendReceive(wire)))
        if whole is not None:
            return _status_line(s, whole[0])
    else:
        yield Send(wire)
    event = engine.next_event()
    while event is NEED_DATA:
        engine.receive_data((yield _RECEIVE))
        event = engine.next_event()
    return _status(s, event)


def long_body(s: Session, line: str | bytes) -> Exchange[tuple[bytes, bytes]]:
    """A multi-line command: (status line, un-stuffed body bytes)."""
    wire = prepare(s, line, _MULTI)
    if s.engine.needs_data:
        whole = s.engine.receive_whole_response((yield SendReceive(wire)))
        if whole is not None:
            return _status_line(s, whole[0]), whole[1] or b""  # "+": a body (maybe b"")
    else:
        yield Send(wire)
    return (yield from _long_rest(s))


def long_lines(s: Session, line: str | bytes) -> Exchange[tuple[bytes, list[bytes], int]]:
    """poplib's ``_longcmd``: (status line, [lines], octets).

    :func:`long_body`'s steps written out again rather than delegated to: ``TOP n 0``
    in a loop is a hot path, and each ``yield from`` level costs on every call.
    """
    wire = prepare(s, line, _MULTI)
    engine = s.engine
    if engine.needs_data:
        whole = engine.receive_whole_response((yield SendReceive(wire)))
        if whole is not None:
            resp = whole[0]
            if s.debuglevel or not resp.startswith(b"+"):
                _status_line(s, resp)  # prints; raises for -ERR
            body = whole[1] or b""  # after a "+" status there is a body (maybe b"")
        else:
            resp, body = yield from _long_rest(s)
    else:
        yield Send(wire)
        resp, body = yield from _long_rest(s)
    # engine.max_line_length is _MAXLINE - 2 as read by prepare() for this command.
    lines = split_lines(body, engine.max_line_length, s.max_response_lines)
    return resp, lines, len(body)


def _long_rest(s: Session) -> Exchange[tuple[bytes, bytes]]:
    """The status line and body of a multi-line response, through the engine's events."""
    engine = s.engine
    event = engine.next_event()
    while event is NEED_DATA:
        engine.receive_data((yield _RECEIVE))
        event = engine.next_event()
    resp = _status(s, event)
    event = engine.next_event()
    while event is NEED_DATA:
        engine.receive_data((yield _RECEIVE))
        event = engine.next_event()
    if not isinstance(event, Body):
        raise POP3ProtocolError(f"expected a body, got {type(event).__name__}")
    return resp, event.data


def retr_lines(s: Session, which: Any) -> Exchange[tuple[bytes, list[bytes], int]]:
    """RETR in poplib's shape, split into lines *while the message is still arriving*.

    The body is streamed and each chunk split on CRLF at once (``bytes.split``, C
    speed), so the splitting overlaps with the server producing the rest instead of
    following it. A body with bare-LF line ends falls back to poplib's line rules.
    """
    yield from send(s, f"RETR {which}", ResponseKind.MULTI, BodyMode.STREAM)
    resp = yield from get_status(s)
    max_line = maxline() - 2
    max_lines = s.max_response_lines
    lines: list[bytes] = []
    partial = b""
    raw: list[bytes] | None = None  # chunks kept whole after a bare LF was seen
    size = 0
    while True:
        event = yield from _pump(s)
        if isinstance(event, BodyEnd):
            break
        assert isinstance(event, BodyChunk)
        size += len(event.data)
        if size > s.max_response_size:
            raise LimitExceeded("multi-line response too large", "max_response_size",
                                s.max_response_size)
        if raw is not None:
            raw.append(event.data)
            continue
        data = partial + event.data if partial else event.data
        new = data.split(b"\r\n")
        partial = new.pop()
        if data.count(b"\n") != len(new):
            # A bare LF somewhere: redo everything with poplib's rules at the end.
            raw = [b"".join(line + b"\r\n" for line in lines), data]
            lines = []
            continue
        if (new and max(map(len, new)) > max_line) or len(partial) > max_line + 1:
            raise LimitExceeded("line too long", "_MAXLINE", max_line + 2)
        lines += new
        if len(lines) > max_lines:
            raise LimitExceeded("multi-line response has too many lines",
                                "max_response_lines", max_lines)
    if raw is not None:
        lines = split_lines(b"".join(raw), max_line, max_lines)
    return resp, lines, size


def greeting(s: Session) -> Exchange[bytes]:
    s.engine.max_line_length = maxline() - 2
    s.engine.expect()
    return (yield from get_status(s))


def read_response(s: Session, multi: bool) -> Exchange[Any]:
    """Read a response to a command someone else sent (``_getresp``/``_getlongresp``)."""
    s.engine.max_line_length = maxline() - 2
    s.engine.expect(ResponseKind.MULTI if multi else ResponseKind.SINGLE)
    resp = yield from get_status(s)
    if not multi:
        return resp
    event = yield from _pump(s)
    assert isinstance(event, Body)
    return resp, split_lines(event.data, maxline() - 2, s.max_response_lines), len(event.data)


def close(s: Session) -> Exchange[None]:
    yield Close()


# -- capabilities and TLS -------------------------------------------------------------
def capa(s: Session) -> Exchange[dict[str, list[str]]]:
    """RFC 2449 CAPA, poplib's dict shape; ``-ERR`` → poplib's message."""
    try:
        _, lines, _ = yield from long_lines(s, "CAPA")
    except POP3ResponseError:
        raise POP3ResponseError("-ERR CAPA not supported by server") from None
    caps = parse_capa(lines)
    s.capabilities = caps
    return caps


def _capa_or_empty(s: Session) -> Exchange[dict[str, list[str]]]:
    try:
        return (yield from capa(s))
    except POP3ResponseError:
        return {}


def stls(s: Session, context: ssl.SSLContext, server_hostname: str) -> Exchange[bytes]:
    """RFC 2595 §4: STLS, handshake, then forget and re-read the capabilities.

    A ``-ERR`` answer raises: the session never continues in clear text by accident.
    Plaintext the server (or an attacker) sent after ``+OK`` is dropped unread.
    """
    if s.tls:
        raise POP3ResponseError("-ERR TLS session already established")
    caps = yield from capa(s)
    if "STLS" not in caps:
        raise POP3ResponseError("-ERR STLS not supported by server")
    resp = yield from short(s, "STLS")
    s.engine.start_tls()
    s.capabilities = None
    yield StartTLS(context, server_hostname)
    s.tls = True
    yield from _capa_or_empty(s)
    return resp


# -- commands with results to shape --------------------------------------------------
def stat(s: Session) -> Exchange[tuple[int, int]]:
    line = yield from short(s, "STAT")
    if s.debuglevel:
        print("*stat*", repr(line.split()))
    return parse_stat(line)


def quit(s: Session) -> Exchange[bytes]:
    return (yield from short(s, "QUIT"))


def retr_bytes(s: Session, which: Any) -> Exchange[bytes]:
    """RETR as one ``bytes`` with CRLF line ends (no per-line work)."""
    _, body = yield from long_body(s, f"RETR {which}")
    return join_crlf(body)


def stream_start(s: Session, line: str, token: object) -> Exchange[bytes]:
    """Send a multi-line command whose body is then read with :func:`stream_next`.

    ``token`` identifies the reader; a later command abandons the stream (its reader
    then gets an error rather than another response's bytes).
    """
    yield from send(s, line, ResponseKind.MULTI, BodyMode.STREAM)
    resp = yield from get_status(s)
    s.active_stream = token
    return resp


def stream_next(s: Session, token: object) -> Exchange[bytes | None]:
    """The next un-stuffed chunk of a streamed body, ``None`` at its end."""
    if s.active_stream is not token:
        raise error_proto("this iter_retr() was abandoned: another command was sent")
    event = yield from _pump(s)
    if isinstance(event, BodyChunk):
        return event.data
    if isinstance(event, BodyEnd):
        s.active_stream = None
        return None
    raise error_proto(f"unexpected {type(event).__name__} in a streamed body")


# -- pipelining (RFC 2449 §6.6) ----------------------------------------------------------
@dataclasses.dataclass(eq=False)
class Pipeline:
    """Commands still to send, and the keys of those sent and not yet answered."""

    todo: deque[tuple[Any, str]]
    window: int
    in_flight: deque[Any] = dataclasses.field(default_factory=deque)

    @property
    def done(self) -> bool:
        return not self.todo and not self.in_flight


def pipeline_window(s: Session, requested: int) -> Exchange[int]:
    """``requested`` if the server announces PIPELINING in CAPA, else 1."""
    if requested < 1:
        raise ValueError("window must be at least 1")
    if s.capabilities is None:
        s.capabilities = yield from _capa_or_empty(s)
    return requested if "PIPELINING" in s.capabilities else 1


def pipeline_next(s: Session, p: Pipeline, token: object) -> Exchange[tuple[Any, bytes, bytes]]:
    """Keep up to ``p.window`` multi-line commands in flight (sent in one write); return
    (key, status line, body) of the oldest. A ``-ERR`` raises (the rest are skipped)."""
    if s.active_stream is not token:
        raise error_proto("this pipelined loop was abandoned: another command was sent")
    engine = s.engine
    batch = []
    while p.todo and len(p.in_flight) < p.window:
        key, line = p.todo.popleft()
        batch.append(engine.send_command(line.encode(s.encoding), ResponseKind.MULTI))
        p.in_flight.append(key)
    if batch:
        engine.max_line_length = maxline() - 2
        yield Send(b"".join(batch))
    key = p.in_flight.popleft()
    resp = yield from get_status(s)
    event = yield from _pump(s)
    assert isinstance(event, Body)
    if p.done:
        s.active_stream = None
    return key, resp, event.data


def top_many(s: Session, numbers: Any, howmuch: Any,
             window: int) -> Exchange[list[tuple[bytes, list[bytes], int]]]:
    """TOP for many messages, pipelined; poplib's ``top()`` result for each, in order."""
    width = yield from pipeline_window(s, window)
    token = object()
    p = Pipeline(deque((n, f"TOP {n} {howmuch}") for n in numbers), width)
    s.active_stream = token
    out = []
    max_line = maxline() - 2
    while not p.done:
        _, resp, body = yield from pipeline_next(s, p, token)
        out.append((resp, split_lines(body, max_line, s.max_response_lines), len(body)))
    s.active_stream = None
    return out
