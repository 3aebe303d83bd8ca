"""The smallest exchange steps: send bytes, read one reply, call a client method.

Every exchange in :mod:`tether.smtp._exchanges` is built from these. They translate
transport failures into smtplib's exceptions at one place: a timeout while waiting
for a reply becomes :class:`SMTPServerTimeout` (an ``SMTPServerDisconnected`` and a
``ReadTimeout``), any other failure ``SMTPServerDisconnected`` with smtplib's texts,
and an overlong reply :class:`SMTPReplyTooLong` (smtplib's ``500 "Line too long."``).
The client closes the connection whenever one of these escapes.

:class:`Call` is an op that invokes a public method of the client object, so that an
exchange written once (``sendmail``) still goes through ``self.mail()``, ``self.rcpt()``
... and respects subclasses and patched instances, in both colours.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Final

from tether._drive import Exchange, Op, Receive, Send
from tether.errors import ClosedError, LimitExceeded, NetworkError
from tether.protocols.smtp.commands import CommandInjectionError
from tether.protocols.smtp.replies import Reply
from tether.smtp._errors import (
    SMTPCommandInjection,
    SMTPReplyTooLong,
    SMTPServerDisconnected,
    SMTPServerTimeout,
)

__all__ = ["RECEIVE_SIZE", "Call", "Link", "command", "read_reply", "send"]

#: Bytes asked of the transport per read; replies are small, bodies go the other way.
RECEIVE_SIZE: Final = 65536


class Link:
    """The transport handed to the drivers: the current stream and the client."""

    __slots__ = ("client", "sock", "stream")

    def __init__(self, client: Any) -> None:
        self.client = client
        self.stream: Any = None
        #: The socket object ``stream`` wraps (to notice when ``client.sock`` changes).
        self.sock: Any = None


@dataclasses.dataclass(frozen=True, slots=True)
class Call(Op):
    """Call ``client.<name>(*args, **kwargs)``; awaited in the async colour if needed."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)

    def run_sync(self, transport: Link) -> Any:
        return getattr(transport.client, self.name)(*self.args, **self.kwargs)

    async def run_async(self, transport: Link) -> Any:
        result = getattr(transport.client, self.name)(*self.args, **self.kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result


def send(c: Any, data: bytes) -> Exchange[None]:
    """Send ``data``; failures become ``SMTPServerDisconnected('Server not connected')``."""
    if c.sock is None:
        raise SMTPServerDisconnected("please run connect() first")
    try:
        yield Send(data)
    except (NetworkError, ClosedError) as exc:
        raise SMTPServerDisconnected("Server not connected") from exc


def command(c: Any, cmd: str, args: str = "") -> Exchange[None]:
    """Send one command line (in ``c.command_encoding``); its reply is now expected."""
    try:
        data = c._engine.command(cmd, args, c.command_encoding)
    except CommandInjectionError as exc:
        raise SMTPCommandInjection(str(exc)) from None
    yield from send(c, data)


def read_reply(c: Any) -> Exchange[Reply]:
    """Read one complete reply."""
    if c.sock is None:
        raise SMTPServerDisconnected("please run connect() first")
    engine = c._engine
    while True:
        try:
            reply: Reply | None = engine.next_reply()
        except LimitExceeded as exc:
            raise SMTPReplyTooLong(exc.limit, int(exc.value)) from exc
        if reply is not None:
            if engine.trace is not None:
                engine.trace("reply", reply)
            return reply
        if engine.eof:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        try:
            data = yield Receive(RECEIVE_SIZE)
        except TimeoutError as exc:
            raise SMTPServerTimeout(f"Connection unexpectedly closed: {exc}") from exc
        except (NetworkError, ClosedError) as exc:
            raise SMTPServerDisconnected(f"Connection unexpectedly closed: {exc}") from exc
        engine.receive_data(data)


def docmd(c: Any, cmd: str, args: str = "") -> Exchange[tuple[int, bytes]]:
    """Send a command and return its reply as ``(code, message)``."""
    yield from command(c, cmd, args)
    reply = yield from read_reply(c)
    return reply.as_tuple()
