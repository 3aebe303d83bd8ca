"""HTTP/1.1 client engine, sans I/O (RFC 9112), in the h11 shape.

See :mod:`.connection` for the theory of operation and the limits.
"""

from tether.protocols.http11.connection import Connection as Connection
from tether.protocols.http11.events import (
    NEED_DATA as NEED_DATA,
)
from tether.protocols.http11.events import (
    PAUSED as PAUSED,
)
from tether.protocols.http11.events import (
    ConnectionClosed as ConnectionClosed,
)
from tether.protocols.http11.events import (
    Data as Data,
)
from tether.protocols.http11.events import (
    EndOfMessage as EndOfMessage,
)
from tether.protocols.http11.events import (
    Event as Event,
)
from tether.protocols.http11.events import (
    InformationalResponse as InformationalResponse,
)
from tether.protocols.http11.events import (
    Request as Request,
)
from tether.protocols.http11.events import (
    Response as Response,
)
from tether.protocols.http11.events import (
    Signal as Signal,
)
from tether.protocols.http11.state import State as State
