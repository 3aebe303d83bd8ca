"""tether.net: the only code that touches sockets, ``ssl``, ``select`` and ``asyncio``.

Streams in both colours (:class:`SyncStream`, :class:`AsyncStream`), connecting with
Happy Eyeballs, one cached TLS context factory, timeouts and deadlines, and in-memory
stream pairs for tests. Every ``OSError``/``ssl`` exception is translated into
:mod:`tether.errors` here, once.
"""

from tether.net._addr import interleave_families as interleave_families
from tether.net._addr import is_ip_address as is_ip_address
from tether.net._addr import is_loopback as is_loopback
from tether.net._addr import peer_is_loopback as peer_is_loopback
from tether.net._addr import resolve as resolve
from tether.net._addr import resolve_async as resolve_async
from tether.net._async import AsyncSocketStream as AsyncSocketStream
from tether.net._async import connect_tcp_async as connect_tcp_async
from tether.net._base import UNSET as UNSET
from tether.net._base import AsyncStream as AsyncStream
from tether.net._base import SyncStream as SyncStream
from tether.net._base import Unset as Unset
from tether.net._memory import async_memory_stream_pair as async_memory_stream_pair
from tether.net._memory import memory_stream_pair as memory_stream_pair
from tether.net._sync import HAPPY_EYEBALLS_DELAY as HAPPY_EYEBALLS_DELAY
from tether.net._sync import SocketStream as SocketStream
from tether.net._sync import connect_tcp as connect_tcp
from tether.net._timeouts import DEFAULT_CONNECT_TIMEOUT as DEFAULT_CONNECT_TIMEOUT
from tether.net._timeouts import DEFAULT_POOL_TIMEOUT as DEFAULT_POOL_TIMEOUT
from tether.net._timeouts import DEFAULT_READ_TIMEOUT as DEFAULT_READ_TIMEOUT
from tether.net._timeouts import DEFAULT_TIMEOUTS as DEFAULT_TIMEOUTS
from tether.net._timeouts import DEFAULT_WRITE_TIMEOUT as DEFAULT_WRITE_TIMEOUT
from tether.net._timeouts import Deadline as Deadline
from tether.net._timeouts import TimeoutConfig as TimeoutConfig
from tether.net._timeouts import budget as budget
from tether.net._timeouts import timeout_error as timeout_error
from tether.net._timeouts import timeouts_from_stdlib as timeouts_from_stdlib
from tether.net._tls import clear_context_cache as clear_context_cache
from tether.net._tls import create_ssl_context as create_ssl_context
from tether.net._tls import default_ca_source as default_ca_source
from tether.net._tlsbio import BIOTLSStream as BIOTLSStream
from tether.net._translate import translate_tls_error as translate_tls_error

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_POOL_TIMEOUT",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_TIMEOUTS",
    "DEFAULT_WRITE_TIMEOUT",
    "HAPPY_EYEBALLS_DELAY",
    "UNSET",
    "AsyncSocketStream",
    "AsyncStream",
    "Deadline",
    "SocketStream",
    "SyncStream",
    "TimeoutConfig",
    "Unset",
    "async_memory_stream_pair",
    "budget",
    "clear_context_cache",
    "connect_tcp",
    "connect_tcp_async",
    "create_ssl_context",
    "default_ca_source",
    "interleave_families",
    "is_ip_address",
    "is_loopback",
    "memory_stream_pair",
    "peer_is_loopback",
    "timeout_error",
    "timeouts_from_stdlib",
    "translate_tls_error",
]
