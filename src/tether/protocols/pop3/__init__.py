"""Sans-I/O POP3 client engine (RFC 1939, 2449, 2595, 5034).

No sockets, clocks or threads: :class:`POP3Connection` turns commands into bytes and
the server's bytes into :mod:`events <tether.protocols.pop3.events>`; :mod:`wire`
parses listings and greetings; :mod:`sasl` builds SASL client responses.
"""

from tether.protocols.pop3.connection import MAX_LINE_LENGTH as MAX_LINE_LENGTH
from tether.protocols.pop3.connection import MAX_RESPONSE_LINES as MAX_RESPONSE_LINES
from tether.protocols.pop3.connection import MAX_RESPONSE_SIZE as MAX_RESPONSE_SIZE
from tether.protocols.pop3.connection import BodyMode as BodyMode
from tether.protocols.pop3.connection import POP3Connection as POP3Connection
from tether.protocols.pop3.connection import ResponseKind as ResponseKind
from tether.protocols.pop3.events import NEED_DATA as NEED_DATA
from tether.protocols.pop3.events import Body as Body
from tether.protocols.pop3.events import BodyChunk as BodyChunk
from tether.protocols.pop3.events import BodyEnd as BodyEnd
from tether.protocols.pop3.events import Continuation as Continuation
from tether.protocols.pop3.events import Event as Event
from tether.protocols.pop3.events import NeedData as NeedData
from tether.protocols.pop3.events import Status as Status
from tether.protocols.pop3.readers import BodyScanner as BodyScanner

__all__ = [
    "MAX_LINE_LENGTH",
    "MAX_RESPONSE_LINES",
    "MAX_RESPONSE_SIZE",
    "NEED_DATA",
    "Body",
    "BodyChunk",
    "BodyEnd",
    "BodyMode",
    "BodyScanner",
    "Continuation",
    "Event",
    "NeedData",
    "POP3Connection",
    "ResponseKind",
    "Status",
]
